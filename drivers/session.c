// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions and the full feature phase of their connection: command
 * sequencing (CmdSN window), NOP, Text, Logout and Reject. SCSI commands
 * go to drivers/cmd.c.
 *
 * At ErrorRecoveryLevel 0 with one connection per session, a session ends
 * when its connection does: kitt_sess_conn_closed() runs from the
 * connection's release work and tears the session down.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/idr.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <scsi/iscsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "kitt/conn.h"
#include "kitt/kitt.h"
#include "kitt/trace.h"

/* The window a discovery session gets: it sends one request at a time. */
#define KITT_DISCOVERY_DEPTH	4
/* Longest SendTargets answer built for one request. */
#define KITT_TEXT_RSP_MAX	(64 * 1024)
/* A request text continued over several Text Requests, like login text. */
#define KITT_TEXT_REQ_MAX	(64 * 1024)

/* Sessions have a cache of their own: a leak shows when it is destroyed. */
static struct kmem_cache *kitt_sess_cache;

int kitt_sess_init(void)
{
	kitt_sess_cache = KMEM_CACHE(kitt_sess, 0);
	if (!kitt_sess_cache)
		return -ENOMEM;
	if (kitt_buf_init()) {
		kmem_cache_destroy(kitt_sess_cache);
		return -ENOMEM;
	}
	return 0;
}

void kitt_sess_exit(void)
{
	kitt_buf_exit();
	kmem_cache_destroy(kitt_sess_cache);
}

/*
 * TSIHs in use (0 means "new session"): discovery sessions take theirs
 * from a range of their own, so that however many a peer opens, normal
 * sessions never run out; when a range is full, the login is refused
 * ("out of resources"). The discovery range is four times the discovery
 * sessions there can be at once (kitt_conn_count_discovery()): a session
 * closed to make room keeps its TSIH until its connection is released.
 */
static DEFINE_IDA(kitt_tsih_ida);
#define KITT_TSIH_NORMAL_FIRST	1
#define KITT_TSIH_DISC_FIRST	(U16_MAX - 4 * KITT_DISCOVERY_SESSIONS_MAX + 1)
#define KITT_TSIH_LAST		U16_MAX

/* Woken when a normal session has ended (kitt_sess.ended). */
static DECLARE_WAIT_QUEUE_HEAD(kitt_sess_ended_wq);
/* How long a login waits for the session it reinstates to end. */
#define KITT_REINSTATE_TIMEOUT	(20 * HZ)

/*
 * MaxCmdSN: its base, which io_work moves, and the slots given back. A
 * slot release_cmd gives back has its tag free already (acquire pairs
 * with the release in kitt_sess_cmd_done()), so the window never promises
 * it while the tag is in use. kitt_cmd_slot_early() gives a slot back
 * before its tag, which io_work frees before it reads another PDU, and a
 * TMF answered without the core has no tag.
 */
static u32 kitt_sess_max_cmd_sn(const struct kitt_sess *sess)
{
	return READ_ONCE(sess->max_base) +
	       (u32)atomic_read_acquire(&sess->slots_back);
}

/*
 * ExpCmdSN and MaxCmdSN into a PDU io_work is about to send (bytes 28 and
 * 32, which struct iscsi_hdr names from the initiator's side).
 */
void kitt_sess_fill_sn(struct kitt_sess *sess, u8 *hdr)
{
	struct iscsi_hdr *h = (struct iscsi_hdr *)hdr;

	h->exp_statsn = cpu_to_be32(sess->exp_cmd_sn);
	h->max_statsn = cpu_to_be32(kitt_sess_max_cmd_sn(sess));
}

/* io_work moves ExpCmdSN (by @exp) and MaxCmdSN's base (by @max). */
static void kitt_sess_move_window(struct kitt_sess *sess, s32 exp, s32 max)
{
	WRITE_ONCE(sess->exp_cmd_sn, sess->exp_cmd_sn + exp);
	WRITE_ONCE(sess->max_base, sess->max_base + max);
}

/* A TSIH for a new session of @type, or -ENOSPC. */
static int kitt_tsih_alloc(enum kitt_session_type type)
{
	if (type == KITT_SESS_DISCOVERY)
		return ida_alloc_range(&kitt_tsih_ida, KITT_TSIH_DISC_FIRST,
				       KITT_TSIH_LAST, GFP_KERNEL);
	return ida_alloc_range(&kitt_tsih_ida, KITT_TSIH_NORMAL_FIRST,
			       KITT_TSIH_DISC_FIRST - 1, GFP_KERNEL);
}

static void kitt_sess_free(struct kref *ref)
{
	struct kitt_sess *sess = container_of(ref, struct kitt_sess, ref);

	ida_free(&kitt_tsih_ida, sess->tsih);
	kmem_cache_free(kitt_sess_cache, sess);
}

