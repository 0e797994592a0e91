// SPDX-License-Identifier: GPL-2.0
/*
 * The login phase (RFC 7143 §6.3, §11.12-11.13): Login Requests in, Login
 * Responses out, stage by stage, until the connection enters the full
 * feature phase of a new (or reinstated) session, or is refused.
 *
 * Runs in the connection's io_work, so a slow or hostile peer stalls only
 * its own connection; the login timeout (conn.c) bounds it.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/slab.h>
#include <scsi/iscsi_proto.h>

#include "kitt/auth.h"
#include "kitt/conn.h"
#include "kitt/kitt.h"
#include "kitt/trace.h"

/* Most text one login stage may carry across continued PDUs. */
#define KITT_LOGIN_TEXT_MAX	(8 * KITT_LOGIN_DSL_MAX)

enum kitt_login_state {
	KITT_LOGIN_FIRST,	/* no request yet */
	KITT_LOGIN_ACTIVE,	/* negotiating */
	KITT_LOGIN_OVER,	/* final response queued (accept or reject) */
};

struct kitt_login {
	enum kitt_login_state state;
	enum kitt_login_stage stage;	/* current stage (CSG) */
	u8 isid[6];
	u16 tsih;
	u16 cid;
	u32 cmd_sn;			/* CmdSN of the requests: ExpCmdSN */
	bool checked_names;		/* names and target looked up */
	bool sent_tpgt;
	bool authenticated;
	bool chap_started;		/* chap and creds set up */
	struct kitt_chap chap;
	struct kitt_chap_creds creds;	/* wiped once CHAP is over */
	char *text;			/* continued request text so far */
	u32 text_len;
	u32 text_size;			/* one PDU's worth, or grown for more */
	struct kitt_tpg *tpg;		/* held with kitt_tpg_get_for_login */
	struct se_node_acl *acl;	/* static ACL, referenced, or NULL */
	struct kitt_nego nego;
};

/* A login failure: the Login Response status and a line for the log. */
struct kitt_login_err {
	u8 class;
	u8 detail;
	const char *why;
};

