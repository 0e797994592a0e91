/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connections, logins and sessions.
 *
 * A connection is driven by one work item, io_work, which the socket
 * callbacks queue: it receives PDUs and sends queued responses, each with
 * a budget, then requeues itself if there is more. Nothing else reads from
 * or writes to the socket. See Documentation/architecture.rst.
 */
#ifndef KITT_CONN_H
#define KITT_CONN_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <target/target_core_base.h>

#include "kitt/nego.h"
#include "kitt/netaddr.h"
#include "kitt/pdu.h"

/* Longest CDB the target core takes (SCSI_MAX_VARLEN_CDB_SIZE). */
#define KITT_CDB_MAX		260

struct kitt_portal;
struct sock;
struct kitt_tpg;
struct kitt_login;
struct kitt_sess;
struct kitt_buf;

/* A connection's life; kitt_conn_set_state() is the one place it changes. */
enum kitt_conn_state {
	KITT_CONN_LOGIN,	/* accepted, login in progress */
	KITT_CONN_FULL,		/* full feature phase */
	KITT_CONN_LOGOUT,	/* logout response queued: sent as the session ends */
	KITT_CONN_CLOSING,	/* torn down by release_work */
};

/* Where the receiver is within the current PDU. */
enum kitt_rx_state {
	KITT_RX_BHS,		/* the 48-byte header */
	KITT_RX_AHS,		/* additional header segments */
	KITT_RX_HDIGEST,	/* header digest (if any), then header checks */
	KITT_RX_HDR,		/* decide where the data goes */
	KITT_RX_WAIT,		/* a command must get its buffers first */
	KITT_RX_DATA,		/* the data segment */
	KITT_RX_PAD,		/* padding to 4 bytes */
	KITT_RX_DDIGEST,	/* data digest (if any) */
	KITT_RX_END,		/* whole: dispatch it */
};

enum kitt_tx_kind {
	KITT_TX_BUF,		/* a header and a buffer, freed once sent */
	KITT_TX_R2T,		/* R2Ts of a command (kitt_cmd.r2t_tx) */
	KITT_TX_RSP,		/* Data-In and status of a command (kitt_cmd.rsp_tx) */
};

/* Answers (Reject, NOP-In, Text...) a connection queues before it stops reading. */
#define KITT_TX_BUFS_MAX	64
#define KITT_TX_BUF_BYTES_MAX	(1024 * 1024)

/*
 * Most bytes read ahead of a header (kitt_conn.rx_stage): ten headers (nine
 * with header digests), or a header and what data came with it.
 */
#define KITT_RX_STAGE		512

/* A header and room for its digest. */
#define KITT_HDR_MAX		(KITT_BHS_LEN + KITT_DIGEST_LEN)

/*
 * Failed commands whose unsolicited data is still dropped quietly, per
 * connection; beyond that, the oldest one's leftovers get Rejects.
 */
#define KITT_DRAIN_MAX		8

/* A PDU waiting to be sent, or being sent. */
struct kitt_tx {
	/* kitt_conn.tx_queue under lock, or io_work's rsp_list */
	struct list_head entry;
	struct llist_node rsp_node;	/* kitt_conn.rsp_ll (a command's rsp_tx) */
	enum kitt_tx_kind kind;
	u8 hdr[KITT_HDR_MAX] __aligned(4);
	void *data;			/* the data segment, if any */
	u32 data_len;
	/* Set as it starts to go out (io_work): */
	u32 hdr_len;			/* with its digest, if any */
	u32 ddigest_len;		/* 4 with a data digest, else 0 */
	u8 ddigest[KITT_DIGEST_LEN];
	u32 sent;			/* bytes of header, data, pad, digest */
	unsigned int flags;		/* KITT_TX_* */
};

#define KITT_TX_STATSN		BIT(0)	/* takes the next StatSN */
#define KITT_TX_CLOSE		BIT(1)	/* close the connection once sent */
/* The Logout Response: release_work sends it once the session has ended. */
#define KITT_TX_SESS_END	BIT(2)

