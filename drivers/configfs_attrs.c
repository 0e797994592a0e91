// SPDX-License-Identifier: GPL-2.0
/*
 * configfs attributes of the iscsi fabric. Names, formats, defaults and
 * validation match iscsi_target_mod's, because rtslib-fb and targetcli-fb
 * read and write them (see Documentation/admin-guide.rst).
 *
 * Every store parses the whole value, validates it, and only then changes
 * state: an invalid write returns -EINVAL and leaves the old value.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/kstrtox.h>
#include <linux/module.h>

#include "kitt/compat.h"
#include "kitt/conn.h"
#include "kitt/kitt.h"

/* Length of @page without one trailing newline. */
static size_t kitt_strip_nl(const char *page, size_t count)
{
	if (count && page[count - 1] == '\n')
		count--;
	return count;
}

static int kitt_store_u32(const char *page, u32 min, u32 max, u32 *out)
{
	u32 v;
	int ret;

	ret = kstrtou32(page, 0, &v);
	if (ret)
		return ret;
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* ---- fabric root: lio_version, cpus_allowed_list ---- */

static ssize_t kitt_wwn_lio_version_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", KITT_LIO_VERSION);
}
CONFIGFS_ATTR_RO(kitt_wwn_, lio_version);

/* The CPUs connections' io_work runs on (drivers/conn.c). */
static ssize_t kitt_wwn_cpus_allowed_list_show(struct config_item *item,
					       char *page)
{
	return kitt_allowed_cpus_show(page);
}

static ssize_t kitt_wwn_cpus_allowed_list_store(struct config_item *item,
						const char *page, size_t count)
{
	cpumask_var_t mask;
	int ret;

	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = cpulist_parse(page, mask);
	/* Empty, or naming a CPU that cannot exist: refused. */
	if (!ret)
		ret = kitt_allowed_cpus_set(mask);
	free_cpumask_var(mask);
	if (ret) {
		pr_warn_ratelimited("cpus_allowed_list: not a list of possible CPUs\n");
		return ret;
	}
	return count;
}
CONFIGFS_ATTR(kitt_wwn_, cpus_allowed_list);

struct configfs_attribute *kitt_wwn_attrs[] = {
	&kitt_wwn_attr_lio_version,
	&kitt_wwn_attr_cpus_allowed_list,
	NULL,
};

/* ---- CHAP credentials: discovery_auth, tpgt_N/auth, acls/X/auth ---- */

static ssize_t kitt_auth_show(struct mutex *lock, const char *str, char *page)
{
	ssize_t ret;

	mutex_lock(lock);
	ret = sysfs_emit(page, "%s\n", str);
	mutex_unlock(lock);
	return ret;
}

/*
 * A user name or secret: at most KITT_AUTH_STR_MAX bytes of printable
 * text (one trailing newline is dropped). A value starting with "NULL"
 * unsets it but, as in iscsi_target_mod, stays readable: rtslib writes
 * "NULL" to clear a credential and reads "NULL" back as empty.
 */
static ssize_t kitt_auth_store(struct mutex *lock, char *str, bool *have,
			       const char *page, size_t count)
{
	size_t len = kitt_strip_nl(page, count);
	size_t i;

	/* As iscsi_target_mod: the whole write, newline included, counts. */
	if (count > KITT_AUTH_STR_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isprint(page[i]))
			return -EINVAL;
	mutex_lock(lock);
	memcpy(str, page, len);
	str[len] = '\0';
	*have = strncmp(str, "NULL", 4) != 0;
	mutex_unlock(lock);
	return count;
}

static ssize_t kitt_auth_target_show(struct mutex *lock,
				     const struct kitt_auth *auth, char *page)
{
	ssize_t ret;

	mutex_lock(lock);
	ret = sysfs_emit(page, "%d\n",
			 auth->have_userid_mutual && auth->have_password_mutual);
	mutex_unlock(lock);
	return ret;
}