/* The session of initiator port (@name, @isid) in @tpg, or NULL. */
static struct kitt_sess *kitt_sess_find(struct kitt_tpg *tpg, const char *name,
					const u8 *isid)
{
	struct kitt_sess *s;

	lockdep_assert_held(&tpg->lock);
	list_for_each_entry(s, &tpg->sessions, tpg_entry)
		if (!strcmp(s->initiator_name, name) && !memcmp(s->isid, isid, 6))
			return s;
	return NULL;
}

/* Whether @tpg holds the session of (@name, @isid) whose TSIH is @tsih. */
bool kitt_sess_exists(struct kitt_tpg *tpg, const char *name, const u8 *isid,
		      u16 tsih)
{
	struct kitt_sess *s;
	bool found;

	mutex_lock(&tpg->lock);
	s = kitt_sess_find(tpg, name, isid);
	found = s && s->tsih == tsih;
	mutex_unlock(&tpg->lock);
	return found;
}

/*
 * Close the session named by (initiator, ISID) in @tpg and wait until it
 * has ended (its commands finished or aborted). Several logins may wait
 * for the same session. -EBUSY if it takes too long: the new login is
 * refused and the initiator tries again.
 */
static int kitt_sess_reinstate(struct kitt_tpg *tpg, const char *name,
			       const u8 *isid)
{
	struct kitt_sess *found;
	long left;

	mutex_lock(&tpg->lock);
	found = kitt_sess_find(tpg, name, isid);
	if (found) {
		kref_get(&found->ref);
		spin_lock_bh(&found->conn_lock);
		if (found->conn)
			kitt_conn_close_quiet(found->conn, "session reinstated");
		spin_unlock_bh(&found->conn_lock);
	}
	mutex_unlock(&tpg->lock);
	if (!found)
		return 0;
	pr_info_ratelimited("reinstating session of %s\n", name);
	left = wait_event_timeout(kitt_sess_ended_wq, READ_ONCE(found->ended),
				  KITT_REINSTATE_TIMEOUT);
	kref_put(&found->ref, kitt_sess_free);
	return left ? 0 : -EBUSY;
}

static int kitt_sess_setup_normal(struct kitt_sess *sess, struct kitt_tpg *tpg,
				  struct se_node_acl *acl)
{
	struct se_session *se_sess;
	int ret;

	ret = kitt_sess_reinstate(tpg, sess->initiator_name, sess->isid);
	if (ret)
		return ret;
	sess->cmdsn_depth = acl ? READ_ONCE(acl->queue_depth) :
			    READ_ONCE(tpg->attrib.default_cmdsn_depth);
	if (!sess->cmdsn_depth)
		sess->cmdsn_depth = 1;
	/*
	 * One tag per CmdSN slot (a slot comes back only with its tag),
	 * plus a reserve for immediate commands and task management, which
	 * are not in the window: a full window never starves a TMF. TTTs
	 * from the network are checked against the pool's size.
	 */
	sess->tags = sess->cmdsn_depth + KITT_TAGS_RESERVE;
	se_sess = target_setup_session(&tpg->se_tpg, sess->tags,
				       sizeof(struct kitt_cmd),
				       TARGET_PROT_NORMAL,
				       sess->initiator_name, sess, NULL);
	if (IS_ERR(se_sess))
		return PTR_ERR(se_sess);
	/* Demo mode went off during the login: a cached dynamic ACL is no pass. */
	if (se_sess->se_node_acl->dynamic_node_acl &&
	    !READ_ONCE(tpg->attrib.generate_node_acls)) {
		target_remove_session(se_sess);
		return -EACCES;
	}
	/*
	 * Published with its connection set, so that closing the TPG or a
	 * later reinstatement finds it. Not if the TPG is being closed, or
	 * another login of the same initiator port got there first.
	 */
	mutex_lock(&tpg->lock);
	if (tpg->closing)
		ret = -ENODEV;
	else if (kitt_sess_find(tpg, sess->initiator_name, sess->isid))
		ret = -EBUSY;
	else
		list_add_tail(&sess->tpg_entry, &tpg->sessions);
	mutex_unlock(&tpg->lock);
	if (ret) {
		target_remove_session(se_sess);
		return ret;
	}
	sess->se_sess = se_sess;
	atomic_inc(&tpg->users);
	sess->tpg = tpg;
	atomic_inc(&tpg->tiqn->stats.login_accepts);
	atomic_inc(&tpg->tiqn->stats.sessions);
	return 0;
}