struct kitt_conn {
	struct kref ref;
	struct socket *sock;
	/* portal and portal_entry: under kitt_conns_lock (drivers/conn.c) */
	struct kitt_portal *portal;
	struct list_head portal_entry;
	bool login_counted;		/* in portal->logins */
	bool disc_counted;		/* in portal->discovery */
	struct work_struct io_work;
	/*
	 * The CPU io_work is queued on (WORK_CPU_UNBOUND: the queueing one):
	 * written by io_work (and before the callbacks go in), read with
	 * READ_ONCE wherever io_work is queued. cpu_gen, owned by io_work,
	 * is the cpus_allowed_list generation it was picked from.
	 */
	int cpu;
	unsigned int cpu_gen;
	unsigned int cpu_seq;		/* this connection's turn, for spreading */
	struct work_struct release_work;
	struct delayed_work login_timeout;
	unsigned long accepted;		/* jiffies; set before callbacks go in */
	unsigned long login_seen;	/* jiffies: accepted, or last Login PDU in */
	struct delayed_work nopin_work;	/* pings an idle connection */
	struct delayed_work logout_timeout; /* after asking for a logout */
	/* Writes waiting for data; a discovery session's idle limit. */
	struct delayed_work watch_work;
	unsigned long dataout_timeout;	/* jiffies, 0: none; set at login */
	bool logout_asked;		/* under lock */
	bool normal;			/* of a normal session; set at login */

	spinlock_t lock;	/* protects state, end_why, tx_queue, cmds, nopin_*, kick_off */
	enum kitt_conn_state state;
	struct list_head tx_queue;	/* R2Ts and KITT_TX_BUF PDUs */
	/*
	 * Commands' responses (rsp_tx), without a lock: completions add
	 * them to rsp_ll from any context; io_work (or release, once
	 * io_work has stopped) moves them to rsp_list, oldest first, and
	 * sends them from there (kitt_conn_take_rsps()).
	 */
	struct llist_head rsp_ll;
	struct list_head rsp_list;
	/*
	 * KITT_TX_BUF PDUs queued or being sent, and their data bytes
	 * (atomic: queued anywhere, freed by io_work). Past
	 * KITT_TX_BUFS_MAX or KITT_TX_BUF_BYTES_MAX no new PDU is read, so
	 * a peer that sends and never reads ties up no more than these.
	 */
	atomic_t tx_bufs;
	atomic_t tx_buf_bytes;
	u32 nopin_ttt;			/* TTT of the ping awaiting its answer */
	bool nopin_outstanding;
	unsigned long nopin_sent;	/* jiffies */
	unsigned long last_rx;		/* last PDU in (jiffies); io_work writes */
	unsigned long nopin_interval;	/* 0: no pings */
	unsigned long nopin_response;

