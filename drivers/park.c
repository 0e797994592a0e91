// SPDX-License-Identifier: GPL-2.0
/*
 * Requests received ahead of ExpCmdSN (RFC 7143 §4.2.2.1, §11.17.1).
 *
 * One connection delivers in order, so a non-immediate request whose
 * CmdSN lies in the window past ExpCmdSN follows a gap: a request kitt
 * rejected, whose CmdSN does not count until the initiator plugs it (with
 * a new request carrying that CmdSN, or an ABORT TASK of it). Requests
 * behind the gap must not be ignored, and must run in CmdSN order: each
 * is held here whole, with the unsolicited Data-Out of held commands on
 * the command's own list, and read again through the receive path once
 * ExpCmdSN reaches it. Nothing past the receive path knows it was held.
 *
 * A TMF of the session reaches held commands sent before it
 * (kitt_park_discard). A connection holds at most KITT_PARK_BYTES_MAX,
 * counting what a held write's unsolicited data will take: past that a
 * request is dropped, as if it had been lost, and a held write whose
 * data does not fit is dropped with it.
 *
 * Everything here runs in io_work, which owns conn->parked, park_next,
 * park_bytes and replay.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <scsi/iscsi_proto.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>

#include "kitt/conn.h"
#include "kitt/kitt.h"

static void kitt_park_free(struct kitt_conn *conn, struct kitt_parked *p)
{
	conn->park_bytes -= p->charge;
	kvfree(p->buf);
	kfree(p);
}

/* The held SCSI command with @itt, or NULL. */
static struct kitt_parked *kitt_park_find_itt(struct kitt_conn *conn,
					      u32 itt)
{
	struct kitt_parked *p;

	list_for_each_entry(p, &conn->parked, entry)
		if (p->opcode == ISCSI_OP_SCSI_CMD && p->itt == itt)
			return p;
	return NULL;
}

/* Whether a request with CmdSN @cmd_sn is held already (a duplicate). */
bool kitt_park_has_sn(struct kitt_conn *conn, u32 cmd_sn)
{
	struct kitt_parked *p;

	list_for_each_entry(p, &conn->parked, entry)
		if (p->cmd_sn == cmd_sn)
			return true;
	return false;
}

/* Whether unsolicited Data-Out with @itt belongs to a held command. */
bool kitt_park_has_itt(struct kitt_conn *conn, u32 itt)
{
	return kitt_park_find_itt(conn, itt);
}

/* Requests in CmdSN order: @p after every one not above it. */
static void kitt_park_insert(struct kitt_conn *conn, struct kitt_parked *p)
{
	struct kitt_parked *e;

	list_for_each_entry_reverse(e, &conn->parked, entry) {
		if (!kitt_sn_lt(p->cmd_sn, e->cmd_sn)) {
			list_add(&p->entry, &e->entry);
			return;
		}
	}
	list_add(&p->entry, &conn->parked);
}

/* Let held command @cmd go, with its data; what is still to come drains. */
static void kitt_park_drop_task(struct kitt_conn *conn,
				struct kitt_parked *cmd)
{
	struct kitt_parked *p, *next;

	list_for_each_entry_safe(p, next, &cmd->data, entry) {
		list_del(&p->entry);
		kitt_park_free(conn, p);
	}
	if (cmd->owed)
		kitt_data_out_drain_add(conn, cmd->itt, cmd->owed);
	list_del(&cmd->entry);
	kitt_park_free(conn, cmd);
}

/*
 * The unsolicited data a SCSI command header promises beyond its own: a
 * write, F=0, InitialR2T=No (anything else is rejected in its turn).
 */
static u32 kitt_park_owed(struct kitt_conn *conn, const u8 *bhs, u32 dsl)
{
	const struct iscsi_scsi_req *req = (const void *)bhs;
	u32 burst = min(be32_to_cpu(req->data_length),
			conn->params.first_burst_length);

	if ((req->flags & (ISCSI_FLAG_CMD_FINAL | ISCSI_FLAG_CMD_WRITE)) !=
	    ISCSI_FLAG_CMD_WRITE || conn->params.initial_r2t || burst <= dsl)
		return 0;
	return burst - dsl;
}