/* show/store for one credential of a container that has auth and lock. */
#define KITT_AUTH_ATTR(prefix, get, field)					\
static ssize_t prefix##field##_show(struct config_item *item, char *page)	\
{										\
	typeof(get(item)) c = get(item);					\
	return kitt_auth_show(&c->lock, c->auth.field, page);			\
}										\
static ssize_t prefix##field##_store(struct config_item *item,		\
				     const char *page, size_t count)		\
{										\
	typeof(get(item)) c = get(item);					\
	return kitt_auth_store(&c->lock, c->auth.field,			\
			       &c->auth.have_##field, page, count);		\
}										\
CONFIGFS_ATTR(prefix, field)

#define KITT_AUTH_ATTRS(prefix, get)						\
KITT_AUTH_ATTR(prefix, get, userid);						\
KITT_AUTH_ATTR(prefix, get, password);						\
KITT_AUTH_ATTR(prefix, get, userid_mutual);					\
KITT_AUTH_ATTR(prefix, get, password_mutual);					\
static ssize_t prefix##authenticate_target_show(struct config_item *item,	\
						char *page)			\
{										\
	typeof(get(item)) c = get(item);					\
	return kitt_auth_target_show(&c->lock, &c->auth, page);		\
}										\
CONFIGFS_ATTR_RO(prefix, authenticate_target)

static struct kitt_discovery *kitt_item_discovery(struct config_item *item)
{
	return &kitt_discovery;
}

static struct kitt_tpg *kitt_item_auth_tpg(struct config_item *item)
{
	return kitt_tpg(auth_to_tpg(item));
}

static struct kitt_nacl *kitt_item_auth_nacl(struct config_item *item)
{
	return kitt_nacl(auth_to_nacl(item));
}

KITT_AUTH_ATTRS(kitt_disc_, kitt_item_discovery);
KITT_AUTH_ATTRS(kitt_tpg_auth_, kitt_item_auth_tpg);
KITT_AUTH_ATTRS(kitt_nacl_auth_, kitt_item_auth_nacl);

static ssize_t kitt_disc_enforce_discovery_auth_show(struct config_item *item,
						     char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(kitt_discovery.enforce));
}

static ssize_t kitt_disc_enforce_discovery_auth_store(struct config_item *item,
						      const char *page,
						      size_t count)
{
	u32 v;
	int ret = kitt_store_u32(page, 0, 1, &v);

	if (ret)
		return ret;
	mutex_lock(&kitt_discovery.lock);
	WRITE_ONCE(kitt_discovery.enforce, v);
	mutex_unlock(&kitt_discovery.lock);
	return count;
}
CONFIGFS_ATTR(kitt_disc_, enforce_discovery_auth);

struct configfs_attribute *kitt_discovery_attrs[] = {
	&kitt_disc_attr_userid,
	&kitt_disc_attr_password,
	&kitt_disc_attr_userid_mutual,
	&kitt_disc_attr_password_mutual,
	&kitt_disc_attr_authenticate_target,
	&kitt_disc_attr_enforce_discovery_auth,
	NULL,
};

struct configfs_attribute *kitt_tpg_auth_attrs[] = {
	&kitt_tpg_auth_attr_userid,
	&kitt_tpg_auth_attr_password,
	&kitt_tpg_auth_attr_userid_mutual,
	&kitt_tpg_auth_attr_password_mutual,
	&kitt_tpg_auth_attr_authenticate_target,
	NULL,
};

struct configfs_attribute *kitt_nacl_auth_attrs[] = {
	&kitt_nacl_auth_attr_userid,
	&kitt_nacl_auth_attr_password,
	&kitt_nacl_auth_attr_userid_mutual,
	&kitt_nacl_auth_attr_password_mutual,
	&kitt_nacl_auth_attr_authenticate_target,
	NULL,
};

/* ---- tpgt_N/attrib ---- */

static int kitt_tpg_attrib_apply(struct kitt_tpg *tpg, u32 *field, u32 v);