	/* Owned by io_work: */
	bool hdigest, ddigest;		/* CRC32C digests, from login on */
	struct kitt_tx *tx_cur;
	/* A KITT_TX_SESS_END PDU, stamped; release_work's once io_work stops. */
	struct kitt_tx *tx_last;
	const char *end_why;		/* why it closes; set once, under lock */
	bool tx_corked;			/* the last send had MSG_MORE */
	/*
	 * 6.12: Data-In headers, copied to go out with their data, all
	 * KITT_HDR_FRAG bytes (cmd.c). Holds a page (32 KiB, or 4 KiB) from
	 * the first Data-In until the connection is freed.
	 */
	struct page_frag_cache tx_frags;
	enum kitt_rx_state rx_state;
	u32 rx_done;			/* bytes of the current piece so far */
	u8 rx_bhs[KITT_BHS_LEN];
	u8 rx_ahs[KITT_AHS_MAX];
	u8 rx_pad[4];
	void *rx_data;			/* data segment of the current PDU */
	u32 rx_ahs_len, rx_data_len;
	struct iov_iter rx_iter;	/* where the data segment goes */
	struct kvec rx_kvec;
	struct bio_vec *rx_bvec;	/* pages of a command's buffer */
	u32 rx_bvec_max;
	u32 rx_bvec_n;			/* in use for this PDU; 0: rx_kvec */
	u32 rx_crc;			/* data digest so far */
	bool rx_crc_dest;		/* rx_iter's part is in rx_crc */
	/*
	 * Bytes read from the socket ahead of the piece asked for
	 * (kitt_conn_recv()), taken before the socket's: rx_stage[rx_stage_pos]
	 * to rx_stage[rx_stage_len]. A kmalloc()ed buffer of KITT_RX_STAGE
	 * bytes, from the first read ahead on (copy_to_iter() takes from it:
	 * hardened usercopy allows kmalloc caches). rx_ahead: the last PDU
	 * had no data segment, so the next header is read ahead (until it
	 * is in).
	 */
	u8 *rx_stage;
	u32 rx_stage_pos, rx_stage_len;
	bool rx_ahead;
	u8 rx_digest[KITT_DIGEST_LEN];
	u32 rx_discard;			/* bytes of data to read and drop */
	struct kitt_cmd *rx_cmd;	/* the command the data is for */
	u8 rx_cdb[KITT_CDB_MAX];	/* the CDB being started */
	u8 rx_reject;			/* Reject reason for this PDU, or 0 */
	bool rx_drop;			/* ignore this PDU (CmdSN outside window) */
	/* Its CmdSN was counted (non-immediate): a Reject takes it back. */
	bool rx_sn_counted;
	bool rx_sn_held;		/* ... and its slot is still held */
	bool rx_park;			/* hold the whole PDU (kitt_park_pdu) */
	/*
	 * Requests received ahead of ExpCmdSN, and the unsolicited Data-Out
	 * of such commands, held whole in CmdSN order until their turn
	 * (park.c); park_bytes of them. replay: the one being read again.
	 */
	struct list_head parked;	/* requests, by CmdSN */
	struct list_head park_next;	/* Data-Out of the one read again */
	u32 park_bytes;			/* 0: nothing held */
	struct kitt_parked *replay;
	struct kitt_cmd *unsol_cmd;	/* the last command promising unsolicited data */
	/*
	 * Commands answered before their unsolicited data was all in (they
	 * failed early): that much more of it is dropped without a Reject.
	 */
	struct kitt_drain {
		u32 itt;
		u32 left;		/* bytes still to come; 0: slot free */
	} drain[KITT_DRAIN_MAX];
	u32 drain_next;			/* slot taken when all are in use */
	struct list_head cmds;		/* kitt_cmd.conn_entry, under lock */
	struct list_head aborted;	/* aborted commands, under lock */
	/*
	 * Written under lock. kick_off: release has begun, nothing may
	 * queue io_work or a timer any more (a response's wake-up reads it
	 * without the lock: see kitt_conn_kick_rsp()); io_stopped: io_work
	 * has been cancelled for good.
	 */
	bool kick_off;
	bool io_stopped;
	u32 stat_sn;			/* StatSN of the next status */
	struct kitt_pdu_limits limits;
	struct kitt_login *login;	/* while logging in */
	struct kitt_sess *sess;		/* once logged in */
	struct kitt_sess_params params;
	u16 cid;
	/* A Text answer too long for one PDU, sent in parts (io_work only). */
	char *text_rsp;
	u32 text_rsp_len, text_rsp_off;
	u32 text_ttt;
	/* A request text continued (C bit) being assembled (io_work only). */
	char *text_req;
	u32 text_req_len;
	u32 text_req_itt;

	struct kitt_netaddr local;	/* the address the initiator reached */
	struct kitt_netaddr peer;

	/* Saved socket callbacks, restored at close. */
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
};

/*
 * A PDU held by park.c: header and AHS, data segment (padded with zeros
 * on reading) as received, digests already checked and left out; read
 * again later through the receive path as if it came from the socket.
 */
struct kitt_parked {
	struct list_head entry;		/* kitt_conn.parked or a data list */
	struct list_head data;		/* a SCSI command's: its Data-Out */
	u32 cmd_sn;
	u32 itt;
	u64 lun;
	u8 opcode;
	u32 owed;			/* unsolicited data still to come */
	u32 charge;			/* counted in park_bytes */
	u32 hdr_len;			/* BHS + AHS in hdr */
	u32 data_len;
	u32 len, pos;			/* bytes to read again; read so far */
	void *buf;			/* the data segment */
	u8 hdr[];
};

/* What one connection holds ahead of ExpCmdSN, at most. */
#define KITT_PARK_BYTES_MAX	(4U << 20)

/* Upper bound of default_cmdsn_depth and an ACL's cmdsn_depth. */
#define KITT_CMDSN_DEPTH_MAX	512