struct kitt_sess *kitt_sess_create(struct kitt_conn *conn,
				   const struct kitt_nego *nego,
				   struct kitt_tpg *tpg, const u8 *isid,
				   u32 cmd_sn, struct se_node_acl *acl)
{
	struct kitt_sess *sess;
	int tsih, ret;

	sess = kmem_cache_zalloc(kitt_sess_cache, GFP_KERNEL);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	init_llist_head(&sess->buf_free);
	get_random_bytes(sess->canary, sizeof(sess->canary));
	tsih = kitt_tsih_alloc(nego->session_type);
	if (tsih < 0) {
		kmem_cache_free(kitt_sess_cache, sess);
		return ERR_PTR(tsih);
	}
	kref_init(&sess->ref);
	spin_lock_init(&sess->conn_lock);
	INIT_LIST_HEAD(&sess->tpg_entry);
	sess->tsih = tsih;
	sess->type = nego->session_type;
	memcpy(sess->isid, isid, 6);
	strscpy(sess->initiator_name, nego->initiator_name,
		sizeof(sess->initiator_name));
	strscpy(sess->initiator_alias, nego->initiator_alias,
		sizeof(sess->initiator_alias));
	kitt_nego_result(nego, &sess->params);
	sess->cmdsn_depth = KITT_DISCOVERY_DEPTH;
	kref_get(&conn->ref);
	sess->conn = conn;

	if (sess->type == KITT_SESS_NORMAL) {
		ret = kitt_sess_setup_normal(sess, tpg, acl);
		if (ret) {
			sess->conn = NULL;
			kitt_conn_put(conn);
			kref_put(&sess->ref, kitt_sess_free);
			return ERR_PTR(ret);
		}
	}
	/* io_work's from here on; the ACL's info file may look already. */
	WRITE_ONCE(sess->exp_cmd_sn, cmd_sn);
	WRITE_ONCE(sess->max_base, cmd_sn + sess->cmdsn_depth - 1);
	conn->sess = sess;
	conn->normal = sess->type == KITT_SESS_NORMAL;
	trace_kitt_sess_create(sess->tsih, sess->initiator_name,
			       tpg ? tpg->tiqn->name : "", conn->normal, false);
	return sess;
}

/* The session's only connection is gone: end the session (ERL 0). */
void kitt_sess_conn_closed(struct kitt_conn *conn)
{
	struct kitt_sess *sess = conn->sess;
	struct kitt_tpg *tpg;

	if (!sess)
		return;
	/* io_work has stopped: a request text left half-assembled. */
	kvfree(conn->text_req);
	conn->text_req = NULL;
	spin_lock_bh(&sess->conn_lock);
	sess->conn = NULL;
	spin_unlock_bh(&sess->conn_lock);

	tpg = sess->tpg;
	if (sess->se_sess) {
		/*
		 * No new commands; wait for the core to finish the old ones.
		 * The connection's orphans end in this wait and give their
		 * tags and CmdSN slots back (release_cmd): keep the session's
		 * state until then.
		 */
		target_stop_session(sess->se_sess);
		target_wait_for_sess_cmds(sess->se_sess);
		target_remove_session(sess->se_sess);
		sess->se_sess = NULL;
		kitt_buf_free_all(sess);
	}
	conn->sess = NULL;
	kitt_conn_put(conn);
	trace_kitt_sess_end(sess->tsih, sess->initiator_name,
			    tpg ? tpg->tiqn->name : "",
			    sess->type == KITT_SESS_NORMAL, sess->logged_out);
	if (tpg) {
		mutex_lock(&tpg->lock);
		list_del_init(&sess->tpg_entry);
		WRITE_ONCE(sess->ended, true);
		mutex_unlock(&tpg->lock);
		wake_up_all(&kitt_sess_ended_wq);
		atomic_dec(&tpg->tiqn->stats.sessions);
		if (!sess->logged_out)
			atomic_inc(&tpg->tiqn->stats.abnormal_logouts);
		kitt_tpg_put(tpg);
	}
	kref_put(&sess->ref, kitt_sess_free);
}

/* Disabling or removing a TPG ends its sessions, asking for logouts. */
void kitt_tpg_close_sessions(struct kitt_tpg *tpg)
{
	struct kitt_sess *sess;

	mutex_lock(&tpg->lock);
	/* Logins finishing from now on are refused (until enabled again). */
	tpg->closing = true;
	list_for_each_entry(sess, &tpg->sessions, tpg_entry) {
		spin_lock_bh(&sess->conn_lock);
		if (sess->conn)
			kitt_conn_ask_logout(sess->conn);
		spin_unlock_bh(&sess->conn_lock);
	}
	mutex_unlock(&tpg->lock);
}

/* ---- the full feature phase ---- */

/*
 * RFC 7143 §11.17.1: the CmdSN of a rejected non-immediate request is not
 * received; the initiator plugs the gap (sends a request with that CmdSN
 * again, or aborts the task). Take back the count of the request being
 * rejected, and the slot it gave back, if any. io_work only, before
 * anything is sent that tells of the count: at once when the decision
 * comes later than the count (a SCSI command's Reject waits for its data
 * segment to be dropped).
 */
