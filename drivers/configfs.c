// SPDX-License-Identifier: GPL-2.0
/*
 * The fabric template and its configfs tree operations: targets (WWNs),
 * network portals and ACLs. Attributes live in configfs_attrs.c.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "kitt/compat.h"
#include "kitt/conn.h"
#include "kitt/kitt.h"

/* Instance indexes shown in statistics: lowest free first, as in LIO. */
static DEFINE_IDA(kitt_tiqn_ida);

/* Every target, for login and SendTargets. */
LIST_HEAD(kitt_tiqns);
/*
 * Protects kitt_tiqns, kitt_tiqn_seq and every kitt_tiqn.entry and .seq;
 * taken before any kitt_tiqn.tpgs_lock.
 */
DEFINE_MUTEX(kitt_tiqns_lock);
/* The next target's kitt_tiqn.seq: never reused. */
static u64 kitt_tiqn_seq;

/*
 * RFC 7143 §4.2.7: "iqn." / "eui." / "naa." names of at most 223 bytes.
 * The target core lower-cases nothing; neither do we.
 */
static bool kitt_valid_node_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > KITT_NAME_MAX)
		return false;
	return !strncmp(name, "iqn.", 4) || !strncmp(name, "eui.", 4) ||
	       !strncmp(name, "naa.", 4);
}

struct se_wwn *kitt_make_tiqn(struct target_fabric_configfs *tf,
			      struct config_group *group, const char *name)
{
	struct kitt_tiqn *tiqn;
	int index;

	if (!kitt_valid_node_name(name)) {
		pr_warn_ratelimited("invalid target name \"%.*s\": want iqn., eui. or naa., at most %d bytes\n",
				    KITT_NAME_MAX, name, KITT_NAME_MAX);
		return ERR_PTR(-EINVAL);
	}
	tiqn = kzalloc(sizeof(*tiqn), GFP_KERNEL);
	if (!tiqn)
		return ERR_PTR(-ENOMEM);
	index = ida_alloc(&kitt_tiqn_ida, GFP_KERNEL);
	if (index < 0) {
		kfree(tiqn);
		return ERR_PTR(index);
	}
	tiqn->index = index;
	strscpy(tiqn->name, name, sizeof(tiqn->name));
	kref_init(&tiqn->ref);
	mutex_init(&tiqn->tpgs_lock);
	INIT_LIST_HEAD(&tiqn->tpgs);
	mutex_lock(&kitt_tiqns_lock);
	tiqn->seq = kitt_tiqn_seq++;
	list_add_tail(&tiqn->entry, &kitt_tiqns);
	mutex_unlock(&kitt_tiqns_lock);
	return &tiqn->wwn;
}

static void kitt_tiqn_free(struct kref *ref)
{
	kfree(container_of(ref, struct kitt_tiqn, ref));
}

void kitt_tiqn_put(struct kitt_tiqn *tiqn)
{
	kref_put(&tiqn->ref, kitt_tiqn_free);
}

/*
 * Off the list at once; freed when a SendTargets walk standing on it (if
 * any) moves on. Its TPGs are gone already (configfs removes them first).
 */
void kitt_drop_tiqn(struct se_wwn *wwn)
{
	struct kitt_tiqn *tiqn = container_of(wwn, struct kitt_tiqn, wwn);

	mutex_lock(&kitt_tiqns_lock);
	list_del_init(&tiqn->entry);
	mutex_unlock(&kitt_tiqns_lock);
	ida_free(&kitt_tiqn_ida, tiqn->index);
	kitt_tiqn_put(tiqn);
}

/* The first target made after @prev (any target if NULL), or NULL. */
static struct kitt_tiqn *kitt_tiqn_after(struct kitt_tiqn *prev)
{
	struct kitt_tiqn *t;

	lockdep_assert_held(&kitt_tiqns_lock);
	/* Still listed: its successor; removed: the first one made later. */
	if (prev && !list_empty(&prev->entry)) {
		if (list_is_last(&prev->entry, &kitt_tiqns))
			return NULL;
		return list_next_entry(prev, entry);
	}
	list_for_each_entry(t, &kitt_tiqns, entry)
		if (!prev || t->seq > prev->seq)
			return t;
	return NULL;
}

/*
 * Walk the targets without holding kitt_tiqns_lock between steps: the
 * target after @prev (the first if @prev is NULL) with a reference held,
 * or NULL at the end; the reference on @prev is dropped. Each target
 * listed for the whole walk is visited once; one removed meanwhile may
 * be missed, one made meanwhile may be seen.
 */
struct kitt_tiqn *kitt_tiqn_next(struct kitt_tiqn *prev)
{
	struct kitt_tiqn *next;

	mutex_lock(&kitt_tiqns_lock);
	next = kitt_tiqn_after(prev);
	if (next)
		kref_get(&next->ref);
	mutex_unlock(&kitt_tiqns_lock);
	if (prev)
		kitt_tiqn_put(prev);
	return next;
}