/*
 * A session: one connection for now (MaxConnections=1). Normal sessions
 * carry a target-core se_session; discovery sessions have none.
 */
struct kitt_sess {
	struct kref ref;
	enum kitt_session_type type;
	struct kitt_tpg *tpg;		/* NULL for discovery */
	struct se_session *se_sess;	/* NULL for discovery */
	u8 isid[6];
	u16 tsih;
	char initiator_name[KITT_ISCSI_NAME_MAX + 1];
	char initiator_alias[KITT_TEXT_VALUE_MAX + 1];
	struct kitt_sess_params params;
	struct list_head tpg_entry;	/* kitt_tpg.sessions, under tpg->lock */
	bool logged_out;		/* ended by a Logout (io_work sets it) */

	/*
	 * The CmdSN window, without a lock: ExpCmdSN, MaxCmdSN's base and
	 * the plugged CmdSNs are io_work's alone (it counts every request
	 * and stamps every PDU); others read them with READ_ONCE. Slots
	 * given back from any context add up in slots_back: MaxCmdSN is
	 * max_base + slots_back (kitt_sess_max_cmd_sn()).
	 */
	u32 exp_cmd_sn;
	u32 max_base;
	atomic_t slots_back;
	/*
	 * CmdSNs above exp_cmd_sn counted as received by an ABORT TASK
	 * (kitt_sess_plug_cmdsn()), by CmdSN % KITT_CMDSN_DEPTH_MAX; a
	 * window is never longer, so each CmdSN has its own bit.
	 */
	DECLARE_BITMAP(sn_plugged, KITT_CMDSN_DEPTH_MAX);
	u32 sn_plugs;			/* bits set in sn_plugged */
	u32 cmdsn_depth;
	u32 tags;			/* tag pool: cmdsn_depth + KITT_TAGS_RESERVE */
	atomic_t imm_cmds;		/* immediate SCSI commands holding a tag */
	atomic_t imm_tmfs;		/* immediate TMFs holding a tag */
	atomic_t tmfs;			/* TMFs in the core (kitt_conn_watch_work) */
	unsigned long tmf_seen;		/* jiffies: the last TMF went to the core */

	spinlock_t conn_lock;		/* protects conn */
	/* The connection; cleared when it closes. */
	struct kitt_conn *conn;
	/* Off the TPG's list, commands done (tpg->lock; kitt_sess_ended_wq). */
	bool ended;
	/* Bytes of data buffer its commands hold (max_session_data_mib). */
	atomic_long_t data_bytes;
	/* Data buffers kept for reuse (drivers/buf.c), and their pages. */
	struct llist_head buf_free;	/* given back, newest first */
	struct llist_node *buf_ready;	/* io_work's, oldest first; freed after */
	atomic_t buf_pages;
	/* In each sector of a read's kept buffer until written; never sent. */
	u64 canary[2];
};

/*
 * Tags beyond the CmdSN window, for immediate requests: half for SCSI
 * commands, half for TMFs, so that TMFs always find one and the window's
 * tags are the window's.
 */
#define KITT_TAGS_RESERVE	16
#define KITT_IMM_MAX		(KITT_TAGS_RESERVE / 2)

/*
 * Discovery sessions at once, all portals together (a quarter of their
 * TSIH range), and the highest max_discovery_sessions_per_portal.
 */
#define KITT_DISCOVERY_SESSIONS_MAX	4096

/* Most R2Ts one command has outstanding (MaxOutstandingR2T is capped). */
#define KITT_MAX_R2T		4

/* One solicited (or the unsolicited) burst of Data-Out. */
struct kitt_burst {
	u32 ttt;			/* 0xffffffff for unsolicited data */
	u32 offset;			/* BufferOffset of its first byte */
	u32 len;
	u32 received;
	u32 data_sn;			/* DataSN expected next */
	bool active;
};

/*
 * Where a walk through a command's scatterlist stands: the entry holding
 * the byte last asked for, and that entry's first byte as an offset in
 * the data. A walk that only moves forward costs one step per entry.
 */
struct kitt_sg_cursor {
	struct scatterlist *sg;
	u32 start;
};

/* Sending a command's Data-In and status, step by step. */
enum kitt_cmd_tx_state {
	KITT_CTX_START,
	KITT_CTX_DATAIN_HDR,
	KITT_CTX_DATAIN_DATA,
	KITT_CTX_STATUS_HDR,
	KITT_CTX_STATUS_DATA,
};