/* Attributes whose values are 0/1 or a range; fabric_prot_type is special. */
#define KITT_TPG_ATTRIB(name, lo, hi)						\
static ssize_t kitt_tpg_attrib_##name##_show(struct config_item *item,	\
					     char *page)			\
{										\
	struct kitt_tpg *tpg = kitt_tpg(attrib_to_tpg(item));			\
	return sysfs_emit(page, "%u\n", READ_ONCE(tpg->attrib.name));		\
}										\
static ssize_t kitt_tpg_attrib_##name##_store(struct config_item *item,	\
					      const char *page, size_t count)	\
{										\
	struct kitt_tpg *tpg = kitt_tpg(attrib_to_tpg(item));			\
	u32 v;									\
	int ret = kitt_store_u32(page, lo, hi, &v);				\
										\
	if (!ret)								\
		ret = kitt_tpg_attrib_apply(tpg, &tpg->attrib.name, v);	\
	return ret ? ret : count;						\
}										\
CONFIGFS_ATTR(kitt_tpg_attrib_, name)

KITT_TPG_ATTRIB(authentication, 0, 1);
KITT_TPG_ATTRIB(login_timeout, 5, 30);
#if KITT_HAVE_NETIF_TIMEOUT
KITT_TPG_ATTRIB(netif_timeout, 2, 15);
#endif
KITT_TPG_ATTRIB(generate_node_acls, 0, 1);
KITT_TPG_ATTRIB(cache_dynamic_acls, 0, 1);
KITT_TPG_ATTRIB(default_cmdsn_depth, 1, KITT_CMDSN_DEPTH_MAX);
KITT_TPG_ATTRIB(demo_mode_write_protect, 0, 1);
KITT_TPG_ATTRIB(prod_mode_write_protect, 0, 1);
KITT_TPG_ATTRIB(demo_mode_discovery, 0, 1);
KITT_TPG_ATTRIB(default_erl, 0, 2);
KITT_TPG_ATTRIB(t10_pi, 0, 1);
KITT_TPG_ATTRIB(fabric_prot_type, 0, 3);
KITT_TPG_ATTRIB(tpg_enabled_sendtargets, 0, 1);
KITT_TPG_ATTRIB(login_keys_workaround, 0, 1);

/*
 * kitt carries no T10 protection information: its sessions offer the
 * core no protection operations, so t10_pi (iSER's PI offload in
 * iscsi_target_mod) and fabric_prot_type (PI a fabric generates for
 * devices without it) could only be stored and ignored. Their non-zero
 * values are refused.
 */
static bool kitt_tpg_attrib_honoured(const struct kitt_tpg_attrib *a,
				     const u32 *field, u32 v)
{
	if (!v)
		return true;
	if (field == &a->t10_pi) {
		pr_warn_ratelimited("t10_pi: kitt does no T10-PI; only 0 is supported\n");
		return false;
	}
	if (field == &a->fabric_prot_type) {
		pr_warn_ratelimited("fabric_prot_type: kitt does no T10-PI; only 0 is supported\n");
		return false;
	}
	return true;
}

/*
 * Store one attribute with the side effects iscsi_target_mod gives it
 * (rtslib restores attributes before parameters, so the saved AuthMethod
 * still wins over the rewrite done here).
 */
static int kitt_tpg_attrib_apply(struct kitt_tpg *tpg, u32 *field, u32 v)
{
	struct kitt_tpg_attrib *a = &tpg->attrib;

	if (!kitt_tpg_attrib_honoured(a, field, v))
		return -EINVAL;

	mutex_lock(&tpg->lock);
	if (field == &a->cache_dynamic_acls && !v && a->generate_node_acls) {
		/* Demo mode needs its dynamic ACLs cached: keep 1. */
		mutex_unlock(&tpg->lock);
		return 0;
	}
	WRITE_ONCE(*field, v);
	if (field == &a->generate_node_acls && v)
		WRITE_ONCE(a->cache_dynamic_acls, 1);
	if (field == &a->authentication)
		kitt_tpg_auth_method_follow(tpg);
	mutex_unlock(&tpg->lock);
	return 0;
}