void kitt_sess_cmdsn_unget(struct kitt_conn *conn)
{
	const struct iscsi_scsi_req *req = (const void *)conn->rx_bhs;
	struct kitt_sess *sess = conn->sess;
	u32 cmd_sn = be32_to_cpu(req->cmdsn);

	if (!conn->rx_sn_counted)
		return;
	conn->rx_sn_counted = false;
	/*
	 * Counting it let ExpCmdSN step over CmdSNs an ABORT TASK had
	 * plugged: step back, they wait for it again.
	 */
	while (kitt_sn_lt(cmd_sn + 1, sess->exp_cmd_sn)) {
		kitt_sess_move_window(sess, -1, -1);
		__set_bit(sess->exp_cmd_sn % KITT_CMDSN_DEPTH_MAX,
			  sess->sn_plugged);
		sess->sn_plugs++;
	}
	WRITE_ONCE(sess->exp_cmd_sn, cmd_sn);
	if (!conn->rx_sn_held)
		kitt_sess_move_window(sess, 0, -1);
}

/* A Reject carrying the offending header; its CmdSN is not counted. */
int kitt_send_reject(struct kitt_conn *conn, u8 reason)
{
	struct iscsi_reject *hdr;
	struct kitt_tx *tx;

	kitt_sess_cmdsn_unget(conn);
	tx = kitt_tx_alloc(KITT_BHS_LEN, GFP_KERNEL);
	if (!tx)
		return -ENOMEM;
	trace_kitt_reject(conn->sess ? conn->sess->tsih : 0, reason,
			  kitt_bhs_opcode(conn->rx_bhs),
			  kitt_bhs_itt(conn->rx_bhs));
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_REJECT;
	hdr->flags = ISCSI_FLAG_CMD_FINAL;
	hdr->reason = reason;
	hdr->ffffffff = cpu_to_be32(ISCSI_RESERVED_TAG);
	memcpy(tx->data, conn->rx_bhs, KITT_BHS_LEN);
	tx->flags = KITT_TX_STATSN;
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/*
 * Step ExpCmdSN over the CmdSNs counted as received out of turn (an ABORT
 * TASK plugged them, or a request held ahead of ExpCmdSN was discarded):
 * no command takes their slots, so MaxCmdSN moves with it. io_work only.
 */
static void kitt_sess_skip_plugged(struct kitt_sess *sess)
{
	while (sess->sn_plugs &&
	       __test_and_clear_bit(sess->exp_cmd_sn % KITT_CMDSN_DEPTH_MAX,
				    sess->sn_plugged)) {
		sess->sn_plugs--;
		kitt_sess_move_window(sess, 1, 1);
	}
}

/* @sn, in the window, counts as received and done. io_work only. */
static void kitt_sess_plug(struct kitt_sess *sess, u32 sn)
{
	if (!__test_and_set_bit(sn % KITT_CMDSN_DEPTH_MAX, sess->sn_plugged))
		sess->sn_plugs++;
	kitt_sess_skip_plugged(sess);
}

/*
 * RFC 7143 §11.5.1 (b): ABORT TASK of a task that does not exist, whose
 * RefCmdSN is in the window [ExpCmdSN, MaxCmdSN] and below the TMF's own
 * CmdSN: that CmdSN counts as received, so the requests behind it need
 * not wait for it, and the answer is "function complete". Returns false
 * (nothing done) when RefCmdSN is outside that range. io_work only.
 */
bool kitt_sess_plug_cmdsn(struct kitt_sess *sess, u32 ref_sn, u32 tmf_sn)
{
	bool in;

	in = kitt_sn_in_window(ref_sn, sess->exp_cmd_sn,
			       kitt_sess_max_cmd_sn(sess)) &&
	     kitt_sn_lt(ref_sn, tmf_sn);
	if (in)
		kitt_sess_plug(sess, ref_sn);
	return in;
}

/*
 * A request held ahead of ExpCmdSN (kitt_park_*) is discarded by a TMF:
 * its CmdSN was received, and the task is over. io_work only.
 */
void kitt_sess_plug_held(struct kitt_sess *sess, u32 sn)
{
	if (kitt_sn_in_window(sn, sess->exp_cmd_sn, kitt_sess_max_cmd_sn(sess)))
		kitt_sess_plug(sess, sn);
}

/*
 * Whether a held request with CmdSN @sn may run now (or be dropped).
 * io_work only.
 */
bool kitt_sess_sn_turn(struct kitt_sess *sess, u32 sn)
{
	return kitt_sn_lte(sn, sess->exp_cmd_sn);
}

/*
 * §4.2.2.1: a non-immediate request must carry ExpCmdSN; anything outside
 * [ExpCmdSN, MaxCmdSN] is dropped without a word, and so is a duplicate
 * within it. One connection delivers in order, so a request ahead of
 * ExpCmdSN follows a gap a Reject left (§11.17.1): it is held
 * (KITT_SN_AHEAD) until the initiator plugs the gap.
 * @holds_slot: the request keeps its slot until its response is sent.
 */
enum kitt_sn_verdict kitt_sess_cmdsn_check(struct kitt_conn *conn,
					   bool holds_slot)
{
	const struct iscsi_scsi_req *req = (const void *)conn->rx_bhs;
	struct kitt_sess *sess = conn->sess;
	u32 cmd_sn = be32_to_cpu(req->cmdsn);
	enum kitt_sn_verdict v = KITT_SN_NEXT;

	if (kitt_bhs_immediate(conn->rx_bhs))
		return KITT_SN_NEXT;
	conn->rx_sn_held = holds_slot;
	if (!kitt_sn_in_window(cmd_sn, sess->exp_cmd_sn,
			       kitt_sess_max_cmd_sn(sess))) {
		v = KITT_SN_DROP;
	} else if (cmd_sn != sess->exp_cmd_sn) {
		/* Counted already (plugged): a duplicate. */
		v = test_bit(cmd_sn % KITT_CMDSN_DEPTH_MAX, sess->sn_plugged) ?
		    KITT_SN_DROP : KITT_SN_AHEAD;
	} else {
		/* Requests answered at once give their slot straight back. */
		kitt_sess_move_window(sess, 1, holds_slot ? 0 : 1);
		if (unlikely(sess->sn_plugs))
			kitt_sess_skip_plugged(sess);
		conn->rx_sn_counted = true;
	}
	if (v == KITT_SN_AHEAD && kitt_park_has_sn(conn, cmd_sn))
		v = KITT_SN_DROP;	/* a duplicate of a held one */
	if (v == KITT_SN_DROP)
		pr_debug("dropping CmdSN %u outside [%u, %u] or a duplicate\n",
			 cmd_sn, sess->exp_cmd_sn, kitt_sess_max_cmd_sn(sess));
	return v;
}

static int kitt_nop_out(struct kitt_conn *conn)
{
	const struct iscsi_nopout *req = (const void *)conn->rx_bhs;
	struct iscsi_nopin *hdr;
	struct kitt_tx *tx;

	/* ITT 0xffffffff: an answer to our ping, or a ping wanting none. */
	if (req->itt == RESERVED_ITT) {
		kitt_conn_nopin_answered(conn, be32_to_cpu(req->ttt));
		return 0;
	}
	tx = kitt_tx_alloc(0, GFP_KERNEL);
	if (!tx)
		return -ENOMEM;
	/*
	 * Echo the ping data: take the received buffer over, up to what
	 * the initiator receives in one PDU (RFC 7143 §11.19).
	 */
	tx->data = conn->rx_data;
	tx->data_len = min(conn->rx_data_len, conn->params.max_xmit_dsl);
	conn->rx_data = NULL;
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_NOOP_IN;
	hdr->flags = ISCSI_FLAG_CMD_FINAL;
	hton24(hdr->dlength, tx->data_len);
	hdr->lun = req->lun;
	hdr->itt = req->itt;
	hdr->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	tx->flags = KITT_TX_STATSN;
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/*
 * A Text Response header answering @req: LUN (bytes 8 to 15, reserved in
 * the structs) and ITT echoed, @ttt, @flags.
 */
static struct kitt_tx *kitt_text_rsp_tx(const struct iscsi_text *req,
					u32 data_len, u8 flags, u32 ttt)
{
	struct kitt_tx *tx = kitt_tx_alloc(data_len, GFP_KERNEL);
	struct iscsi_text_rsp *hdr;

	if (!tx)
		return NULL;
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_TEXT_RSP;
	hdr->flags = flags;
	memcpy(hdr->rsvd4, req->rsvd4, sizeof(hdr->rsvd4));
	hdr->itt = req->itt;
	hdr->ttt = cpu_to_be32(ttt);
	tx->flags = KITT_TX_STATSN;
	return tx;
}

/* Queue one Text Response PDU of the pending answer text. */
static int kitt_text_send_part(struct kitt_conn *conn,
			       const struct iscsi_text *req)
{
	u32 left = conn->text_rsp_len - conn->text_rsp_off;
	u32 len = min(left, conn->params.max_xmit_dsl);
	bool last = len == left;
	u8 flags = last ? ISCSI_FLAG_CMD_FINAL : ISCSI_FLAG_TEXT_CONTINUE;
	struct kitt_tx *tx;

	tx = kitt_text_rsp_tx(req, len, flags,
			      last ? ISCSI_RESERVED_TAG : conn->text_ttt);
	if (!tx)
		return -ENOMEM;
	memcpy(tx->data, conn->text_rsp + conn->text_rsp_off, len);
	conn->text_rsp_off += len;
	if (last) {
		kvfree(conn->text_rsp);
		conn->text_rsp = NULL;
	}
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/*
 * Answer the keys of a Text Request in the full feature phase. Returns
 * -EINVAL if the request is to be rejected: its text is malformed, its
 * SendTargets value is, or it has no key kitt knows at all (unknown keys
 * alone: as iscsi_target_mod, so an initiator waiting for SendTargets
 * hears of its mistake as a Reject; beside known keys they are answered
 * NotUnderstood, RFC 7143 §6.2).
 */
static int kitt_text_answer(struct kitt_conn *conn, const char *text, u32 len,
			    struct kitt_text_buf *out)
{
	bool known = false, unknown = false;
	u32 pos = 0, mrdsl, new_mrdsl = 0;
	struct kitt_text_pair p;
	int r;

	while ((r = kitt_text_next(text, len, &pos, &p)) > 0) {
		switch (kitt_nego_ffp_key(&p, &mrdsl)) {
		case KITT_FFP_SEND_TARGETS:
			if (kitt_send_targets(conn, p.value, p.value_len, out))
				return -EINVAL;
			break;
		case KITT_FFP_MRDSL:
			new_mrdsl = mrdsl;
			break;
		case KITT_FFP_IGNORE:
			break;
		case KITT_FFP_REJECT:
			kitt_text_add(out, p.key, p.key_len, "Reject", 6);
			break;
		case KITT_FFP_NOT_UNDERSTOOD:
			kitt_text_add(out, p.key, p.key_len, "NotUnderstood", 13);
			unknown = true;
			continue;
		}
		known = true;
	}
	if (r < 0 || (unknown && !known))
		return -EINVAL;
	/*
	 * The initiator takes larger or smaller PDUs from now on (this
	 * answer included); the TPG's MaxXmitDataSegmentLength still caps.
	 */
	if (new_mrdsl)
		conn->params.max_xmit_dsl = min(new_mrdsl,
						conn->params.max_xmit_dsl_cap);
	return 0;
}

/* A new Target Transfer Tag for a Text exchange; never the reserved one. */
static void kitt_text_new_ttt(struct kitt_conn *conn)
{
	conn->text_ttt++;
	if (conn->text_ttt == ISCSI_RESERVED_TAG)
		conn->text_ttt = 1;
}

/* Answer the whole request text @text of @len bytes. io_work only. */
static int kitt_text_reply(struct kitt_conn *conn, const char *text, u32 len)
{
	struct kitt_text_buf out;
	char *buf;

	kvfree(conn->text_rsp);
	conn->text_rsp = NULL;
	buf = kvmalloc(KITT_TEXT_RSP_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	kitt_text_buf_init(&out, buf, KITT_TEXT_RSP_MAX);
	if (kitt_text_answer(conn, text, len, &out) < 0) {
		kvfree(buf);
		return kitt_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	}
	conn->text_rsp = buf;
	conn->text_rsp_len = out.len;
	conn->text_rsp_off = 0;
	kitt_text_new_ttt(conn);
	return kitt_text_send_part(conn, (const void *)conn->rx_bhs);
}

/* Drop the request text being assembled. io_work, or the connection's end. */
static void kitt_text_req_free(struct kitt_conn *conn)
{
	kvfree(conn->text_req);
	conn->text_req = NULL;
	conn->text_req_len = 0;
}

/* Append this PDU's text to the request being assembled. io_work only. */
static int kitt_text_req_add(struct kitt_conn *conn)
{
	u32 len = conn->rx_data_len;

	if (!conn->text_req) {
		conn->text_req = kvmalloc(KITT_TEXT_REQ_MAX, GFP_KERNEL);
		if (!conn->text_req)
			return -ENOMEM;
		conn->text_req_len = 0;
		conn->text_req_itt = kitt_bhs_itt(conn->rx_bhs);
		kitt_text_new_ttt(conn);
	}
	if (len > KITT_TEXT_REQ_MAX - conn->text_req_len)
		return -E2BIG;
	if (len)
		memcpy(conn->text_req + conn->text_req_len, conn->rx_data, len);
	conn->text_req_len += len;
	return 0;
}

/*
 * More text follows (C bit): acknowledge with an empty Text Response,
 * F=0, carrying the TTT the initiator sends back with the next part.
 */
static int kitt_text_ack(struct kitt_conn *conn, const struct iscsi_text *req)
{
	struct kitt_tx *tx = kitt_text_rsp_tx(req, 0, 0, conn->text_ttt);

	if (!tx)
		return -ENOMEM;
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/*
 * A part of a request text continued over several Text Requests (C bit,
 * §11.10.2): assembled up to KITT_TEXT_REQ_MAX, answered once whole.
 */
static int kitt_text_req_part(struct kitt_conn *conn, u32 ttt, bool more)
{
	const struct iscsi_text *req = (const void *)conn->rx_bhs;
	u32 itt = kitt_bhs_itt(conn->rx_bhs);
	int ret;

	if (conn->text_req && (itt != conn->text_req_itt ||
			       (ttt != ISCSI_RESERVED_TAG && ttt != conn->text_ttt))) {
		kitt_text_req_free(conn);
		return kitt_send_reject(conn, KITT_REJECT_INVALID_PDU_FIELD);
	}
	if (more && (!conn->rx_data_len || req->flags & ISCSI_FLAG_CMD_FINAL)) {
		kitt_text_req_free(conn);
		return kitt_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	}
	ret = kitt_text_req_add(conn);
	if (ret == -E2BIG) {
		pr_warn_ratelimited("rejecting Text Request: text over %u bytes\n",
				    KITT_TEXT_REQ_MAX);
		kitt_text_req_free(conn);
		return kitt_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	}
	if (ret)
		return ret;
	if (more)
		return kitt_text_ack(conn, req);
	ret = kitt_text_reply(conn, conn->text_req, conn->text_req_len);
	kitt_text_req_free(conn);
	return ret;
}

static int kitt_text_req(struct kitt_conn *conn)
{
	const struct iscsi_text *req = (const void *)conn->rx_bhs;
	u32 ttt = be32_to_cpu(req->ttt);
	bool more = req->flags & ISCSI_FLAG_TEXT_CONTINUE;

	if (conn->text_req || more)
		return kitt_text_req_part(conn, ttt, more);
	/* The initiator asks for the next part of a long answer. */
	if (ttt != ISCSI_RESERVED_TAG) {
		if (!conn->text_rsp || ttt != conn->text_ttt)
			return kitt_send_reject(conn, KITT_REJECT_INVALID_PDU_FIELD);
		return kitt_text_send_part(conn, req);
	}
	return kitt_text_reply(conn, conn->rx_data, conn->rx_data_len);
}

static int kitt_logout_req(struct kitt_conn *conn)
{
	const struct iscsi_logout *req = (const void *)conn->rx_bhs;
	u8 reason = req->flags & ISCSI_FLAG_LOGOUT_REASON_MASK;
	u8 response = ISCSI_LOGOUT_SUCCESS;
	struct iscsi_logout_rsp *hdr;
	struct kitt_tx *tx;

	if (reason == ISCSI_LOGOUT_REASON_RECOVERY)
		response = ISCSI_LOGOUT_RECOVERY_UNSUPPORTED;
	else if (reason == ISCSI_LOGOUT_REASON_CLOSE_CONNECTION &&
		 be16_to_cpu(req->cid) != conn->cid)
		response = ISCSI_LOGOUT_CID_NOT_FOUND;
	else if (reason > ISCSI_LOGOUT_REASON_RECOVERY)
		return kitt_send_reject(conn, KITT_REJECT_INVALID_PDU_FIELD);

	tx = kitt_tx_alloc(0, GFP_KERNEL);
	if (!tx)
		return -ENOMEM;
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_LOGOUT_RSP;
	hdr->flags = ISCSI_FLAG_CMD_FINAL;
	hdr->response = response;
	hdr->itt = req->itt;
	tx->flags = KITT_TX_STATSN;
	if (response == ISCSI_LOGOUT_SUCCESS) {
		/*
		 * The answer says the cleanup is done (RFC 7143 11.15): it
		 * leaves once the session has ended, its commands with it.
		 */
		tx->flags |= KITT_TX_SESS_END;
		conn->sess->logged_out = true;
		if (conn->sess->tpg)
			atomic_inc(&conn->sess->tpg->tiqn->stats.normal_logouts);
		kitt_conn_set_state(conn, KITT_CONN_LOGOUT);
	}
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/* A whole non-data PDU of the full feature phase. */
int kitt_ffp_rx(struct kitt_conn *conn)
{
	const u8 *bhs = conn->rx_bhs;
	u8 op = kitt_bhs_opcode(bhs);

	if (conn->rx_reject)
		return kitt_send_reject(conn, conn->rx_reject);
	if (conn->rx_drop)
		return 0;
	if (conn->rx_park)
		return kitt_park_pdu(conn);
	if (op == ISCSI_OP_SCSI_CMD || op == ISCSI_OP_SCSI_DATA_OUT)
		return kitt_cmd_rx_done(conn);
	/* A TMF, like a command, holds its slot until it is answered. */
	switch (kitt_sess_cmdsn_check(conn, op == ISCSI_OP_SCSI_TMFUNC)) {
	case KITT_SN_NEXT:
		break;
	case KITT_SN_AHEAD:
		return kitt_park_pdu(conn);
	default:
		return 0;
	}
	switch (op) {
	case ISCSI_OP_NOOP_OUT:
		return kitt_nop_out(conn);
	case ISCSI_OP_TEXT:
		return kitt_text_req(conn);
	case ISCSI_OP_LOGOUT:
		return kitt_logout_req(conn);
	case ISCSI_OP_SCSI_TMFUNC:
		return kitt_tmf_rx(conn);
	}
	return kitt_send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
}

/*
 * Give back the CmdSN slot of a finished command, from any context, after
 * its tag if it had one (release: see kitt_sess_max_cmd_sn()). The window
 * moves on by one.
 */
void kitt_sess_cmd_done(struct kitt_sess *sess)
{
	atomic_inc_return_release(&sess->slots_back);
}

/*
 * The ACL of @se_sess is being removed (the core took the session off
 * the ACL's list and waits for its end): close its connection.
 */
void kitt_close_session(struct se_session *se_sess)
{
	struct kitt_sess *sess = se_sess->fabric_sess_ptr;

	spin_lock_bh(&sess->conn_lock);
	if (sess->conn)
		kitt_conn_close(sess->conn, "its ACL was removed");
	spin_unlock_bh(&sess->conn_lock);
}

/* ---- what configfs shows of an ACL's session ---- */

static const char *kitt_conn_state_name(enum kitt_conn_state state)
{
	switch (state) {
	case KITT_CONN_LOGIN:
		return "TARG_CONN_STATE_IN_LOGIN";
	case KITT_CONN_FULL:
		return "TARG_CONN_STATE_LOGGED_IN";
	case KITT_CONN_LOGOUT:
		return "TARG_CONN_STATE_IN_LOGOUT";
	default:
		return "TARG_CONN_STATE_CLEANUP_WAIT";
	}
}

static const char kitt_dashes[] = "-------------------------";

static ssize_t kitt_sess_info(struct kitt_sess *sess, char *page)
{
	struct kitt_conn *conn;
	ssize_t n = 0;
	u32 exp, max;

	n += sysfs_emit_at(page, n, "InitiatorName: %s\n", sess->initiator_name);
	n += sysfs_emit_at(page, n, "InitiatorAlias: %s\n",
			   sess->initiator_alias);
	n += sysfs_emit_at(page, n,
			   "LIO Session ID: %u   ISID: 0x%6ph  TSIH: %u  SessionType: %s\n",
			   sess->tsih, sess->isid, sess->tsih,
			   sess->type == KITT_SESS_DISCOVERY ? "Discovery" : "Normal");
	spin_lock_bh(&sess->conn_lock);
	conn = sess->conn;
	exp = READ_ONCE(sess->exp_cmd_sn);
	max = kitt_sess_max_cmd_sn(sess);
	n += sysfs_emit_at(page, n, "Session State: %s\n",
			   conn ? "TARG_SESS_STATE_LOGGED_IN" :
			   "TARG_SESS_STATE_FAILED");
	n += sysfs_emit_at(page, n, "%.21s[iSCSI Session Values]%.23s\n",
			   kitt_dashes, kitt_dashes);
	n += sysfs_emit_at(page, n, "  CmdSN/WR  :  CmdSN/WC  :  ExpCmdSN");
	n += sysfs_emit_at(page, n, "  :  MaxCmdSN  :     ITT    :     TTT\n");
	n += sysfs_emit_at(page, n, " 0x%08x   0x%08x   0x%08x   0x%08x   0x%08x   0x%08x\n",
			   sess->cmdsn_depth, max - exp + 1, exp, max, 0, 0);
	n += sysfs_emit_at(page, n, "%.22s[iSCSI Connections]%.25s\n",
			   kitt_dashes, kitt_dashes);
	if (conn) {
		const struct kitt_netaddr *a = &conn->peer;

		n += sysfs_emit_at(page, n, "CID: %u  Connection State: %s\n",
				   conn->cid,
				   kitt_conn_state_name(READ_ONCE(conn->state)));
		if (a->family == KITT_AF_INET6)
			n += sysfs_emit_at(page, n, "   Address %pI6c TCP", a->addr);
		else
			n += sysfs_emit_at(page, n, "   Address %pI4 TCP", a->addr);
		n += sysfs_emit_at(page, n, "  StatSN: 0x%08x\n",
				   READ_ONCE(conn->stat_sn));
	}
	spin_unlock_bh(&sess->conn_lock);
	return n;
}

/*
 * acls/NAME/info, laid out as iscsi_target_mod does: rtslib parses it
 * for targetcli's "sessions".
 */
ssize_t kitt_nacl_info(struct se_node_acl *se_nacl, char *page)
{
	struct se_session *se_sess;
	ssize_t n;

	/* nacl_sess_lock: the core registers and deregisters under it. */
	spin_lock_bh(&se_nacl->nacl_sess_lock);
	se_sess = se_nacl->nacl_sess;
	if (se_sess)
		n = kitt_sess_info(se_sess->fabric_sess_ptr, page);
	else
		n = sysfs_emit(page, "No active iSCSI Session for Initiator Endpoint: %s\n",
			       se_nacl->initiatorname);
	spin_unlock_bh(&se_nacl->nacl_sess_lock);
	return n;
}

/* The values the ACL's active session negotiated; false if none. */
bool kitt_nacl_sess_params(struct se_node_acl *se_nacl,
			   struct kitt_sess_params *params)
{
	struct se_session *se_sess;
	struct kitt_sess *sess;

	spin_lock_bh(&se_nacl->nacl_sess_lock);
	se_sess = se_nacl->nacl_sess;
	if (se_sess) {
		sess = se_sess->fabric_sess_ptr;
		*params = sess->params;
	}
	spin_unlock_bh(&se_nacl->nacl_sess_lock);
	return se_sess;
}