/*
 * A SCSI command: the target core's se_cmd and what iSCSI adds. Lives in
 * the session's tag pool; the io_work of its connection owns the fields
 * below except flags.
 */
struct kitt_cmd {
	struct se_cmd se_cmd;
	struct kitt_conn *conn;
	struct kitt_buf *buf;		/* kept pages it uses (drivers/buf.c) */
	struct list_head conn_entry;	/* kitt_conn.cmds, under conn->lock */
	unsigned long flags;		/* KITT_CMD_* bits, atomic */
	u32 itt;
	u32 edtl;			/* initiator's EDTL, in the command's direction */
	u32 cut;			/* bytes cut off an overflowing command */
	u8 lun[8];
	u32 tmf_ref_sn, tmf_sn;		/* ABORT TASK: RefCmdSN, its CmdSN */

	/* Data-Out */
	u32 imm_len;			/* immediate data in the command PDU */
	u32 data_done;			/* bytes of write data in place */
	u32 write_len;			/* bytes of write data to receive */
	u32 charged;			/* its part of sess->data_bytes */
	unsigned long data_wait;	/* jiffies: data owed since; 0: none owed */
	u32 r2t_offset;			/* next offset to ask for */
	u32 r2t_sn;
	struct kitt_burst unsol;
	struct kitt_burst bursts[KITT_MAX_R2T];
	struct kitt_burst *rx_burst;	/* burst of the Data-Out being read */
	u32 rx_len;			/* its data length */
	u32 rx_place;			/* how much of it lands in the pages */
	struct kitt_sg_cursor rx_cur;	/* in the pages, for Data-Out */

	/* Data-In and status */
	enum kitt_cmd_tx_state tx_state;
	u32 datain_len;			/* min(what the core has, EDTL) */
	u32 datain_off, datain_sn;
	u32 pdu_len, piece_sent;
	u32 burst_left;			/* of the current Data-In sequence */
	struct kitt_sg_cursor tx_cur;	/* in the pages, for Data-In */
	bool status_in_datain;
	u8 pdu_hdr[KITT_HDR_MAX] __aligned(4);
	u8 data_digest[KITT_DIGEST_LEN];	/* of the current PDU's data */
	u8 sense_hdr[2];
	u8 r2t_hdr[KITT_HDR_MAX] __aligned(4);
	u32 r2t_sent;
	bool r2t_building;
	struct kitt_tx r2t_tx;
	struct kitt_tx rsp_tx;
	unsigned char sense[TRANSPORT_SENSE_BUFFER];
};

enum {
	KITT_CMD_IMMEDIATE,	/* the I bit: no CmdSN slot */
	/* What it holds besides its tag, given back with it: */
	KITT_CMD_SLOT,		/* a CmdSN slot */
	KITT_CMD_IMM_CMD,	/* immediate SCSI command: in sess->imm_cmds */
	KITT_CMD_IMM_TMF,	/* immediate TMF: in sess->imm_tmfs */
	KITT_CMD_TMF_COUNTED,	/* a TMF in the core: sess->tmfs, kitt_tmfs */
	KITT_CMD_TMF_PLUG,	/* ABORT TASK: tmf_ref_sn may be plugged */
	KITT_CMD_TMF_HELD,	/* ABORT TASK ended a held command */
	KITT_CMD_WRITE_READY,	/* write_pending was called: buffers exist */
	KITT_CMD_RSP_QUEUED,	/* Data-In/status queued */
	KITT_CMD_R2T_QUEUED,
	KITT_CMD_DATA_ERROR,	/* bad Data-Out: fail once the data is in */
	KITT_CMD_EXECUTED,	/* handed back to the core to execute */
	KITT_CMD_FINISH_DEFERRED, /* response sent while its data was read */
	KITT_CMD_ABORTED,	/* aborted by a TMF: on kitt_conn.aborted */
	KITT_CMD_ORPHAN,	/* its connection is gone: nothing will be sent */
	KITT_CMD_ORPHAN_ENDED,	/* an orphan's slot and reference given back */
};