#define LOGIN_ERR(c, d, w) \
	((struct kitt_login_err){ ISCSI_STATUS_CLS_##c, ISCSI_LOGIN_STATUS_##d, w })

/*
 * Until TargetName picks a TPG, negotiate from the defaults; a discovery
 * session keeps them, with discovery_auth deciding AuthMethod.
 */
static void kitt_login_defaults(struct kitt_login *l)
{
	bool enforce = READ_ONCE(kitt_discovery.enforce);

	kitt_nego_init(&l->nego, NULL, enforce ? KITT_AUTH_CHAP :
		       KITT_AUTH_CHAP | KITT_AUTH_NONE);
	strscpy(l->nego.cfg.v[KITT_KEY_AUTH_METHOD],
		enforce ? "CHAP" : "CHAP,None", KITT_KEY_VALUE_MAX + 1);
}

struct kitt_login *kitt_login_alloc(void)
{
	struct kitt_login *l = kvzalloc(sizeof(*l), GFP_KERNEL);

	if (!l)
		return NULL;
	kitt_login_defaults(l);
	/* One PDU's worth: only a continued request needs more. */
	l->text_size = KITT_LOGIN_DSL_MAX;
	l->text = kvmalloc(l->text_size, GFP_KERNEL);
	if (!l->text) {
		kvfree(l);
		return NULL;
	}
	return l;
}

void kitt_login_free(struct kitt_login *l)
{
	if (!l)
		return;
	if (l->acl)
		target_put_nacl(l->acl);
	if (l->tpg)
		kitt_tpg_put(l->tpg);
	kvfree(l->text);
	kitt_auth_creds_wipe(&l->creds);
	kvfree(l);
}

/* Room for @more bytes of request text, up to KITT_LOGIN_TEXT_MAX. */
static int kitt_login_text_room(struct kitt_login *l, u32 more)
{
	char *bigger;

	if (more <= l->text_size - l->text_len)
		return 0;
	if (more > KITT_LOGIN_TEXT_MAX - l->text_len)
		return -E2BIG;
	bigger = kvmalloc(KITT_LOGIN_TEXT_MAX, GFP_KERNEL);
	if (!bigger)
		return -ENOMEM;
	memcpy(bigger, l->text, l->text_len);
	kvfree(l->text);
	l->text = bigger;
	l->text_size = KITT_LOGIN_TEXT_MAX;
	return 0;
}

/* Before there is a session, only Login Responses go out. */
void kitt_login_fill_sn(struct kitt_conn *conn, u8 *hdr)
{
	struct iscsi_login_rsp *h = (void *)hdr;
	u32 sn = conn->login ? conn->login->cmd_sn : 0;

	h->exp_cmdsn = cpu_to_be32(sn);
	h->max_cmdsn = cpu_to_be32(sn);
}

/* A Login Response carrying @len bytes of @text. */
static struct kitt_tx *kitt_login_rsp(struct kitt_conn *conn, u8 flags,
				      const char *text, u32 len)
{
	const struct iscsi_login_req *req = (const void *)conn->rx_bhs;
	struct kitt_login *l = conn->login;
	struct kitt_tx *tx = kitt_tx_alloc(len, GFP_KERNEL);
	struct iscsi_login_rsp *hdr;

	if (!tx)
		return NULL;
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_LOGIN_RSP;
	hdr->flags = flags;
	hdr->max_version = ISCSI_DRAFT20_VERSION;
	hdr->active_version = ISCSI_DRAFT20_VERSION;
	memcpy(hdr->isid, l->isid, sizeof(hdr->isid));
	hdr->tsih = cpu_to_be16(l->tsih);
	hdr->itt = req->itt;
	if (len)
		memcpy(tx->data, text, len);
	tx->flags = KITT_TX_STATSN;
	return tx;
}

/* The target's login failure counters (fabric_statistics/iscsi_login_stats). */
static void kitt_login_count_failure(struct kitt_login *l,
				     const struct kitt_login_err *err)
{
	struct kitt_tiqn_stats *st;

	if (!l->tpg)
		return;		/* discovery, or no target found: no counters */
	st = &l->tpg->tiqn->stats;
	if (err->class == ISCSI_STATUS_CLS_INITIATOR_ERR &&
	    err->detail == ISCSI_LOGIN_STATUS_AUTH_FAILED)
		atomic_inc(&st->login_authenticate_fails);
	else if (err->class == ISCSI_STATUS_CLS_INITIATOR_ERR &&
		 err->detail == ISCSI_LOGIN_STATUS_TGT_FORBIDDEN)
		atomic_inc(&st->login_authorize_fails);
	else if (err->class == ISCSI_STATUS_CLS_INITIATOR_ERR &&
		 err->detail == ISCSI_LOGIN_STATUS_INIT_ERR)
		atomic_inc(&st->login_negotiate_fails);
	else
		atomic_inc(&st->login_other_fails);
}

static void kitt_login_trace_start(struct kitt_conn *conn)
{
	const struct iscsi_login_req *req = (const void *)conn->rx_bhs;
	char peer[KITT_NETADDR_STR_MAX + 1];

	if (!trace_kitt_login_start_enabled())
		return;
	kitt_netaddr_format(&conn->peer, peer, sizeof(peer));
	trace_kitt_login_start(peer, req->isid, be16_to_cpu(req->tsih),
			       be16_to_cpu(req->cid));
}

/* The login's last Login Response: its status, and why if it failed. */
static void kitt_login_trace_result(struct kitt_conn *conn, u8 class,
				    u8 detail, const char *why)
{
	const struct kitt_nego *n = &conn->login->nego;
	char peer[KITT_NETADDR_STR_MAX + 1];

	if (!trace_kitt_login_result_enabled())
		return;
	kitt_netaddr_format(&conn->peer, peer, sizeof(peer));
	trace_kitt_login_result(peer,
				n->have_initiator_name ? n->initiator_name : "",
				n->have_target_name ? n->target_name : "",
				conn->login->tsih, class, detail, why);
}

/*
 * Release work: a login that ended without a last Login Response (timed
 * out, closed by the initiator...) gets its kitt_login_result too, with
 * class and detail KITT_LOGIN_ABANDONED and the reason it was closed.
 */
void kitt_login_trace_abandoned(struct kitt_conn *conn)
{
	if (conn->login && conn->login->state != KITT_LOGIN_OVER)
		kitt_login_trace_result(conn, KITT_LOGIN_ABANDONED,
					KITT_LOGIN_ABANDONED,
					conn->end_why ?: "");
}

static int kitt_login_reject(struct kitt_conn *conn,
			     const struct kitt_login_err *err)
{
	struct kitt_login *l = conn->login;
	char peer[KITT_NETADDR_STR_MAX + 1];
	struct iscsi_login_rsp *hdr;
	struct kitt_tx *tx;

	kitt_login_count_failure(l, err);
	kitt_login_trace_result(conn, err->class, err->detail, err->why);
	kitt_netaddr_format(&conn->peer, peer, sizeof(peer));
	pr_info_ratelimited("login from %s (%s) refused: %s\n", peer,
			    l->nego.have_initiator_name ?
			    l->nego.initiator_name : "no name", err->why);
	l->state = KITT_LOGIN_OVER;
	tx = kitt_login_rsp(conn, 0, NULL, 0);
	if (!tx)
		return -ENOMEM;
	hdr = (void *)tx->hdr;
	hdr->status_class = err->class;
	hdr->status_detail = err->detail;
	/* The peer reads the reason, then the connection ends. */
	tx->flags |= KITT_TX_CLOSE;
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/* The first request fixes the session identity for the whole login. */
static bool kitt_login_first(struct kitt_conn *conn, struct kitt_login_err *err)
{
	const struct iscsi_login_req *req = (const void *)conn->rx_bhs;
	struct kitt_login *l = conn->login;

	/* Version-max >= 0 >= version-min: only version 0 exists. */
	if (req->min_version != ISCSI_DRAFT20_VERSION) {
		*err = LOGIN_ERR(INITIATOR_ERR, NO_VERSION,
				 "unsupported version");
		return false;
	}
	memcpy(l->isid, req->isid, sizeof(l->isid));
	l->tsih = be16_to_cpu(req->tsih);
	l->cid = be16_to_cpu(req->cid);
	l->cmd_sn = be32_to_cpu(req->cmdsn);
	/* Our first StatSN is what the initiator expects. */
	conn->stat_sn = be32_to_cpu(req->exp_statsn);
	conn->cid = l->cid;
	l->stage = ISCSI_LOGIN_CURRENT_STAGE(req->flags);
	l->state = KITT_LOGIN_ACTIVE;
	return true;
}

/* CSG/NSG/T/C and identity checks of every request. */
static bool kitt_login_check_hdr(struct kitt_conn *conn,
				 struct kitt_login_err *err)
{
	const struct iscsi_login_req *req = (const void *)conn->rx_bhs;
	struct kitt_login *l = conn->login;
	u8 flags = req->flags;
	int csg = ISCSI_LOGIN_CURRENT_STAGE(flags);
	int nsg = ISCSI_LOGIN_NEXT_STAGE(flags);
	bool transit = flags & ISCSI_FLAG_LOGIN_TRANSIT;

	*err = LOGIN_ERR(INITIATOR_ERR, INIT_ERR, "malformed login request");
	if (transit && (flags & ISCSI_FLAG_LOGIN_CONTINUE))
		return false;
	if (csg != l->stage || csg > KITT_STAGE_OPERATIONAL)
		return false;
	if (transit && (nsg <= csg || nsg == 2))
		return false;
	if (memcmp(l->isid, req->isid, sizeof(l->isid)) ||
	    l->tsih != be16_to_cpu(req->tsih) || l->cid != be16_to_cpu(req->cid)) {
		err->why = "ISID, TSIH or CID changed during login";
		return false;
	}
	return true;
}

/* Who may authenticate how: the TPG's AuthMethod, less None if required. */
static u32 kitt_login_auth_allowed(struct kitt_login *l)
{
	const char *am = l->nego.cfg.v[KITT_KEY_AUTH_METHOD];
	bool required = false;
	u32 allowed = 0;

	if (strstr(am, "None"))
		allowed |= KITT_AUTH_NONE;
	if (strstr(am, "CHAP"))
		allowed |= KITT_AUTH_CHAP;
	if (l->tpg) {
		int acl_auth = -1;

		if (l->acl)
			acl_auth = READ_ONCE(kitt_nacl(l->acl)->attrib.authentication);
		required = acl_auth >= 0 ? acl_auth :
			   READ_ONCE(l->tpg->attrib.authentication);
	}
	if (required)
		allowed &= ~KITT_AUTH_NONE;
	return allowed;
}

/*
 * A login adding a connection to session @l->tsih (§6.3.1). One
 * connection per session (MaxConnections=1): "too many connections"
 * (0x0206, ISCSI_LOGIN_STATUS_ISID_ERROR in iscsi_proto.h) if the
 * session exists, "session does not exist" (0x020a) if not.
 */
static void kitt_login_tsih_err(struct kitt_login *l,
				struct kitt_login_err *err)
{
	if (kitt_sess_exists(l->tpg, l->nego.initiator_name, l->isid, l->tsih))
		*err = LOGIN_ERR(INITIATOR_ERR, ISID_ERROR,
				 "session has its one connection already");
	else
		*err = LOGIN_ERR(INITIATOR_ERR, NO_SESSION,
				 "no session with this TSIH");
}

/*
 * After the first text: the initiator named itself and, for a normal
 * session, a target reachable through this portal that admits it.
 */
static bool kitt_login_check_names(struct kitt_conn *conn,
				   struct kitt_login_err *err)
{
	struct kitt_login *l = conn->login;
	struct kitt_nego *n = &l->nego;
	struct kitt_portal *portal;
	struct se_portal_group *se_tpg;
	u32 login_timeout;

	l->checked_names = true;
	if (!n->have_initiator_name) {
		*err = LOGIN_ERR(INITIATOR_ERR, MISSING_FIELDS, "no InitiatorName");
		return false;
	}
	if (n->session_type == KITT_SESS_DISCOVERY) {
		if (!l->tsih)
			return true;
		/* Discovery sessions are never listed: none to add to. */
		*err = LOGIN_ERR(INITIATOR_ERR, NO_SESSION,
				 "no session with this TSIH");
		return false;
	}
	if (!n->have_target_name) {
		*err = LOGIN_ERR(INITIATOR_ERR, MISSING_FIELDS, "no TargetName");
		return false;
	}
	portal = kitt_conn_portal(conn);
	l->tpg = portal ? kitt_tpg_get_for_login(n->target_name, portal) : NULL;
	if (!l->tpg) {
		*err = LOGIN_ERR(INITIATOR_ERR, TGT_NOT_FOUND,
				 "no such target on this portal");
		return false;
	}
	se_tpg = &l->tpg->se_tpg;
	l->acl = core_tpg_get_initiator_node_acl(se_tpg, n->initiator_name);
	/*
	 * A dynamic ACL cached from demo mode (cache_dynamic_acls) outlives
	 * generate_node_acls=1; once that is off it admits no one.
	 */
	if (l->acl && l->acl->dynamic_node_acl &&
	    !READ_ONCE(l->tpg->attrib.generate_node_acls)) {
		target_put_nacl(l->acl);
		l->acl = NULL;
	}
	if (!l->acl && !READ_ONCE(l->tpg->attrib.generate_node_acls)) {
		*err = LOGIN_ERR(INITIATOR_ERR, TGT_FORBIDDEN,
				 "initiator not in the target's ACLs");
		return false;
	}
	if (l->tsih) {
		kitt_login_tsih_err(l, err);
		return false;
	}
	/* Negotiate from this TPG's parameters now that it is known. */
	mutex_lock(&l->tpg->lock);
	n->cfg = l->tpg->params;
	n->keys_workaround = l->tpg->attrib.login_keys_workaround;
	login_timeout = l->tpg->attrib.login_timeout;
	mutex_unlock(&l->tpg->lock);
	kitt_conn_login_deadline(conn, login_timeout);
	n->auth_allowed = kitt_login_auth_allowed(l);
	return true;
}

static bool kitt_login_nego_err(enum kitt_nego_error e,
				struct kitt_login_err *err)
{
	switch (e) {
	case KITT_NEGO_OK:
		return true;
	case KITT_NEGO_BAD_NAME:
		*err = LOGIN_ERR(INITIATOR_ERR, INIT_ERR, "malformed iSCSI name");
		return false;
	case KITT_NEGO_TOO_BIG:
		*err = LOGIN_ERR(INITIATOR_ERR, INIT_ERR,
				 "too many unknown keys in login");
		return false;
	default:
		*err = LOGIN_ERR(INITIATOR_ERR, INIT_ERR,
				 "invalid login negotiation");
		return false;
	}
}

/*
 * Answer the CHAP keys of a security-stage request (drivers/chap.c). Any
 * failure is the same "authentication failure" to the peer.
 */
static bool kitt_login_chap(struct kitt_login *l, struct kitt_text_buf *out,
			    struct kitt_login_err *err)
{
	const struct kitt_chap_keys *k = &l->nego.chap_keys;

	if (l->nego.auth_method != KITT_AUTH_CHAP) {
		if (!k->have)
			return true;
		*err = LOGIN_ERR(INITIATOR_ERR, AUTH_FAILED,
				 "CHAP keys without AuthMethod=CHAP");
		return false;
	}
	if (!l->chap_started) {
		kitt_chap_init(&l->chap, kitt_chap_algs_available());
		kitt_auth_creds(&l->creds, l->tpg, l->acl);
		l->chap_started = true;
	}
	switch (kitt_chap_step(&l->chap, k, &l->creds, &kitt_chap_kernel_ops,
			       out)) {
	case KITT_CHAP_FAILED:
		*err = LOGIN_ERR(INITIATOR_ERR, AUTH_FAILED, l->chap.why);
		return false;
	case KITT_CHAP_SUCCESS:
		l->authenticated = true;
		kitt_auth_creds_wipe(&l->creds);
		return true;
	default:
		return true;
	}
}

/*
 * The initiator wants to leave the security stage: 1 if it may, 0 if
 * CHAP is still under way (answer without transit), -1 if refused.
 */
static int kitt_login_auth(struct kitt_login *l, struct kitt_login_err *err)
{
	u32 method = l->nego.auth_method;

	/* Without AuthMethod the default, None, applies. */
	if (!method && (l->nego.auth_allowed & KITT_AUTH_NONE))
		method = KITT_AUTH_NONE;
	if (method == KITT_AUTH_NONE) {
		l->authenticated = true;
		return 1;
	}
	if (method == KITT_AUTH_CHAP)
		return l->authenticated ? 1 : 0;
	*err = LOGIN_ERR(INITIATOR_ERR, AUTH_FAILED, "authentication required");
	return -1;
}

/* Everything negotiated: become a session in the full feature phase. */
static bool kitt_login_finish(struct kitt_conn *conn, struct kitt_login_err *err)
{
	struct kitt_login *l = conn->login;
	struct kitt_sess *sess;
	int ret;

	if (l->nego.session_type == KITT_SESS_DISCOVERY) {
		ret = kitt_conn_count_discovery(conn);
		if (ret == -ENODEV)
			*err = LOGIN_ERR(TARGET_ERR, SVC_UNAVAILABLE,
					 "the portal is being removed");
		else if (ret)
			*err = LOGIN_ERR(TARGET_ERR, NO_RESOURCES,
					 "too many discovery sessions");
		if (ret)
			return false;
	}
	sess = kitt_sess_create(conn, &l->nego, l->tpg, l->isid, l->cmd_sn,
				l->acl);
	if (IS_ERR(sess)) {
		if (PTR_ERR(sess) == -EACCES)
			*err = LOGIN_ERR(INITIATOR_ERR, TGT_FORBIDDEN,
					 "initiator not admitted by the target");
		else if (PTR_ERR(sess) == -EBUSY)
			*err = LOGIN_ERR(TARGET_ERR, SVC_UNAVAILABLE,
					 "the session it reinstates is still ending");
		else if (PTR_ERR(sess) == -ENODEV)
			*err = LOGIN_ERR(INITIATOR_ERR, TGT_REMOVED,
					 "the target portal group is closing");
		else
			*err = LOGIN_ERR(TARGET_ERR, NO_RESOURCES,
					 "cannot create session");
		return false;
	}
	l->tsih = sess->tsih;
	return true;
}

/*
 * Answer a complete request text in the current stage. Sets *@flags of
 * the response (transit and stages).
 */
static bool kitt_login_stage(struct kitt_conn *conn, struct kitt_text_buf *out,
			     u8 *flags, struct kitt_login_err *err)
{
	const struct iscsi_login_req *req = (const void *)conn->rx_bhs;
	struct kitt_login *l = conn->login;
	bool transit = req->flags & ISCSI_FLAG_LOGIN_TRANSIT;
	int nsg = ISCSI_LOGIN_NEXT_STAGE(req->flags);

	/* Declarations first: they pick the TPG whose values are negotiated. */
	if (!kitt_login_nego_err(kitt_nego_declarations(&l->nego, l->text,
							l->text_len), err))
		return false;
	if (!l->checked_names && !kitt_login_check_names(conn, err))
		return false;
	if (!kitt_login_nego_err(kitt_nego_process(&l->nego, l->stage, l->text,
						   l->text_len, out), err))
		return false;
	if (l->stage == KITT_STAGE_SECURITY && !kitt_login_chap(l, out, err))
		return false;
	if (l->tpg && !l->sent_tpgt) {
		kitt_text_add_u32(out, "TargetPortalGroupTag", l->tpg->tag);
		l->sent_tpgt = true;
	}

	*flags = l->stage << 2;
	if (!transit)
		return true;
	if (l->stage == KITT_STAGE_SECURITY) {
		int auth = kitt_login_auth(l, err);

		if (auth < 0)
			return false;
		if (!auth)
			return true;	/* CHAP goes on in this stage */
	}
	if (l->stage == KITT_STAGE_OPERATIONAL || nsg == KITT_STAGE_FULL_FEATURE) {
		/* Our own offers must be answered before we leave. */
		if (kitt_nego_target_offers(&l->nego, out) < 0) {
			*err = LOGIN_ERR(TARGET_ERR, NO_RESOURCES,
					 "login response too large");
			return false;
		}
		if (kitt_nego_pending(&l->nego))
			nsg = KITT_STAGE_OPERATIONAL;
	}
	if (nsg == l->stage)
		return true;		/* stay: answers are awaited */
	if (l->stage == KITT_STAGE_SECURITY && !l->authenticated) {
		*err = LOGIN_ERR(INITIATOR_ERR, AUTH_FAILED, "not authenticated");
		return false;
	}
	if (l->stage == KITT_STAGE_OPERATIONAL && !l->authenticated &&
	    !(l->nego.auth_allowed & KITT_AUTH_NONE)) {
		*err = LOGIN_ERR(INITIATOR_ERR, AUTH_FAILED,
				 "authentication required");
		return false;
	}
	if (nsg == KITT_STAGE_FULL_FEATURE && !kitt_login_finish(conn, err))
		return false;
	*flags |= ISCSI_FLAG_LOGIN_TRANSIT | nsg;
	l->stage = nsg;
	return true;
}

int kitt_login_rx(struct kitt_conn *conn)
{
	const struct iscsi_login_req *req = (const void *)conn->rx_bhs;
	struct kitt_login *l = conn->login;
	struct iscsi_login_rsp *hdr;
	struct kitt_login_err err;
	struct kitt_text_buf out;
	char *rsp_text;
	struct kitt_tx *tx;
	u8 flags = 0;
	bool ok;
	int ret;

	if (l->state == KITT_LOGIN_OVER)
		return 0;		/* the connection is about to close */
	if (l->state == KITT_LOGIN_FIRST) {
		kitt_login_trace_start(conn);
		if (!kitt_login_first(conn, &err))
			return kitt_login_reject(conn, &err);
	}
	if (!kitt_login_check_hdr(conn, &err))
		return kitt_login_reject(conn, &err);

	ret = kitt_login_text_room(l, conn->rx_data_len);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		err = LOGIN_ERR(INITIATOR_ERR, INIT_ERR, "login text too long");
		return kitt_login_reject(conn, &err);
	}
	memcpy(l->text + l->text_len, conn->rx_data, conn->rx_data_len);
	l->text_len += conn->rx_data_len;

	/* More of this text follows: acknowledge with an empty response. */
	if (req->flags & ISCSI_FLAG_LOGIN_CONTINUE) {
		tx = kitt_login_rsp(conn, l->stage << 2, NULL, 0);
		if (!tx)
			return -ENOMEM;
		kitt_conn_queue_tx(conn, tx);
		return 0;
	}

	rsp_text = kvmalloc(KITT_LOGIN_DSL_MAX, GFP_KERNEL);
	if (!rsp_text)
		return -ENOMEM;
	kitt_text_buf_init(&out, rsp_text, KITT_LOGIN_DSL_MAX);
	ok = kitt_login_stage(conn, &out, &flags, &err);
	l->text_len = 0;
	if (ok && out.overflow) {
		ok = false;
		err = LOGIN_ERR(TARGET_ERR, NO_RESOURCES, "login response too large");
	}
	if (!ok) {
		kvfree(rsp_text);
		return kitt_login_reject(conn, &err);
	}
	tx = kitt_login_rsp(conn, flags, rsp_text, out.len);
	kvfree(rsp_text);
	if (!tx)
		return -ENOMEM;
	if (l->stage == KITT_STAGE_FULL_FEATURE) {
		l->state = KITT_LOGIN_OVER;
		hdr = (void *)tx->hdr;
		hdr->tsih = cpu_to_be16(l->tsih);
		kitt_login_trace_result(conn, 0, 0, "");
		/* From here the session stamps sequence numbers. */
		kitt_conn_queue_tx(conn, tx);
		kitt_conn_logged_in(conn);
		return 0;
	}
	kitt_conn_queue_tx(conn, tx);
	return 0;
}
