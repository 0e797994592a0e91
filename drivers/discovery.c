// SPDX-License-Identifier: GPL-2.0
/*
 * SendTargets (RFC 7143 §13.3, Appendix C): which targets an initiator is
 * told about, and at which addresses.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include "kitt/conn.h"
#include "kitt/kitt.h"

/* May the session's initiator see @tpg? */
static bool kitt_st_tpg_visible(struct kitt_conn *conn, struct kitt_tpg *tpg)
{
	struct kitt_sess *sess = conn->sess;
	struct se_node_acl *acl;
	bool explicit;

	if (!READ_ONCE(tpg->se_tpg.enabled) &&
	    READ_ONCE(tpg->attrib.tpg_enabled_sendtargets))
		return false;
	if (sess->type == KITT_SESS_NORMAL)
		return sess->tpg == tpg;
	if (READ_ONCE(tpg->attrib.generate_node_acls) ||
	    READ_ONCE(tpg->attrib.demo_mode_discovery))
		return true;
	acl = core_tpg_get_initiator_node_acl(&tpg->se_tpg,
					      sess->initiator_name);
	if (!acl)
		return false;
	/* A dynamic ACL cached from demo mode grants nothing outside it. */
	explicit = !acl->dynamic_node_acl;
	target_put_nacl(acl);
	return explicit;
}

/* "TargetAddress=IP:PORT,TPGT" for each portal of @tpg. */
static void kitt_st_add_portals(struct kitt_conn *conn, struct kitt_tpg *tpg,
				struct kitt_text_buf *out)
{
	char addr[KITT_NETADDR_STR_MAX + 16];
	struct kitt_tpg_np *tnp;
	struct kitt_netaddr a;
	int len;

	mutex_lock(&tpg->lock);
	list_for_each_entry(tnp, &tpg->tpg_nps, tpg_entry) {
		a = tnp->portal->addr;
		/* A wildcard portal is reached at the address this conn used. */
		if (kitt_netaddr_is_any(&a) && a.family == conn->local.family) {
			memcpy(a.addr, conn->local.addr, sizeof(a.addr));
		} else if (kitt_netaddr_is_any(&a)) {
			a.family = conn->local.family;
			memcpy(a.addr, conn->local.addr, sizeof(a.addr));
		}
		len = kitt_netaddr_format(&a, addr, sizeof(addr) - 7);
		if (len < 0)
			continue;
		addr[len++] = ',';
		len += kitt_u32_to_str(tpg->tag, addr + len);
		kitt_text_add(out, "TargetAddress", 13, addr, (u32)len);
	}
	mutex_unlock(&tpg->lock);
}

/*
 * A target's name and addresses, all or nothing: false if the answer is
 * full (the target is left out whole, not listed without its addresses).
 */
static bool kitt_st_add_target(struct kitt_conn *conn, struct kitt_tiqn *tiqn,
			       struct kitt_text_buf *out)
{
	u32 start = out->len;
	struct kitt_tpg *tpg;
	bool named = false;

	mutex_lock(&tiqn->tpgs_lock);
	list_for_each_entry(tpg, &tiqn->tpgs, tiqn_entry) {
		if (!kitt_st_tpg_visible(conn, tpg))
			continue;
		if (!named) {
			kitt_text_add_str(out, "TargetName", tiqn->name);
			named = true;
		}
		kitt_st_add_portals(conn, tpg, out);
	}
	mutex_unlock(&tiqn->tpgs_lock);
	if (!out->overflow)
		return true;
	/* Room again for the answers to the request's other keys. */
	out->len = start;
	out->overflow = false;
	return false;
}

/*
 * Answer SendTargets=@value: "All" (discovery sessions), a target name,
 * or empty for the session's own target (normal sessions).
 */
int kitt_send_targets(struct kitt_conn *conn, const char *value, u32 len,
		      struct kitt_text_buf *out)
{
	struct kitt_sess *sess = conn->sess;
	bool all = len == 3 && !memcmp(value, "All", 3);
	struct kitt_tiqn *tiqn;

	if (all && sess->type != KITT_SESS_DISCOVERY)
		return kitt_text_add_str(out, "SendTargets", "Reject");
	if (!len && sess->type != KITT_SESS_NORMAL)
		return kitt_text_add_str(out, "SendTargets", "Reject");

	mutex_lock(&kitt_tiqns_lock);
	list_for_each_entry(tiqn, &kitt_tiqns, entry) {
		if (!all && len &&
		    (strlen(tiqn->name) != len || memcmp(tiqn->name, value, len)))
			continue;
		if (!len && sess->tpg && sess->tpg->tiqn != tiqn)
			continue;
		if (!kitt_st_add_target(conn, tiqn, out)) {
			pr_warn_ratelimited("SendTargets answer full at %u bytes: later targets left out\n",
					    out->len);
			break;
		}
	}
	mutex_unlock(&kitt_tiqns_lock);
	return 0;
}