/* Does any TPG of @tiqn already have a portal at @addr? */
static bool kitt_tiqn_has_portal(struct kitt_tiqn *tiqn,
				 const struct kitt_netaddr *addr)
{
	struct kitt_tpg_np *tnp;
	struct kitt_tpg *tpg;
	bool found = false;

	lockdep_assert_held(&tiqn->tpgs_lock);
	list_for_each_entry(tpg, &tiqn->tpgs, tiqn_entry) {
		mutex_lock(&tpg->lock);
		list_for_each_entry(tnp, &tpg->tpg_nps, tpg_entry)
			found |= kitt_netaddr_equal(&tnp->portal->addr, addr);
		mutex_unlock(&tpg->lock);
	}
	return found;
}

/*
 * np/IP:PORT. One target may use an address once (as with LIO: a login
 * could not tell its TPGs apart); different targets share the listener.
 */
struct se_tpg_np *kitt_make_np(struct se_portal_group *se_tpg,
			       struct config_group *group, const char *name)
{
	struct kitt_tpg *tpg = kitt_tpg(se_tpg);
	struct kitt_tiqn *tiqn = tpg->tiqn;
	struct kitt_portal *portal;
	struct kitt_netaddr addr;
	struct kitt_tpg_np *tnp;
	int ret;

	if (kitt_netaddr_parse(name, strlen(name), &addr)) {
		pr_warn_ratelimited("invalid portal \"%.*s\": want IPv4:PORT or [IPv6]:PORT\n",
				    KITT_NETADDR_STR_MAX, name);
		return ERR_PTR(-EINVAL);
	}
	tnp = kzalloc(sizeof(*tnp), GFP_KERNEL);
	if (!tnp)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&tiqn->tpgs_lock);
	if (kitt_tiqn_has_portal(tiqn, &addr)) {
		pr_warn_ratelimited("portal %s already used by target %s\n",
				    name, tiqn->name);
		ret = -EEXIST;
		goto out_unlock;
	}
	portal = kitt_portal_get(&addr);
	if (IS_ERR(portal)) {
		ret = PTR_ERR(portal);
		goto out_unlock;
	}
	tnp->tpg = tpg;
	tnp->portal = portal;
	mutex_lock(&tpg->lock);
	list_add_tail(&tnp->tpg_entry, &tpg->tpg_nps);
	mutex_unlock(&tpg->lock);
	mutex_unlock(&tiqn->tpgs_lock);
	return &tnp->se_tpg_np;

out_unlock:
	mutex_unlock(&tiqn->tpgs_lock);
	kfree(tnp);
	return ERR_PTR(ret);
}

void kitt_drop_np(struct se_tpg_np *se_tpg_np)
{
	struct kitt_tpg_np *tnp = container_of(se_tpg_np, struct kitt_tpg_np,
					       se_tpg_np);
	struct kitt_tpg *tpg = tnp->tpg;

	mutex_lock(&tpg->lock);
	list_del(&tnp->tpg_entry);
	mutex_unlock(&tpg->lock);
	kitt_portal_put(tnp->portal);
	kfree(tnp);
}

/* Explicit ACLs: the core already called set_default_node_attributes. */
int kitt_init_nodeacl(struct se_node_acl *se_nacl, const char *name)
{
	kitt_add_nacl_groups(kitt_nacl(se_nacl));
	return 0;
}

/* Every ACL, explicit or made by the core in demo mode, starts here. */
void kitt_set_default_node_attributes(struct se_node_acl *se_nacl)
{
	struct kitt_nacl *nacl = kitt_nacl(se_nacl);

	mutex_init(&nacl->lock);
	kitt_nacl_attrib_init(&nacl->attrib,
			      se_nacl->se_tpg ? kitt_tpg(se_nacl->se_tpg) : NULL);
}

/* ---- fabric callbacks the core needs even before there is I/O ---- */

static char *kitt_tpg_get_wwn(struct se_portal_group *se_tpg)
{
	return kitt_tpg(se_tpg)->tiqn->name;
}

static u16 kitt_tpg_get_tag(struct se_portal_group *se_tpg)
{
	return kitt_tpg(se_tpg)->tag;
}

static u32 kitt_tpg_get_default_depth(struct se_portal_group *se_tpg)
{
	return READ_ONCE(kitt_tpg(se_tpg)->attrib.default_cmdsn_depth);
}

static int kitt_tpg_check_demo_mode(struct se_portal_group *se_tpg)
{
	return READ_ONCE(kitt_tpg(se_tpg)->attrib.generate_node_acls);
}

static int kitt_tpg_check_demo_mode_cache(struct se_portal_group *se_tpg)
{
	return READ_ONCE(kitt_tpg(se_tpg)->attrib.cache_dynamic_acls);
}

static int kitt_tpg_check_demo_mode_write_protect(struct se_portal_group *se_tpg)
{
	return READ_ONCE(kitt_tpg(se_tpg)->attrib.demo_mode_write_protect);
}

static int kitt_tpg_check_prod_mode_write_protect(struct se_portal_group *se_tpg)
{
	return READ_ONCE(kitt_tpg(se_tpg)->attrib.prod_mode_write_protect);
}