/* Header bytes on the wire: with the header digest if it is on. */
static inline u32 kitt_conn_hdr_len(const struct kitt_conn *conn)
{
	return KITT_BHS_LEN + (conn->hdigest ? KITT_DIGEST_LEN : 0);
}

/* drivers/conn.c */
extern const u8 kitt_zero_pad[4];
int kitt_conn_init(void);
void kitt_conn_exit(void);
int kitt_allowed_cpus_set(const struct cpumask *mask);
ssize_t kitt_allowed_cpus_show(char *page);
int kitt_conn_start(struct kitt_portal *portal, struct socket *sock);
void kitt_portal_close_conns(struct kitt_portal *portal);
void kitt_conn_close(struct kitt_conn *conn, const char *why);
void kitt_conn_close_quiet(struct kitt_conn *conn, const char *why);
void kitt_conn_ask_logout(struct kitt_conn *conn);
void kitt_conn_put(struct kitt_conn *conn);
void kitt_conn_set_state(struct kitt_conn *conn, enum kitt_conn_state state);
void kitt_conn_queue_tx(struct kitt_conn *conn, struct kitt_tx *tx);
struct kitt_tx *kitt_tx_alloc(u32 data_len, gfp_t gfp);
void kitt_tx_free(struct kitt_tx *tx);
struct kitt_portal *kitt_conn_portal(struct kitt_conn *conn);
void kitt_conn_stamp_hdr(struct kitt_conn *conn, u8 *hdr, bool status);
u32 kitt_conn_seal_hdr(struct kitt_conn *conn, u8 *hdr);
int kitt_conn_send_kvec(struct kitt_conn *conn, const void *buf, u32 len,
			u32 *sent, bool more);
int kitt_conn_send_pages(struct kitt_conn *conn, struct bio_vec *bv,
			 unsigned int n, u32 len, bool more);
void kitt_conn_kick(struct kitt_conn *conn);
void kitt_conn_queue_rsp(struct kitt_conn *conn, struct kitt_tx *tx);
void kitt_conn_take_rsps(struct kitt_conn *conn);
bool kitt_conn_tx_pending(struct kitt_conn *conn);
void kitt_conn_kick_locked(struct kitt_conn *conn);
void kitt_conn_watch_soon(struct kitt_conn *conn);
void kitt_conn_nopin_answered(struct kitt_conn *conn, u32 ttt);
void kitt_conn_logged_in(struct kitt_conn *conn);
void kitt_conn_login_deadline(struct kitt_conn *conn, u32 secs);
int kitt_conn_count_discovery(struct kitt_conn *conn);

/* drivers/login.c */
struct kitt_login *kitt_login_alloc(void);
void kitt_login_free(struct kitt_login *login);
/* kitt_login_result's class and detail for a login that got no last answer. */
#define KITT_LOGIN_ABANDONED	255
void kitt_login_trace_abandoned(struct kitt_conn *conn);
int kitt_login_rx(struct kitt_conn *conn);
void kitt_login_fill_sn(struct kitt_conn *conn, u8 *hdr);

/* drivers/session.c */
int kitt_sess_init(void);
void kitt_sess_exit(void);
int kitt_ffp_rx(struct kitt_conn *conn);
void kitt_sess_fill_sn(struct kitt_sess *sess, u8 *hdr);
void kitt_sess_conn_closed(struct kitt_conn *conn);
struct kitt_sess *kitt_sess_create(struct kitt_conn *conn,
				   const struct kitt_nego *nego,
				   struct kitt_tpg *tpg, const u8 *isid,
				   u32 cmd_sn, struct se_node_acl *acl);
bool kitt_sess_exists(struct kitt_tpg *tpg, const char *name, const u8 *isid,
		      u16 tsih);
void kitt_tpg_close_sessions(struct kitt_tpg *tpg);
int kitt_send_reject(struct kitt_conn *conn, u8 reason);
void kitt_sess_cmd_done(struct kitt_sess *sess);
ssize_t kitt_nacl_info(struct se_node_acl *se_nacl, char *page);
void kitt_close_session(struct se_session *se_sess);
bool kitt_nacl_sess_params(struct se_node_acl *se_nacl,
			   struct kitt_sess_params *params);