struct configfs_attribute *kitt_tpg_attrib_attrs[] = {
	&kitt_tpg_attrib_attr_authentication,
	&kitt_tpg_attrib_attr_login_timeout,
#if KITT_HAVE_NETIF_TIMEOUT
	&kitt_tpg_attrib_attr_netif_timeout,
#endif
	&kitt_tpg_attrib_attr_generate_node_acls,
	&kitt_tpg_attrib_attr_cache_dynamic_acls,
	&kitt_tpg_attrib_attr_default_cmdsn_depth,
	&kitt_tpg_attrib_attr_demo_mode_write_protect,
	&kitt_tpg_attrib_attr_prod_mode_write_protect,
	&kitt_tpg_attrib_attr_demo_mode_discovery,
	&kitt_tpg_attrib_attr_default_erl,
	&kitt_tpg_attrib_attr_t10_pi,
	&kitt_tpg_attrib_attr_fabric_prot_type,
	&kitt_tpg_attrib_attr_tpg_enabled_sendtargets,
	&kitt_tpg_attrib_attr_login_keys_workaround,
	NULL,
};

/* ---- tpgt_N/param ---- */

static ssize_t kitt_tpg_param_show(struct config_item *item,
				   enum kitt_key_id id, char *page)
{
	struct kitt_tpg *tpg = kitt_tpg(param_to_tpg(item));
	ssize_t ret;

	mutex_lock(&tpg->lock);
	ret = sysfs_emit(page, "%s\n", tpg->params.v[id]);
	mutex_unlock(&tpg->lock);
	return ret;
}

static ssize_t kitt_tpg_param_store(struct config_item *item,
				    enum kitt_key_id id, const char *page,
				    size_t count)
{
	struct kitt_tpg *tpg = kitt_tpg(param_to_tpg(item));
	size_t len = count;
	int ret;

	/* One trailing white-space character goes (echo's newline). */
	if (count && isspace(page[count - 1]))
		count--;
	mutex_lock(&tpg->lock);
	ret = kitt_key_set(&tpg->params, id, page, count);
	mutex_unlock(&tpg->lock);
	if (ret) {
		pr_warn_ratelimited("invalid value for %s\n",
				    kitt_key_def(id)->name);
		return ret;
	}
	return len;
}

#define KITT_TPG_PARAM(name, id)						\
static ssize_t kitt_tpg_param_##name##_show(struct config_item *item,	\
					    char *page)				\
{										\
	return kitt_tpg_param_show(item, id, page);				\
}										\
static ssize_t kitt_tpg_param_##name##_store(struct config_item *item,	\
					     const char *page, size_t count)	\
{										\
	return kitt_tpg_param_store(item, id, page, count);			\
}										\
CONFIGFS_ATTR(kitt_tpg_param_, name)

KITT_TPG_PARAM(AuthMethod, KITT_KEY_AUTH_METHOD);
KITT_TPG_PARAM(HeaderDigest, KITT_KEY_HEADER_DIGEST);
KITT_TPG_PARAM(DataDigest, KITT_KEY_DATA_DIGEST);
KITT_TPG_PARAM(MaxConnections, KITT_KEY_MAX_CONNECTIONS);
KITT_TPG_PARAM(TargetAlias, KITT_KEY_TARGET_ALIAS);
KITT_TPG_PARAM(InitialR2T, KITT_KEY_INITIAL_R2T);
KITT_TPG_PARAM(ImmediateData, KITT_KEY_IMMEDIATE_DATA);
KITT_TPG_PARAM(MaxRecvDataSegmentLength, KITT_KEY_MAX_RECV_DSL);
KITT_TPG_PARAM(MaxXmitDataSegmentLength, KITT_KEY_MAX_XMIT_DSL);
KITT_TPG_PARAM(MaxBurstLength, KITT_KEY_MAX_BURST_LENGTH);
KITT_TPG_PARAM(FirstBurstLength, KITT_KEY_FIRST_BURST_LENGTH);
KITT_TPG_PARAM(DefaultTime2Wait, KITT_KEY_DEFAULT_TIME2WAIT);
KITT_TPG_PARAM(DefaultTime2Retain, KITT_KEY_DEFAULT_TIME2RETAIN);
KITT_TPG_PARAM(MaxOutstandingR2T, KITT_KEY_MAX_OUTSTANDING_R2T);
KITT_TPG_PARAM(DataPDUInOrder, KITT_KEY_DATA_PDU_IN_ORDER);
KITT_TPG_PARAM(DataSequenceInOrder, KITT_KEY_DATA_SEQUENCE_IN_ORDER);
KITT_TPG_PARAM(ErrorRecoveryLevel, KITT_KEY_ERROR_RECOVERY_LEVEL);
KITT_TPG_PARAM(IFMarker, KITT_KEY_IF_MARKER);
KITT_TPG_PARAM(OFMarker, KITT_KEY_OF_MARKER);
KITT_TPG_PARAM(IFMarkInt, KITT_KEY_IF_MARK_INT);
KITT_TPG_PARAM(OFMarkInt, KITT_KEY_OF_MARK_INT);

