/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kitt: an iSCSI target fabric for the kernel's SCSI target core.
 *
 * Objects and their owners:
 *
 *   kitt_tiqn   one per target (configfs WWN directory); owns its TPGs
 *   kitt_tpg    one per tpgt_N directory; links to portals via kitt_tpg_np
 *   kitt_portal one per distinct IP:PORT, shared by every TPG that names it;
 *               owns the listener thread and the connections it accepted
 *   kitt_tpg_np one per np/IP:PORT directory; holds a reference on a portal
 *   kitt_nacl   one per ACL directory (or demo-mode ACL made by the core)
 *
 * See Documentation/architecture.rst for threads, lifetimes and locking.
 */
#ifndef KITT_H
#define KITT_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "kitt/keys.h"
#include "kitt/netaddr.h"

#define KITT_VERSION		"0.1"
/* What lio_version shows; rtslib parses only "vN.N" out of it. */
#define KITT_LIO_VERSION	"kitt iSCSI Target v4.1.0"

/* RFC 7143 §4.2.7: iSCSI names are at most 223 bytes. */
#define KITT_NAME_MAX		223
/* Longest CHAP user name or secret configfs accepts (as iscsi_target_mod). */
#define KITT_AUTH_STR_MAX	255

extern const struct target_core_fabric_ops kitt_fabric_ops;

/* ---- authentication credentials (TPG, ACL and discovery) ---- */

struct kitt_auth {
	char userid[KITT_AUTH_STR_MAX + 1];
	char password[KITT_AUTH_STR_MAX + 1];
	char userid_mutual[KITT_AUTH_STR_MAX + 1];
	char password_mutual[KITT_AUTH_STR_MAX + 1];
	/* Which of the four are set; the mutual pair makes authenticate_target. */
	bool have_userid, have_password, have_userid_mutual, have_password_mutual;
};

/* Global state not tied to one target: discovery authentication. */
struct kitt_discovery {
	struct mutex lock;	/* protects auth and enforce */
	struct kitt_auth auth;
	bool enforce;
};

extern struct kitt_discovery kitt_discovery;

/* ---- targets ---- */

/*
 * Counters shown under a target's fabric_statistics (the iSCSI MIB of
 * RFC 4544, as iscsi_target_mod presents it). Updated without a lock.
 */
struct kitt_tiqn_stats {
	atomic_t sessions;		/* normal sessions now */
	atomic_t digest_errors;
	atomic_t cxn_errors;
	atomic_t format_errors;
	atomic_t login_accepts;
	atomic_t login_other_fails;
	atomic_t login_redirects;
	atomic_t login_authorize_fails;
	atomic_t login_authenticate_fails;
	atomic_t login_negotiate_fails;
	atomic_t normal_logouts;
	atomic_t abnormal_logouts;
};

struct kitt_tiqn {
	struct se_wwn wwn;
	/*
	 * One reference for being in configfs, dropped by its rmdir; a
	 * SendTargets walk holds one on the target it is at, so that it can
	 * drop kitt_tiqns_lock between targets (kitt_tiqn_next).
	 */
	struct kref ref;
	struct list_head entry;		/* kitt_tiqns, under kitt_tiqns_lock */
	u64 seq;			/* creation order: kitt_tiqns is sorted by it */
	char name[KITT_NAME_MAX + 1];
	u32 index;		/* instance index shown in statistics */
	/*
	 * tpgs_lock protects tpgs (kitt_tpg.tiqn_entry) and makes adding a
	 * portal atomic against the same address in another TPG: it is taken
	 * before any kitt_tpg.lock.
	 */
	struct mutex tpgs_lock;
	struct list_head tpgs;
	struct kitt_tiqn_stats stats;
	/* Statistics groups (fabric_statistics/...). */
	struct config_group stat_instance_group;
	struct config_group stat_sess_err_group;
	struct config_group stat_tgt_attr_group;
	struct config_group stat_login_group;
	struct config_group stat_logout_group;
};

/* ---- TPG ---- */

/* Values of the files in tpgt_N/attrib; ranges and defaults in drivers/tpg.c. */
struct kitt_tpg_attrib {
	u32 authentication;
	u32 login_timeout;
	u32 netif_timeout;	/* shown on 6.1 only */
	u32 generate_node_acls;
	u32 cache_dynamic_acls;
	u32 default_cmdsn_depth;
	u32 demo_mode_write_protect;
	u32 prod_mode_write_protect;
	u32 demo_mode_discovery;
	u32 default_erl;
	u32 t10_pi;
	u32 fabric_prot_type;
	u32 tpg_enabled_sendtargets;
	u32 login_keys_workaround;
};

struct kitt_tpg {
	struct se_portal_group se_tpg;
	struct kitt_tiqn *tiqn;
	struct list_head tiqn_entry;	/* kitt_tiqn.tpgs, under tpgs_lock */
	u16 tag;
	/*
	 * lock protects attrib, auth, params, and the portal list. It is
	 * taken by configfs handlers and by login to take a snapshot.
	 */
	struct mutex lock;
	struct kitt_tpg_attrib attrib;
	struct kitt_auth auth;
	struct kitt_key_values params;
	struct list_head tpg_nps;	/* kitt_tpg_np.tpg_entry, under lock */
	struct list_head sessions;	/* kitt_sess.tpg_entry, under lock */
	bool closing;			/* disabled or dropped; under lock */
	/*
	 * Logins and sessions using this TPG: each holds a count; dropping
	 * the TPG waits for it to reach zero (users_wq).
	 */
	atomic_t users;
	wait_queue_head_t users_wq;
};