/* Where a non-immediate request's CmdSN puts it (kitt_sess_cmdsn_check). */
enum kitt_sn_verdict {
	KITT_SN_NEXT,		/* ExpCmdSN (or immediate): counted, go on */
	KITT_SN_AHEAD,		/* in the window past a gap: hold it */
	KITT_SN_DROP,		/* outside the window, or a duplicate */
};

enum kitt_sn_verdict kitt_sess_cmdsn_check(struct kitt_conn *conn,
					   bool holds_slot);
bool kitt_sess_plug_cmdsn(struct kitt_sess *sess, u32 ref_sn, u32 tmf_sn);
void kitt_sess_plug_held(struct kitt_sess *sess, u32 sn);
bool kitt_sess_sn_turn(struct kitt_sess *sess, u32 sn);
void kitt_sess_cmdsn_unget(struct kitt_conn *conn);

/* drivers/buf.c */
int kitt_buf_init(void);
void kitt_buf_exit(void);
void kitt_buf_attach(struct kitt_sess *sess, struct kitt_cmd *cmd);
void kitt_buf_scrub(struct kitt_sess *sess, struct kitt_cmd *cmd);
void kitt_buf_release(struct kitt_sess *sess, struct kitt_cmd *cmd);
void kitt_buf_free_all(struct kitt_sess *sess);

/* drivers/cmd.c */
int kitt_ffp_rx_hdr(struct kitt_conn *conn);
int kitt_park_pdu(struct kitt_conn *conn);
void kitt_data_out_drain_add(struct kitt_conn *conn, u32 itt, u32 left);
bool kitt_park_has_sn(struct kitt_conn *conn, u32 cmd_sn);
bool kitt_park_has_itt(struct kitt_conn *conn, u32 itt);
void kitt_park_replay_next(struct kitt_conn *conn);
int kitt_park_read(struct kitt_conn *conn, void *buf, u32 len);
int kitt_park_read_iter(struct kitt_conn *conn, struct iov_iter *iter);
void kitt_park_replay_end(struct kitt_conn *conn);
bool kitt_park_discard(struct kitt_conn *conn, u32 tmf_sn, u8 function,
		       u64 lun, u32 itt);
void kitt_park_free_all(struct kitt_conn *conn);
int kitt_cmd_rx_ready(struct kitt_conn *conn);
int kitt_cmd_rx_done(struct kitt_conn *conn);
int kitt_cmd_send(struct kitt_conn *conn, struct kitt_tx *tx);
void kitt_conn_release_cmds(struct kitt_conn *conn);
bool kitt_conn_watch_writes(struct kitt_conn *conn, unsigned long timeout);
void __kitt_conn_reap_aborted(struct kitt_conn *conn, bool all);

/*
 * io_work calls this twice a run, and almost always finds no aborted
 * command: the look is inline. Unlocked: a command aborted from another
 * context kicks io_work after adding itself, one aborted within io_work
 * is seen here.
 */
static inline void kitt_conn_reap_aborted(struct kitt_conn *conn, bool all)
{
	if (all || !list_empty_careful(&conn->aborted))
		__kitt_conn_reap_aborted(conn, all);
}

struct kitt_cmd *kitt_cmd_get(struct kitt_conn *conn, const u8 *bhs);
void kitt_cmd_put_unused(struct kitt_conn *conn, struct kitt_cmd *cmd);
int kitt_write_pending(struct se_cmd *se_cmd);
int kitt_queue_data_in(struct se_cmd *se_cmd);
int kitt_queue_status(struct se_cmd *se_cmd);
void kitt_release_cmd(struct se_cmd *se_cmd);
void kitt_aborted_task(struct se_cmd *se_cmd);
int kitt_get_cmd_state(struct se_cmd *se_cmd);
void kitt_queue_tm_rsp(struct se_cmd *se_cmd);

/* drivers/tmf.c */
int kitt_tmf_rx(struct kitt_conn *conn);
void kitt_tmf_done(struct kitt_sess *sess);
bool kitt_tmf_recent(struct kitt_sess *sess, unsigned long within);
bool kitt_tmfs_in_core(void);
u8 kitt_tmf_response(struct kitt_cmd *cmd);

/* drivers/discovery.c */
int kitt_send_targets(struct kitt_conn *conn, const char *value, u32 len,
		      struct kitt_text_buf *out);

#endif /* KITT_CONN_H */