struct configfs_attribute *kitt_tpg_param_attrs[] = {
	&kitt_tpg_param_attr_AuthMethod,
	&kitt_tpg_param_attr_HeaderDigest,
	&kitt_tpg_param_attr_DataDigest,
	&kitt_tpg_param_attr_MaxConnections,
	&kitt_tpg_param_attr_TargetAlias,
	&kitt_tpg_param_attr_InitialR2T,
	&kitt_tpg_param_attr_ImmediateData,
	&kitt_tpg_param_attr_MaxRecvDataSegmentLength,
	&kitt_tpg_param_attr_MaxXmitDataSegmentLength,
	&kitt_tpg_param_attr_MaxBurstLength,
	&kitt_tpg_param_attr_FirstBurstLength,
	&kitt_tpg_param_attr_DefaultTime2Wait,
	&kitt_tpg_param_attr_DefaultTime2Retain,
	&kitt_tpg_param_attr_MaxOutstandingR2T,
	&kitt_tpg_param_attr_DataPDUInOrder,
	&kitt_tpg_param_attr_DataSequenceInOrder,
	&kitt_tpg_param_attr_ErrorRecoveryLevel,
	&kitt_tpg_param_attr_IFMarker,
	&kitt_tpg_param_attr_OFMarker,
	&kitt_tpg_param_attr_IFMarkInt,
	&kitt_tpg_param_attr_OFMarkInt,
	NULL,
};

/* ---- tpgt_N: dynamic_sessions (enable and rtpi come from the core) ---- */

static ssize_t kitt_tpg_dynamic_sessions_show(struct config_item *item,
					      char *page)
{
	return target_show_dynamic_sessions(to_tpg(item), page);
}
CONFIGFS_ATTR_RO(kitt_tpg_, dynamic_sessions);

struct configfs_attribute *kitt_tpg_base_attrs[] = {
	&kitt_tpg_attr_dynamic_sessions,
	NULL,
};

/* ---- np/IP:PORT: iser and cxgbit offloads, which kitt does not have ---- */

static ssize_t kitt_np_offload_store(const char *what, const char *page,
				     size_t count)
{
	u32 v;
	int ret = kitt_store_u32(page, 0, 1, &v);

	if (ret)
		return ret;
	if (v) {
		pr_warn_ratelimited("%s portals are not supported by kitt\n",
				    what);
		return -EOPNOTSUPP;
	}
	return count;
}

static ssize_t kitt_np_iser_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "0\n");
}

static ssize_t kitt_np_iser_store(struct config_item *item, const char *page,
				  size_t count)
{
	return kitt_np_offload_store("iSER", page, count);
}
CONFIGFS_ATTR(kitt_np_, iser);

static ssize_t kitt_np_cxgbit_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "0\n");
}

static ssize_t kitt_np_cxgbit_store(struct config_item *item,
				    const char *page, size_t count)
{
	return kitt_np_offload_store("cxgbit", page, count);
}
CONFIGFS_ATTR(kitt_np_, cxgbit);

struct configfs_attribute *kitt_tpg_np_attrs[] = {
	&kitt_np_attr_iser,
	&kitt_np_attr_cxgbit,
	NULL,
};

/* ---- acls/NAME: info, cmdsn_depth, tag ---- */

static ssize_t kitt_nacl_info_show(struct config_item *item, char *page)
{
	return kitt_nacl_info(acl_to_nacl(item), page);
}
CONFIGFS_ATTR_RO(kitt_nacl_, info);

