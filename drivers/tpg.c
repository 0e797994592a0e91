// SPDX-License-Identifier: GPL-2.0
/*
 * Target portal groups: creation, enabling, and the defaults of TPG and ACL
 * attributes (which match iscsi_target_mod's, so configurations move between
 * the two unchanged).
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/ctype.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <scsi/scsi_proto.h>

#include "kitt/conn.h"
#include "kitt/kitt.h"

void kitt_tpg_attrib_init(struct kitt_tpg_attrib *a)
{
	a->authentication = 1;
	a->login_timeout = 15;
	a->netif_timeout = 2;
	a->generate_node_acls = 0;
	a->cache_dynamic_acls = 0;
	a->default_cmdsn_depth = 64;
	a->demo_mode_write_protect = 1;
	a->prod_mode_write_protect = 0;
	a->demo_mode_discovery = 1;
	a->default_erl = 0;
	a->t10_pi = 0;
	a->fabric_prot_type = 0;
	a->tpg_enabled_sendtargets = 1;
	a->login_keys_workaround = 1;
}

/* A new ACL takes default_erl from its TPG, the rest from constants. */
void kitt_nacl_attrib_init(struct kitt_nacl_attrib *a, const struct kitt_tpg *tpg)
{
	a->dataout_timeout = 3;
	a->dataout_timeout_retries = 5;
	a->default_erl = tpg ? READ_ONCE(tpg->attrib.default_erl) : 0;
	a->nopin_timeout = 15;
	a->nopin_response_timeout = 30;
	a->random_datain_pdu_offsets = 0;
	a->random_datain_seq_offsets = 0;
	a->random_r2t_offsets = 0;
	a->authentication = -1;
}

/*
 * Keep AuthMethod in step with the authentication attribute, as
 * iscsi_target_mod does: with authentication on, "None" leaves the list
 * (a list of only "None" becomes "CHAP"); with it off, ",None" is added.
 */
void kitt_tpg_auth_method_follow(struct kitt_tpg *tpg)
{
	char *am = tpg->params.v[KITT_KEY_AUTH_METHOD];
	char *none = strstr(am, "None");
	size_t len = strlen(am);

	lockdep_assert_held(&tpg->lock);
	if (!tpg->attrib.authentication) {
		if (!none && len + 5 <= KITT_KEY_VALUE_MAX)
			strcat(am, ",None");
		return;
	}
	/* A lone "None" stays; enabling the TPG turns it into "CHAP". */
	if (!none || len == 4)
		return;
	/* Remove "None" and the comma after it (or, if last, before it). */
	if (none[4] == ',')
		memmove(none, none + 5, strlen(none + 5) + 1);
	else
		none[-1] = '\0';
}

/* "tpgt_N", N a decimal 16-bit portal group tag (0 allowed, as in LIO). */
static int kitt_parse_tpgt(const char *name, u16 *tag)
{
	unsigned long v;

	if (strncmp(name, "tpgt_", 5) || !isdigit(name[5]))
		return -EINVAL;
	if (kstrtoul(name + 5, 10, &v) || v > U16_MAX)
		return -EINVAL;
	*tag = (u16)v;
	return 0;
}

struct se_portal_group *kitt_make_tpg(struct se_wwn *wwn, const char *name)
{
	struct kitt_tiqn *tiqn = container_of(wwn, struct kitt_tiqn, wwn);
	struct kitt_tpg *tpg;
	u16 tag;
	int ret;

	if (kitt_parse_tpgt(name, &tag)) {
		pr_warn_ratelimited("invalid TPG name \"%s\": want tpgt_0 .. tpgt_65535\n",
				    name);
		return ERR_PTR(-EINVAL);
	}
	tpg = kzalloc(sizeof(*tpg), GFP_KERNEL);
	if (!tpg)
		return ERR_PTR(-ENOMEM);
	tpg->tiqn = tiqn;
	tpg->tag = tag;
	mutex_init(&tpg->lock);
	INIT_LIST_HEAD(&tpg->tpg_nps);
	INIT_LIST_HEAD(&tpg->sessions);
	init_waitqueue_head(&tpg->users_wq);
	kitt_tpg_attrib_init(&tpg->attrib);
	kitt_key_values_init(&tpg->params);

