// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only statistics under configfs fabric_statistics: per target the
 * instance, session-error, target-attribute, login and logout groups, and
 * per ACL its session's counters. Names and formats are iscsi_target_mod's.
 */
#include <linux/configfs.h>
#include <linux/sysfs.h>

#include "kitt/kitt.h"

#define KITT_STATS_VERSION	"v" KITT_VERSION

static struct kitt_tiqn *kitt_stat_tiqn(struct config_item *item,
					size_t offset)
{
	return (struct kitt_tiqn *)((char *)to_config_group(item) - offset);
}

#define TIQN(item, group) \
	kitt_stat_tiqn(item, offsetof(struct kitt_tiqn, group))

/* An attribute printing a u32 expression of struct kitt_tiqn *t. */
#define KITT_STAT_U32(grp, name, group, expr)					\
static ssize_t kitt_stat_##grp##_##name##_show(struct config_item *item,	\
					       char *page)			\
{										\
	struct kitt_tiqn *t __maybe_unused = TIQN(item, group);		\
	return sysfs_emit(page, "%u\n", (u32)(expr));				\
}										\
CONFIGFS_ATTR_RO(kitt_stat_##grp##_, name)

#define KITT_STAT_STR(grp, name, str)						\
static ssize_t kitt_stat_##grp##_##name##_show(struct config_item *item,	\
					       char *page)			\
{										\
	return sysfs_emit(page, "%s\n", str);					\
}										\
CONFIGFS_ATTR_RO(kitt_stat_##grp##_, name)

static u32 kitt_tiqn_portal_count(struct kitt_tiqn *t)
{
	struct kitt_tpg_np *tnp;
	struct kitt_tpg *tpg;
	u32 n = 0;

	mutex_lock(&t->tpgs_lock);
	list_for_each_entry(tpg, &t->tpgs, tiqn_entry) {
		mutex_lock(&tpg->lock);
		list_for_each_entry(tnp, &tpg->tpg_nps, tpg_entry)
			n++;
		mutex_unlock(&tpg->lock);
	}
	mutex_unlock(&t->tpgs_lock);
	return n;
}

/* ---- iscsi_instance ---- */
KITT_STAT_U32(inst, inst, stat_instance_group, t->index);
KITT_STAT_U32(inst, min_ver, stat_instance_group, 0);
KITT_STAT_U32(inst, max_ver, stat_instance_group, 0);
KITT_STAT_U32(inst, portals, stat_instance_group, kitt_tiqn_portal_count(t));
KITT_STAT_U32(inst, nodes, stat_instance_group, 1);
KITT_STAT_U32(inst, sessions, stat_instance_group,
	      atomic_read(&t->stats.sessions));
KITT_STAT_U32(inst, fail_sess, stat_instance_group,
	      atomic_read(&t->stats.digest_errors) +
	      atomic_read(&t->stats.cxn_errors) +
	      atomic_read(&t->stats.format_errors));
KITT_STAT_U32(inst, fail_type, stat_instance_group, 0);
KITT_STAT_STR(inst, fail_rem_name, "None");
KITT_STAT_U32(inst, disc_time, stat_instance_group, 0);
KITT_STAT_STR(inst, description, "kitt iSCSI Target");
KITT_STAT_STR(inst, vendor, "kitt");
KITT_STAT_STR(inst, version, KITT_STATS_VERSION);

static struct configfs_attribute *kitt_stat_inst_attrs[] = {
	&kitt_stat_inst_attr_inst, &kitt_stat_inst_attr_min_ver,
	&kitt_stat_inst_attr_max_ver, &kitt_stat_inst_attr_portals,
	&kitt_stat_inst_attr_nodes, &kitt_stat_inst_attr_sessions,
	&kitt_stat_inst_attr_fail_sess, &kitt_stat_inst_attr_fail_type,
	&kitt_stat_inst_attr_fail_rem_name, &kitt_stat_inst_attr_disc_time,
	&kitt_stat_inst_attr_description, &kitt_stat_inst_attr_vendor,
	&kitt_stat_inst_attr_version, NULL,
};

/* ---- iscsi_sess_err ---- */
KITT_STAT_U32(serr, inst, stat_sess_err_group, t->index);
KITT_STAT_U32(serr, digest_errors, stat_sess_err_group,
	      atomic_read(&t->stats.digest_errors));
KITT_STAT_U32(serr, cxn_errors, stat_sess_err_group,
	      atomic_read(&t->stats.cxn_errors));
KITT_STAT_U32(serr, format_errors, stat_sess_err_group,
	      atomic_read(&t->stats.format_errors));

static struct configfs_attribute *kitt_stat_serr_attrs[] = {
	&kitt_stat_serr_attr_inst, &kitt_stat_serr_attr_digest_errors,
	&kitt_stat_serr_attr_cxn_errors, &kitt_stat_serr_attr_format_errors,
	NULL,
};

/* ---- iscsi_tgt_attr ---- */
static u32 kitt_login_fails(struct kitt_tiqn *t)
{
	return atomic_read(&t->stats.login_redirects) +
	       atomic_read(&t->stats.login_authorize_fails) +
	       atomic_read(&t->stats.login_authenticate_fails) +
	       atomic_read(&t->stats.login_negotiate_fails) +
	       atomic_read(&t->stats.login_other_fails);
}

KITT_STAT_U32(tgt, inst, stat_tgt_attr_group, t->index);
KITT_STAT_U32(tgt, indx, stat_tgt_attr_group, 1);
KITT_STAT_U32(tgt, login_fails, stat_tgt_attr_group, kitt_login_fails(t));
KITT_STAT_U32(tgt, last_fail_time, stat_tgt_attr_group, 0);
KITT_STAT_U32(tgt, last_fail_type, stat_tgt_attr_group, 0);
KITT_STAT_STR(tgt, fail_intr_name, "None");
KITT_STAT_STR(tgt, fail_intr_addr_type, "ipv4");
/* iscsi_target_mod shows this for "no failure yet"; tools may expect it. */
KITT_STAT_STR(tgt, fail_intr_addr, "(einval)");

static struct configfs_attribute *kitt_stat_tgt_attrs[] = {
	&kitt_stat_tgt_attr_inst, &kitt_stat_tgt_attr_indx,
	&kitt_stat_tgt_attr_login_fails, &kitt_stat_tgt_attr_last_fail_time,
	&kitt_stat_tgt_attr_last_fail_type, &kitt_stat_tgt_attr_fail_intr_name,
	&kitt_stat_tgt_attr_fail_intr_addr_type,
	&kitt_stat_tgt_attr_fail_intr_addr, NULL,
};

/* ---- iscsi_login_stats ---- */
KITT_STAT_U32(login, inst, stat_login_group, t->index);
KITT_STAT_U32(login, indx, stat_login_group, 1);
KITT_STAT_U32(login, accepts, stat_login_group,
	      atomic_read(&t->stats.login_accepts));
KITT_STAT_U32(login, other_fails, stat_login_group,
	      atomic_read(&t->stats.login_other_fails));
KITT_STAT_U32(login, redirects, stat_login_group,
	      atomic_read(&t->stats.login_redirects));
KITT_STAT_U32(login, authorize_fails, stat_login_group,
	      atomic_read(&t->stats.login_authorize_fails));
KITT_STAT_U32(login, authenticate_fails, stat_login_group,
	      atomic_read(&t->stats.login_authenticate_fails));
KITT_STAT_U32(login, negotiate_fails, stat_login_group,
	      atomic_read(&t->stats.login_negotiate_fails));

static struct configfs_attribute *kitt_stat_login_attrs[] = {
	&kitt_stat_login_attr_inst, &kitt_stat_login_attr_indx,
	&kitt_stat_login_attr_accepts, &kitt_stat_login_attr_other_fails,
	&kitt_stat_login_attr_redirects, &kitt_stat_login_attr_authorize_fails,
	&kitt_stat_login_attr_authenticate_fails,
	&kitt_stat_login_attr_negotiate_fails, NULL,
};

/* ---- iscsi_logout_stats ---- */
KITT_STAT_U32(logout, inst, stat_logout_group, t->index);
KITT_STAT_U32(logout, indx, stat_logout_group, 1);
KITT_STAT_U32(logout, normal_logouts, stat_logout_group,
	      atomic_read(&t->stats.normal_logouts));
KITT_STAT_U32(logout, abnormal_logouts, stat_logout_group,
	      atomic_read(&t->stats.abnormal_logouts));

static struct configfs_attribute *kitt_stat_logout_attrs[] = {
	&kitt_stat_logout_attr_inst, &kitt_stat_logout_attr_indx,
	&kitt_stat_logout_attr_normal_logouts,
	&kitt_stat_logout_attr_abnormal_logouts, NULL,
};

static const struct config_item_type kitt_stat_inst_cit = {
	.ct_attrs = kitt_stat_inst_attrs, .ct_owner = THIS_MODULE,
};

static const struct config_item_type kitt_stat_serr_cit = {
	.ct_attrs = kitt_stat_serr_attrs, .ct_owner = THIS_MODULE,
};

static const struct config_item_type kitt_stat_tgt_cit = {
	.ct_attrs = kitt_stat_tgt_attrs, .ct_owner = THIS_MODULE,
};

static const struct config_item_type kitt_stat_login_cit = {
	.ct_attrs = kitt_stat_login_attrs, .ct_owner = THIS_MODULE,
};

static const struct config_item_type kitt_stat_logout_cit = {
	.ct_attrs = kitt_stat_logout_attrs, .ct_owner = THIS_MODULE,
};

static void kitt_add_stat_group(struct config_group *group, const char *name,
				const struct config_item_type *cit,
				struct config_group *parent)
{
	config_group_init_type_name(group, name, cit);
	configfs_add_default_group(group, parent);
}

void kitt_add_wwn_groups(struct se_wwn *wwn)
{
	struct kitt_tiqn *t = container_of(wwn, struct kitt_tiqn, wwn);
	struct config_group *parent = &wwn->fabric_stat_group;

	kitt_add_stat_group(&t->stat_instance_group, "iscsi_instance",
			    &kitt_stat_inst_cit, parent);
	kitt_add_stat_group(&t->stat_sess_err_group, "iscsi_sess_err",
			    &kitt_stat_serr_cit, parent);
	kitt_add_stat_group(&t->stat_tgt_attr_group, "iscsi_tgt_attr",
			    &kitt_stat_tgt_cit, parent);
	kitt_add_stat_group(&t->stat_login_group, "iscsi_login_stats",
			    &kitt_stat_login_cit, parent);
	kitt_add_stat_group(&t->stat_logout_group, "iscsi_logout_stats",
			    &kitt_stat_logout_cit, parent);
}

/* ---- acls/NAME/fabric_statistics/iscsi_sess_stats ---- */

static struct kitt_nacl *kitt_stat_nacl(struct config_item *item)
{
	return container_of(to_config_group(item), struct kitt_nacl,
			    stat_sess_group);
}

static ssize_t kitt_stat_sess_inst_show(struct config_item *item, char *page)
{
	struct se_portal_group *se_tpg = kitt_stat_nacl(item)->se_nacl.se_tpg;

	return sysfs_emit(page, "%u\n", kitt_tpg(se_tpg)->tiqn->index);
}
CONFIGFS_ATTR_RO(kitt_stat_sess_, inst);

/* Without a session these print nothing, as in iscsi_target_mod. */
#define KITT_STAT_SESS(name)							\
static ssize_t kitt_stat_sess_##name##_show(struct config_item *item,	\
					    char *page)				\
{										\
	return 0;								\
}										\
CONFIGFS_ATTR_RO(kitt_stat_sess_, name)