static ssize_t kitt_nacl_cmdsn_depth_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", acl_to_nacl(item)->queue_depth);
}

static ssize_t kitt_nacl_cmdsn_depth_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct se_node_acl *se_nacl = acl_to_nacl(item);
	u32 v;
	int ret = kitt_store_u32(page, 1, KITT_CMDSN_DEPTH_MAX, &v);

	if (ret)
		return ret;
	ret = core_tpg_set_initiator_node_queue_depth(se_nacl, v);
	return ret ? ret : count;
}
CONFIGFS_ATTR(kitt_nacl_, cmdsn_depth);

static ssize_t kitt_nacl_tag_show(struct config_item *item, char *page)
{
	return snprintf(page, PAGE_SIZE, "%s", acl_to_nacl(item)->acl_tag);
}

static ssize_t kitt_nacl_tag_store(struct config_item *item, const char *page,
				   size_t count)
{
	struct se_node_acl *se_nacl = acl_to_nacl(item);
	int ret = core_tpg_set_initiator_node_tag(se_nacl->se_tpg, se_nacl,
						  page);

	return ret < 0 ? ret : count;
}
CONFIGFS_ATTR(kitt_nacl_, tag);

struct configfs_attribute *kitt_nacl_base_attrs[] = {
	&kitt_nacl_attr_info,
	&kitt_nacl_attr_cmdsn_depth,
	&kitt_nacl_attr_tag,
	NULL,
};

/* ---- acls/NAME/attrib ---- */

static bool kitt_nacl_attrib_valid(const struct kitt_nacl_attrib *a,
				   const u32 *field, u32 v);

#define KITT_NACL_ATTRIB(name, lo, hi)						\
static ssize_t kitt_nacl_attrib_##name##_show(struct config_item *item,	\
					      char *page)			\
{										\
	struct kitt_nacl *nacl = kitt_nacl(attrib_to_nacl(item));		\
	return sysfs_emit(page, "%u\n", READ_ONCE(nacl->attrib.name));	\
}										\
static ssize_t kitt_nacl_attrib_##name##_store(struct config_item *item,	\
					       const char *page, size_t count)	\
{										\
	struct kitt_nacl *nacl = kitt_nacl(attrib_to_nacl(item));		\
	u32 v;									\
	int ret = kitt_store_u32(page, lo, hi, &v);				\
										\
	if (!ret && !kitt_nacl_attrib_valid(&nacl->attrib,			\
					   &nacl->attrib.name, v))		\
		ret = -EINVAL;							\
	if (ret)								\
		return ret;							\
	mutex_lock(&nacl->lock);						\
	WRITE_ONCE(nacl->attrib.name, v);					\
	mutex_unlock(&nacl->lock);						\
	return count;								\
}										\
CONFIGFS_ATTR(kitt_nacl_attrib_, name)

KITT_NACL_ATTRIB(dataout_timeout, 2, 60);
KITT_NACL_ATTRIB(dataout_timeout_retries, 1, 15);
KITT_NACL_ATTRIB(default_erl, 0, 2);
/* 0 turns NOP-In pings off; otherwise 3..60 s. */
KITT_NACL_ATTRIB(nopin_timeout, 0, 60);
KITT_NACL_ATTRIB(nopin_response_timeout, 3, 60);
KITT_NACL_ATTRIB(random_datain_pdu_offsets, 0, 1);
KITT_NACL_ATTRIB(random_datain_seq_offsets, 0, 1);
KITT_NACL_ATTRIB(random_r2t_offsets, 0, 1);

/* -1: the TPG's authentication attribute decides; 0 or 1 overrides it. */
static ssize_t kitt_nacl_attrib_authentication_show(struct config_item *item,
						    char *page)
{
	struct kitt_nacl *nacl = kitt_nacl(attrib_to_nacl(item));

	return sysfs_emit(page, "%d\n", READ_ONCE(nacl->attrib.authentication));
}