	ret = core_tpg_register(wwn, &tpg->se_tpg, SCSI_PROTOCOL_ISCSI);
	if (ret) {
		kfree(tpg);
		return ERR_PTR(ret);
	}
	mutex_lock(&tiqn->tpgs_lock);
	list_add_tail(&tpg->tiqn_entry, &tiqn->tpgs);
	mutex_unlock(&tiqn->tpgs_lock);
	return &tpg->se_tpg;
}

void kitt_drop_tpg(struct se_portal_group *se_tpg)
{
	struct kitt_tpg *tpg = kitt_tpg(se_tpg);

	/* configfs removed every np/ and acls/ entry before this. */
	WARN_ON(!list_empty(&tpg->tpg_nps));
	kitt_tpg_close_sessions(tpg);
	/* A login holding the TPG ends within the login timeout. */
	wait_event(tpg->users_wq, !atomic_read(&tpg->users));
	mutex_lock(&tpg->tiqn->tpgs_lock);
	list_del(&tpg->tiqn_entry);
	mutex_unlock(&tpg->tiqn->tpgs_lock);
	core_tpg_deregister(se_tpg);
	kfree(tpg);
}

/*
 * The core sets se_tpg->enabled after this returns. Enabling with
 * authentication on makes AuthMethod demand CHAP (as iscsi_target_mod
 * does); disabling will close the TPG's sessions once there are any.
 */
int kitt_enable_tpg(struct se_portal_group *se_tpg, bool enable)
{
	struct kitt_tpg *tpg = kitt_tpg(se_tpg);

	if (!enable) {
		kitt_tpg_close_sessions(tpg);
		return 0;
	}
	mutex_lock(&tpg->lock);
	tpg->closing = false;
	if (tpg->attrib.authentication) {
		if (!strcmp(tpg->params.v[KITT_KEY_AUTH_METHOD], "None"))
			strscpy(tpg->params.v[KITT_KEY_AUTH_METHOD], "CHAP",
				KITT_KEY_VALUE_MAX + 1);
		kitt_tpg_auth_method_follow(tpg);
	}
	mutex_unlock(&tpg->lock);
	return 0;
}

/* Does @tpg have a portal served by @portal? */
static bool kitt_tpg_has_portal(struct kitt_tpg *tpg, struct kitt_portal *portal)
{
	struct kitt_tpg_np *tnp;
	bool found = false;

	mutex_lock(&tpg->lock);
	list_for_each_entry(tnp, &tpg->tpg_nps, tpg_entry)
		found |= tnp->portal == portal;
	mutex_unlock(&tpg->lock);
	return found;
}

/*
 * The enabled TPG of target @target_name reachable through @portal, with a
 * user count held (kitt_tpg_put), or NULL.
 */
struct kitt_tpg *kitt_tpg_get_for_login(const char *target_name,
					struct kitt_portal *portal)
{
	struct kitt_tpg *tpg, *found = NULL;
	struct kitt_tiqn *tiqn;

	mutex_lock(&kitt_tiqns_lock);
	list_for_each_entry(tiqn, &kitt_tiqns, entry) {
		if (strcmp(tiqn->name, target_name))
			continue;
		mutex_lock(&tiqn->tpgs_lock);
		list_for_each_entry(tpg, &tiqn->tpgs, tiqn_entry) {
			if (READ_ONCE(tpg->se_tpg.enabled) &&
			    kitt_tpg_has_portal(tpg, portal)) {
				atomic_inc(&tpg->users);
				found = tpg;
				break;
			}
		}
		mutex_unlock(&tiqn->tpgs_lock);
		break;
	}
	mutex_unlock(&kitt_tiqns_lock);
	return found;
}

void kitt_tpg_put(struct kitt_tpg *tpg)
{
	if (atomic_dec_and_test(&tpg->users))
		wake_up(&tpg->users_wq);
}