KITT_STAT_SESS(node);
KITT_STAT_SESS(indx);
KITT_STAT_SESS(cmd_pdus);
KITT_STAT_SESS(rsp_pdus);
KITT_STAT_SESS(txdata_octs);
KITT_STAT_SESS(rxdata_octs);
KITT_STAT_SESS(conn_digest_errors);
KITT_STAT_SESS(conn_timeout_errors);

static struct configfs_attribute *kitt_stat_sess_attrs[] = {
	&kitt_stat_sess_attr_inst, &kitt_stat_sess_attr_node,
	&kitt_stat_sess_attr_indx, &kitt_stat_sess_attr_cmd_pdus,
	&kitt_stat_sess_attr_rsp_pdus, &kitt_stat_sess_attr_txdata_octs,
	&kitt_stat_sess_attr_rxdata_octs,
	&kitt_stat_sess_attr_conn_digest_errors,
	&kitt_stat_sess_attr_conn_timeout_errors, NULL,
};

static const struct config_item_type kitt_stat_sess_cit = {
	.ct_attrs = kitt_stat_sess_attrs, .ct_owner = THIS_MODULE,
};

void kitt_add_nacl_groups(struct kitt_nacl *nacl)
{
	kitt_add_stat_group(&nacl->stat_sess_group, "iscsi_sess_stats",
			    &kitt_stat_sess_cit,
			    &nacl->se_nacl.acl_fabric_stat_group);
}