static ssize_t kitt_nacl_attrib_authentication_store(struct config_item *item,
						     const char *page,
						     size_t count)
{
	struct kitt_nacl *nacl = kitt_nacl(attrib_to_nacl(item));
	s32 v;
	int ret = kstrtos32(page, 0, &v);

	if (ret)
		return ret;
	if (v < -1 || v > 1)
		return -EINVAL;
	WRITE_ONCE(nacl->attrib.authentication, v);
	return count;
}
CONFIGFS_ATTR(kitt_nacl_attrib_, authentication);

/*
 * The random_* offsets only matter to a session that negotiated
 * DataPDUInOrder=No or DataSequenceInOrder=No; kitt always negotiates
 * Yes for both and moves data in order, so only 0 is accepted.
 */
static bool kitt_nacl_attrib_valid(const struct kitt_nacl_attrib *a,
				   const u32 *field, u32 v)
{
	/* Only nopin_timeout has a hole in its range: 1 and 2 are refused. */
	if (field == &a->nopin_timeout)
		return v == 0 || v >= 3;
	if (v && (field == &a->random_datain_pdu_offsets ||
		  field == &a->random_datain_seq_offsets ||
		  field == &a->random_r2t_offsets)) {
		pr_warn_ratelimited("random_*_offsets: kitt keeps data in order; only 0 is supported\n");
		return false;
	}
	return true;
}

struct configfs_attribute *kitt_nacl_attrib_attrs[] = {
	&kitt_nacl_attrib_attr_authentication,
	&kitt_nacl_attrib_attr_dataout_timeout,
	&kitt_nacl_attrib_attr_dataout_timeout_retries,
	&kitt_nacl_attrib_attr_default_erl,
	&kitt_nacl_attrib_attr_nopin_timeout,
	&kitt_nacl_attrib_attr_nopin_response_timeout,
	&kitt_nacl_attrib_attr_random_datain_pdu_offsets,
	&kitt_nacl_attrib_attr_random_datain_seq_offsets,
	&kitt_nacl_attrib_attr_random_r2t_offsets,
	NULL,
};

/* ---- acls/NAME/param: the values negotiated by the active session ---- */

#define KITT_NACL_PARAM(name, field)							\
static ssize_t kitt_nacl_param_##name##_show(struct config_item *item,	\
					     char *page)			\
{										\
	struct kitt_sess_params p;						\
										\
	if (!kitt_nacl_sess_params(param_to_nacl(item), &p))			\
		return sysfs_emit(page, "No Active iSCSI Session\n");		\
	return sysfs_emit(page, "%u\n", (u32)p.field);			\
}										\
CONFIGFS_ATTR_RO(kitt_nacl_param_, name)

KITT_NACL_PARAM(MaxConnections, max_connections);
KITT_NACL_PARAM(InitialR2T, initial_r2t);
KITT_NACL_PARAM(ImmediateData, immediate_data);
KITT_NACL_PARAM(MaxBurstLength, max_burst_length);
KITT_NACL_PARAM(FirstBurstLength, first_burst_length);
KITT_NACL_PARAM(DefaultTime2Wait, default_time2wait);
KITT_NACL_PARAM(DefaultTime2Retain, default_time2retain);
KITT_NACL_PARAM(MaxOutstandingR2T, max_outstanding_r2t);
KITT_NACL_PARAM(DataPDUInOrder, data_pdu_in_order);
KITT_NACL_PARAM(DataSequenceInOrder, data_sequence_in_order);
KITT_NACL_PARAM(ErrorRecoveryLevel, error_recovery_level);

struct configfs_attribute *kitt_nacl_param_attrs[] = {
	&kitt_nacl_param_attr_MaxConnections,
	&kitt_nacl_param_attr_InitialR2T,
	&kitt_nacl_param_attr_ImmediateData,
	&kitt_nacl_param_attr_MaxBurstLength,
	&kitt_nacl_param_attr_FirstBurstLength,
	&kitt_nacl_param_attr_DefaultTime2Wait,
	&kitt_nacl_param_attr_DefaultTime2Retain,
	&kitt_nacl_param_attr_MaxOutstandingR2T,
	&kitt_nacl_param_attr_DataPDUInOrder,
	&kitt_nacl_param_attr_DataSequenceInOrder,
	&kitt_nacl_param_attr_ErrorRecoveryLevel,
	NULL,
};