static int kitt_tpg_check_prot_fabric_only(struct se_portal_group *se_tpg)
{
	struct kitt_tpg_attrib *a = &kitt_tpg(se_tpg)->attrib;

	/*
	 * fabric_prot_type counts only with t10_pi, as in iscsi_target_mod;
	 * kitt refuses non-zero values of both (no T10-PI), so this is 0.
	 */
	if (!READ_ONCE(a->t10_pi))
		return 0;
	return READ_ONCE(a->fabric_prot_type);
}

static u32 kitt_tpg_get_inst_index(struct se_portal_group *se_tpg)
{
	return kitt_tpg(se_tpg)->tiqn->index;
}

static u32 kitt_sess_get_index(struct se_session *se_sess)
{
	struct kitt_sess *sess = se_sess->fabric_sess_ptr;

	return sess->tsih;
}

/*
 * The ISID, as twelve hex digits: with the initiator name it makes the
 * iSCSI initiator port TransportID persistent reservations key on.
 */
static u32 kitt_sess_get_initiator_sid(struct se_session *se_sess,
				       unsigned char *buf, u32 size)
{
	struct kitt_sess *sess = se_sess->fabric_sess_ptr;

	return snprintf(buf, size, "%6phN", sess->isid);
}

/* The core drops the fabric's reference once a command is complete. */
static int kitt_check_stop_free(struct se_cmd *se_cmd)
{
	return target_put_sess_cmd(se_cmd);
}

const struct target_core_fabric_ops kitt_fabric_ops = {
	.module				= THIS_MODULE,
	/* configfs directory "iscsi"; "iSCSI" keeps LIO's ALUA/PR paths. */
	.fabric_alias			= "iscsi",
	.fabric_name			= "iSCSI",
	.node_acl_size			= sizeof(struct kitt_nacl),
	.tpg_get_wwn			= kitt_tpg_get_wwn,
	.tpg_get_tag			= kitt_tpg_get_tag,
	.tpg_get_default_depth		= kitt_tpg_get_default_depth,
	.tpg_check_demo_mode		= kitt_tpg_check_demo_mode,
	.tpg_check_demo_mode_cache	= kitt_tpg_check_demo_mode_cache,
	.tpg_check_demo_mode_write_protect =
		kitt_tpg_check_demo_mode_write_protect,
	.tpg_check_prod_mode_write_protect =
		kitt_tpg_check_prod_mode_write_protect,
	.tpg_check_prot_fabric_only	= kitt_tpg_check_prot_fabric_only,
	.tpg_get_inst_index		= kitt_tpg_get_inst_index,
	.check_stop_free		= kitt_check_stop_free,
	.release_cmd			= kitt_release_cmd,
	.close_session			= kitt_close_session,
	.sess_get_index			= kitt_sess_get_index,
	.sess_get_initiator_sid		= kitt_sess_get_initiator_sid,
	.write_pending			= kitt_write_pending,
	.set_default_node_attributes	= kitt_set_default_node_attributes,
	.get_cmd_state			= kitt_get_cmd_state,
	.queue_data_in			= kitt_queue_data_in,
	.queue_status			= kitt_queue_status,
	.queue_tm_rsp			= kitt_queue_tm_rsp,
	.aborted_task			= kitt_aborted_task,
	.fabric_make_wwn		= kitt_make_tiqn,
	.fabric_drop_wwn		= kitt_drop_tiqn,
	.add_wwn_groups			= kitt_add_wwn_groups,
	.fabric_make_tpg		= kitt_make_tpg,
	.fabric_enable_tpg		= kitt_enable_tpg,
	.fabric_drop_tpg		= kitt_drop_tpg,
	.fabric_make_np			= kitt_make_np,
	.fabric_drop_np			= kitt_drop_np,
	.fabric_init_nodeacl		= kitt_init_nodeacl,

	.tfc_discovery_attrs		= kitt_discovery_attrs,
	.tfc_wwn_attrs			= kitt_wwn_attrs,
	.tfc_tpg_base_attrs		= kitt_tpg_base_attrs,
	.tfc_tpg_np_base_attrs		= kitt_tpg_np_attrs,
	.tfc_tpg_attrib_attrs		= kitt_tpg_attrib_attrs,
	.tfc_tpg_auth_attrs		= kitt_tpg_auth_attrs,
	.tfc_tpg_param_attrs		= kitt_tpg_param_attrs,
	.tfc_tpg_nacl_base_attrs	= kitt_nacl_base_attrs,
	.tfc_tpg_nacl_attrib_attrs	= kitt_nacl_attrib_attrs,
	.tfc_tpg_nacl_auth_attrs	= kitt_nacl_auth_attrs,
	.tfc_tpg_nacl_param_attrs	= kitt_nacl_param_attrs,

	/* iSCSI must take all of a write's data before it may abort it. */
	.write_pending_must_be_called	= true,
	KITT_FABRIC_SUBMIT_OPS
};