/* A request ahead of ExpCmdSN: held, if it and its data fit. */
static void kitt_park_request(struct kitt_conn *conn, struct kitt_parked *p)
{
	if (p->opcode == ISCSI_OP_SCSI_CMD)
		p->owed = kitt_park_owed(conn, p->hdr, p->data_len);
	p->charge += p->owed;
	if (conn->park_bytes + p->charge > KITT_PARK_BYTES_MAX) {
		pr_warn_ratelimited("dropping a request past a CmdSN gap (ITT 0x%08x): %u bytes held already\n",
				    p->itt, conn->park_bytes);
		if (p->owed)
			kitt_data_out_drain_add(conn, p->itt, p->owed);
		kvfree(p->buf);
		kfree(p);
		return;
	}
	conn->park_bytes += p->charge;
	kitt_park_insert(conn, p);
}

/*
 * Unsolicited Data-Out of held command @cmd: on the command's list, its
 * data counted against what the command promised. Data-Out for a command
 * that promised none (or no more) is dropped: in its turn the command is
 * rejected, or failed, for it. More than promised, or no room left: the
 * command goes, unrun, as if it had been lost.
 */
static void kitt_park_data_out(struct kitt_conn *conn,
			       struct kitt_parked *cmd, struct kitt_parked *p)
{
	const struct iscsi_data *hdr = (const void *)p->hdr;
	u32 over = p->charge - p->data_len;	/* the data is reserved */
	bool final = hdr->flags & ISCSI_FLAG_CMD_FINAL;

	if (!cmd->owed) {
		pr_warn_ratelimited("dropping Data-Out past what held ITT 0x%08x promised\n",
				    cmd->itt);
		kvfree(p->buf);
		kfree(p);
		return;
	}
	if (p->data_len > cmd->owed ||
	    conn->park_bytes + over > KITT_PARK_BYTES_MAX) {
		pr_warn_ratelimited("dropping a write past a CmdSN gap (ITT 0x%08x): its data does not fit\n",
				    cmd->itt);
		cmd->owed = final ? 0 : cmd->owed - min(p->data_len, cmd->owed);
		kvfree(p->buf);
		kfree(p);
		kitt_park_drop_task(conn, cmd);
		return;
	}
	/* Its data moves from the command's reserve to itself. */
	cmd->owed -= p->data_len;
	cmd->charge -= p->data_len;
	conn->park_bytes += over;
	if (final) {
		cmd->charge -= cmd->owed;
		conn->park_bytes -= cmd->owed;
		cmd->owed = 0;
	}
	list_add_tail(&p->entry, &cmd->data);
}

/*
 * The PDU just received (header and AHS in conn->rx_*, its data segment
 * in rx_data, taken over) is ahead of ExpCmdSN, or is unsolicited data
 * of a command that is: hold it.
 */
