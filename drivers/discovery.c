// SPDX-License-Identifier: GPL-2.0
/*
 * SendTargets (RFC 7143 §13.3, Appendix C): which targets an initiator is
 * told about, and at which addresses.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include "kitt/conn.h"
#include "kitt/kitt.h"

/* What a SendTargets value asks for (RFC 7143 Appendix C). */
enum kitt_st_ask {
	KITT_ST_ALL,		/* "All": every target the initiator may see */
	KITT_ST_NAMED,		/* an iSCSI name: that target, if it may */
	KITT_ST_OWN,		/* empty: the normal session's own target */
};

/*
 * May the session's initiator see @tpg? A normal session asking for its
 * own target sees its TPG; any other question is answered as discovery
 * answers it, from the TPG's ACLs and demo mode.
 */
static bool kitt_st_tpg_visible(struct kitt_conn *conn, struct kitt_tpg *tpg,
				enum kitt_st_ask ask)
{
	struct kitt_sess *sess = conn->sess;
	struct se_node_acl *acl;
	bool explicit;

	if (!READ_ONCE(tpg->se_tpg.enabled) &&
	    READ_ONCE(tpg->attrib.tpg_enabled_sendtargets))
		return false;
	if (ask == KITT_ST_OWN)
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
			       enum kitt_st_ask ask, struct kitt_text_buf *out)
{
	u32 start = out->len;
	struct kitt_tpg *tpg;
	bool named = false;

	mutex_lock(&tiqn->tpgs_lock);
	list_for_each_entry(tpg, &tiqn->tpgs, tiqn_entry) {
		if (!kitt_st_tpg_visible(conn, tpg, ask))
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
 * Which targets SendTargets=@value asks for; -EINVAL for a value that is
 * none of "All", an iSCSI name, or (normal sessions only) empty.
 */
static int kitt_st_ask(struct kitt_sess *sess, const char *value, u32 len)
{
	if (len == 3 && !memcmp(value, "All", 3))
		return KITT_ST_ALL;
	if (!len)
		return sess->type == KITT_SESS_NORMAL ? KITT_ST_OWN : -EINVAL;
	if (kitt_iscsi_name_valid(value, len))
		return KITT_ST_NAMED;
	return -EINVAL;
}

/* Does @tiqn answer question @ask about @value? */
static bool kitt_st_tiqn_asked(struct kitt_sess *sess, struct kitt_tiqn *tiqn,
			       enum kitt_st_ask ask, const char *value, u32 len)
{
	if (ask == KITT_ST_NAMED)
		return strlen(tiqn->name) == len && !memcmp(tiqn->name, value, len);
	if (ask == KITT_ST_OWN)
		return sess->tpg && sess->tpg->tiqn == tiqn;
	return true;
}

/*
 * Answer SendTargets=@value: "All" or a target name, in any session (a
 * normal session is told what a discovery session of its initiator would
 * be, as iscsi_target_mod does), or empty for a normal session's own
 * target. Returns -EINVAL, with nothing added, for any other value: the
 * request is rejected rather than answered with an empty list that would
 * read as "no targets".
 */
int kitt_send_targets(struct kitt_conn *conn, const char *value, u32 len,
		      struct kitt_text_buf *out)
{
	struct kitt_sess *sess = conn->sess;
	int ask = kitt_st_ask(sess, value, len);
	struct kitt_tiqn *tiqn;

	if (ask < 0) {
		pr_warn_ratelimited("rejecting SendTargets=%*pE: neither All, a target name nor empty in a normal session\n",
				    (int)min_t(u32, len, 64), value);
		return ask;
	}
	/*
	 * Target by target, holding only a reference on the one being
	 * listed: logins and configfs do not wait for the whole walk.
	 */
	for (tiqn = kitt_tiqn_next(NULL); tiqn; tiqn = kitt_tiqn_next(tiqn)) {
		if (!kitt_st_tiqn_asked(sess, tiqn, ask, value, len))
			continue;
		if (!kitt_st_add_target(conn, tiqn, ask, out)) {
			pr_warn_ratelimited("SendTargets answer full at %u bytes: later targets left out\n",
					    out->len);
			kitt_tiqn_put(tiqn);
			break;
		}
	}
	return 0;
}