static inline struct kitt_tpg *kitt_tpg(struct se_portal_group *se_tpg)
{
	return container_of(se_tpg, struct kitt_tpg, se_tpg);
}

/* ---- ACL ---- */

/* Values of the files in acls/NAME/attrib. */
struct kitt_nacl_attrib {
	u32 dataout_timeout;
	u32 dataout_timeout_retries;
	u32 default_erl;
	u32 nopin_timeout;
	u32 nopin_response_timeout;
	u32 random_datain_pdu_offsets;
	u32 random_datain_seq_offsets;
	u32 random_r2t_offsets;
	int authentication;	/* -1: as the TPG; 0 or 1: override */
};

struct kitt_nacl {
	struct se_node_acl se_nacl;	/* must be first: node_acl_size */
	struct mutex lock;		/* protects attrib and auth */
	struct kitt_nacl_attrib attrib;
	struct kitt_auth auth;
	struct config_group stat_sess_group;
};

static inline struct kitt_nacl *kitt_nacl(struct se_node_acl *se_nacl)
{
	return container_of(se_nacl, struct kitt_nacl, se_nacl);
}

/* ---- portals ---- */

enum kitt_portal_state {
	KITT_PORTAL_LISTENING,
	KITT_PORTAL_STOPPING,
};

struct kitt_portal {
	struct kref ref;		/* one per kitt_tpg_np naming it */
	struct list_head entry;		/* kitt_portals, under kitt_portals_lock */
	struct kitt_netaddr addr;
	struct socket *sock;
	struct task_struct *thread;
	enum kitt_portal_state state;	/* written by kitt_portal_put only */
	struct list_head conns;		/* kitt_conn.portal_entry, under kitt_conns_lock */
	u32 logins;			/* of conns, still logging in; likewise */
	u32 discovery;			/* of conns, discovery sessions; likewise */
};

struct kitt_tpg_np {
	struct se_tpg_np se_tpg_np;
	struct kitt_tpg *tpg;
	struct kitt_portal *portal;
	struct list_head tpg_entry;	/* kitt_tpg.tpg_nps, under tpg->lock */
};

/* Every target; protected by kitt_tiqns_lock (drivers/configfs.c). */
extern struct list_head kitt_tiqns;
extern struct mutex kitt_tiqns_lock;

struct kitt_tiqn *kitt_tiqn_next(struct kitt_tiqn *prev);
void kitt_tiqn_put(struct kitt_tiqn *tiqn);
struct kitt_tpg *kitt_tpg_get_for_login(const char *target_name,
					struct kitt_portal *portal);
void kitt_tpg_put(struct kitt_tpg *tpg);

/* drivers/portal.c */
struct kitt_portal *kitt_portal_get(const struct kitt_netaddr *addr);
void kitt_portal_put(struct kitt_portal *portal);

/* drivers/tpg.c */
void kitt_tpg_attrib_init(struct kitt_tpg_attrib *a);
void kitt_nacl_attrib_init(struct kitt_nacl_attrib *a, const struct kitt_tpg *tpg);
void kitt_tpg_auth_method_follow(struct kitt_tpg *tpg);
struct se_portal_group *kitt_make_tpg(struct se_wwn *wwn, const char *name);
void kitt_drop_tpg(struct se_portal_group *se_tpg);
int kitt_enable_tpg(struct se_portal_group *se_tpg, bool enable);

/* drivers/configfs.c, drivers/configfs_attrs.c */
extern struct configfs_attribute *kitt_discovery_attrs[];
extern struct configfs_attribute *kitt_wwn_attrs[];
extern struct configfs_attribute *kitt_tpg_base_attrs[];
extern struct configfs_attribute *kitt_tpg_np_attrs[];
extern struct configfs_attribute *kitt_tpg_attrib_attrs[];
extern struct configfs_attribute *kitt_tpg_auth_attrs[];
extern struct configfs_attribute *kitt_tpg_param_attrs[];
extern struct configfs_attribute *kitt_nacl_base_attrs[];
extern struct configfs_attribute *kitt_nacl_attrib_attrs[];
extern struct configfs_attribute *kitt_nacl_auth_attrs[];
extern struct configfs_attribute *kitt_nacl_param_attrs[];

struct se_wwn *kitt_make_tiqn(struct target_fabric_configfs *tf,
			      struct config_group *group, const char *name);
void kitt_drop_tiqn(struct se_wwn *wwn);
void kitt_add_wwn_groups(struct se_wwn *wwn);
void kitt_add_nacl_groups(struct kitt_nacl *nacl);
struct se_tpg_np *kitt_make_np(struct se_portal_group *se_tpg,
			       struct config_group *group, const char *name);
void kitt_drop_np(struct se_tpg_np *se_tpg_np);
int kitt_init_nodeacl(struct se_node_acl *se_nacl, const char *name);
void kitt_set_default_node_attributes(struct se_node_acl *se_nacl);

#endif /* KITT_H */