int kitt_park_pdu(struct kitt_conn *conn)
{
	u32 hdr_len = KITT_BHS_LEN + conn->rx_ahs_len;
	/*
	 * Bytes 8-15 and 24-27 as a SCSI Command's LUN and CmdSN: what they
	 * hold in other requests (a Data-Out's are its LUN and a reserved
	 * field) is only looked at where it means that.
	 */
	struct iscsi_scsi_req *req;
	struct kitt_parked *p, *cmd = NULL;

	p = kzalloc(struct_size(p, hdr, hdr_len), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	req = (void *)p->hdr;
	memcpy(p->hdr, conn->rx_bhs, KITT_BHS_LEN);
	memcpy(p->hdr + KITT_BHS_LEN, conn->rx_ahs, conn->rx_ahs_len);
	INIT_LIST_HEAD(&p->data);
	p->hdr_len = hdr_len;
	p->data_len = conn->rx_data_len;
	p->buf = conn->rx_data;
	conn->rx_data = NULL;
	p->len = hdr_len + kitt_pad4(p->data_len);
	p->charge = sizeof(*p) + hdr_len + p->data_len;
	p->opcode = kitt_bhs_opcode(p->hdr);
	p->itt = kitt_bhs_itt(p->hdr);
	p->lun = scsilun_to_int(&req->lun);
	p->cmd_sn = be32_to_cpu(req->cmdsn);
	if (p->opcode != ISCSI_OP_SCSI_DATA_OUT) {
		kitt_park_request(conn, p);
		return 0;
	}
	cmd = kitt_park_find_itt(conn, p->itt);
	if (cmd) {
		kitt_park_data_out(conn, cmd, p);
		return 0;
	}
	kvfree(p->buf);		/* its command went meanwhile */
	kfree(p);
	return 0;
}

/*
 * Between PDUs: the data of the command just read again comes next; else,
 * if the first held request's turn has come (its CmdSN is ExpCmdSN, or a
 * TMF let ExpCmdSN pass it), it does. Either is read instead of the
 * socket.
 */
void kitt_park_replay_next(struct kitt_conn *conn)
{
	struct kitt_parked *p;

	p = list_first_entry_or_null(&conn->park_next, struct kitt_parked,
				     entry);
	if (!p) {
		p = list_first_entry_or_null(&conn->parked,
					     struct kitt_parked, entry);
		if (!p || !kitt_sess_sn_turn(conn->sess, p->cmd_sn))
			return;
		list_splice_init(&p->data, &conn->park_next);
	}
	list_del(&p->entry);
	p->pos = 0;
	conn->replay = p;
}

/* Where reading @p again stands: header, data, then zero padding. */
static const u8 *kitt_park_src(const struct kitt_parked *p, u32 *avail)
{
	static const u8 zeros[4];
	u32 pos = p->pos;

	if (pos < p->hdr_len) {
		*avail = p->hdr_len - pos;
		return p->hdr + pos;
	}
	pos -= p->hdr_len;
	if (pos < p->data_len) {
		*avail = p->data_len - pos;
		return (const u8 *)p->buf + pos;
	}
	*avail = p->len - p->pos;
	return zeros;
}

/* The receive path reads the held PDU as it would the socket. */
int kitt_park_read(struct kitt_conn *conn, void *buf, u32 len)
{
	struct kitt_parked *p = conn->replay;
	u32 done = 0, avail, n;
	const u8 *src;

	while (done < len && p->pos < p->len) {
		src = kitt_park_src(p, &avail);
		n = min(avail, len - done);
		memcpy((u8 *)buf + done, src, n);
		done += n;
		p->pos += n;
	}
	return done ?: -EPROTO;	/* never: the image is the whole PDU */
}

int kitt_park_read_iter(struct kitt_conn *conn, struct iov_iter *iter)
{
	struct kitt_parked *p = conn->replay;
	u32 done = 0, avail;
	const u8 *src;
	size_t n;

	while (iov_iter_count(iter) && p->pos < p->len) {
		src = kitt_park_src(p, &avail);
		n = min_t(size_t, avail, iov_iter_count(iter));
		n = copy_to_iter(src, n, iter);
		if (!n)
			break;
		done += n;
		p->pos += n;
	}
	return done ?: -EPROTO;
}

/* The held PDU has been handled again. */
void kitt_park_replay_end(struct kitt_conn *conn)
{
	struct kitt_parked *p = conn->replay;

	conn->replay = NULL;
	if (p)
		kitt_park_free(conn, p);
}

/* Whether TMF @function (on @lun, for task @itt) reaches held @p. */
static bool kitt_park_hit(const struct kitt_parked *p, u8 function,
			  u64 lun, u32 itt)
{
	switch (function) {
	case ISCSI_TM_FUNC_ABORT_TASK:
		return p->itt == itt;
	case ISCSI_TM_FUNC_ABORT_TASK_SET:
	case ISCSI_TM_FUNC_CLEAR_TASK_SET:
	case ISCSI_TM_FUNC_LOGICAL_UNIT_RESET:
		return p->lun == lun;
	}
	return false;
}

/*
 * A TMF with CmdSN @tmf_sn has gone to the core: the held SCSI commands
 * it reaches (those sent before it) end here, never to run, and their
 * CmdSNs count as received. Returns whether ABORT TASK's task was one.
 */
bool kitt_park_discard(struct kitt_conn *conn, u32 tmf_sn, u8 function,
		       u64 lun, u32 itt)
{
	struct kitt_parked *p, *next;
	bool hit = false;

	list_for_each_entry_safe(p, next, &conn->parked, entry) {
		if (p->opcode != ISCSI_OP_SCSI_CMD ||
		    !kitt_sn_lt(p->cmd_sn, tmf_sn) ||
		    !kitt_park_hit(p, function, lun, itt))
			continue;
		kitt_sess_plug_held(conn->sess, p->cmd_sn);
		kitt_park_drop_task(conn, p);
		hit = true;
	}
	return hit;
}

/* The connection is over: what it held goes unanswered. */
void kitt_park_free_all(struct kitt_conn *conn)
{
	struct kitt_parked *p, *next;

	list_splice_init(&conn->park_next, &conn->parked);
	list_for_each_entry_safe(p, next, &conn->parked, entry)
		kitt_park_drop_task(conn, p);
	kitt_park_replay_end(conn);
}
