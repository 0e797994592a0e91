// SPDX-License-Identifier: GPL-2.0
/*
 * Requests received ahead of ExpCmdSN (RFC 7143 §4.2.2.1, §11.17.1).
 *
 * One connection delivers in order, so a non-immediate request whose
 * CmdSN lies in the window past ExpCmdSN follows a gap: a request kitt
 * rejected, whose CmdSN does not count until the initiator plugs it (with
 * a new request carrying that CmdSN, or an ABORT TASK of it). Requests
 * behind the gap must not be ignored, and must run in CmdSN order: each
 * is held here whole, with the unsolicited Data-Out of held commands, and
 * read again through the receive path once ExpCmdSN reaches it. Nothing
 * past the receive path knows it was held.
 *
 * A TMF reaches held commands as it would running ones (kitt_park_discard).
 * A connection holds at most KITT_PARK_BYTES_MAX; past that a request is
 * dropped, as if it had been lost.
 *
 * Everything here runs in io_work, which owns conn->parked and replay.
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

static bool kitt_park_is_cmd(const struct kitt_parked *p)
{
	return p->opcode != ISCSI_OP_SCSI_DATA_OUT;
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
		if (kitt_park_is_cmd(p) && p->cmd_sn == cmd_sn)
			return true;
	return false;
}

/* Whether unsolicited Data-Out with @itt belongs to a held command. */
bool kitt_park_has_itt(struct kitt_conn *conn, u32 itt)
{
	return !list_empty(&conn->parked) && kitt_park_find_itt(conn, itt);
}

/*
 * In CmdSN order, after everything not above @p's CmdSN: a Data-Out
 * (which carries its command's) goes behind its command and the data
 * that came before it.
 */
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

/* The CmdSN @p is held under: its own, or a Data-Out's command's. */
static bool kitt_park_key(struct kitt_conn *conn, struct kitt_parked *p)
{
	struct kitt_parked *cmd;

	if (kitt_park_is_cmd(p)) {
		p->cmd_sn = kitt_get_be32(p->image + 24);
		return true;
	}
	cmd = kitt_park_find_itt(conn, p->itt);
	if (cmd)
		p->cmd_sn = cmd->cmd_sn;
	return cmd;
}

/*
 * The PDU just received (header, AHS and data segment in conn->rx_*) is
 * ahead of ExpCmdSN, or is data of a command that is: hold it whole.
 */
int kitt_park_pdu(struct kitt_conn *conn)
{
	u32 dlen = conn->rx_data_len, ahs = conn->rx_ahs_len;
	u32 len = KITT_BHS_LEN + ahs + kitt_pad4(dlen);
	struct kitt_parked *p;

	if (conn->park_bytes + len > KITT_PARK_BYTES_MAX) {
		pr_warn_ratelimited("dropping a request past a CmdSN gap (ITT 0x%08x): %u bytes held already\n",
				    kitt_bhs_itt(conn->rx_bhs),
				    conn->park_bytes);
		return 0;
	}
	p = kvzalloc(struct_size(p, image, len), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memcpy(p->image, conn->rx_bhs, KITT_BHS_LEN);
	memcpy(p->image + KITT_BHS_LEN, conn->rx_ahs, ahs);
	if (dlen)
		memcpy(p->image + KITT_BHS_LEN + ahs, conn->rx_data, dlen);
	p->len = len;
	p->opcode = kitt_bhs_opcode(conn->rx_bhs);
	p->itt = kitt_bhs_itt(conn->rx_bhs);
	p->lun = scsilun_to_int((struct scsi_lun *)(conn->rx_bhs + 8));
	if (!kitt_park_key(conn, p)) {
		kvfree(p);	/* its command went meanwhile: drop it */
		return 0;
	}
	kitt_park_insert(conn, p);
	conn->park_bytes += len;
	return 0;
}

/*
 * Between PDUs: if the first held PDU's turn has come (its CmdSN is
 * ExpCmdSN, or a TMF let ExpCmdSN pass it, or it is data of a command
 * read again just before), read it next instead of the socket.
 */
void kitt_park_replay_next(struct kitt_conn *conn)
{
	struct kitt_parked *p;

	p = list_first_entry(&conn->parked, struct kitt_parked, entry);
	if (kitt_park_is_cmd(p) && !kitt_sess_sn_turn(conn->sess, p->cmd_sn))
		return;
	list_del(&p->entry);
	conn->park_bytes -= p->len;
	p->pos = 0;
	conn->replay = p;
}

/* The receive path reads the held PDU as it would the socket. */
int kitt_park_read(struct kitt_conn *conn, void *buf, u32 len)
{
	struct kitt_parked *p = conn->replay;
	u32 n = min(len, p->len - p->pos);

	if (!n)
		return -EPROTO;	/* never: the image is the whole PDU */
	memcpy(buf, p->image + p->pos, n);
	p->pos += n;
	return n;
}

int kitt_park_read_iter(struct kitt_conn *conn, struct iov_iter *iter)
{
	struct kitt_parked *p = conn->replay;
	size_t n = min_t(size_t, iov_iter_count(iter), p->len - p->pos);

	n = copy_to_iter(p->image + p->pos, n, iter);
	if (!n)
		return -EPROTO;
	p->pos += n;
	return n;
}

/* The held PDU has been handled again. */
void kitt_park_replay_end(struct kitt_conn *conn)
{
	kvfree(conn->replay);
	conn->replay = NULL;
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

/* Let go of held command @cmd and of the data held for it. */
static void kitt_park_drop_task(struct kitt_conn *conn,
				struct kitt_parked *cmd)
{
	struct kitt_parked *p, *next;
	u32 itt = cmd->itt;

	list_for_each_entry_safe(p, next, &conn->parked, entry) {
		if (p != cmd && (kitt_park_is_cmd(p) || p->itt != itt))
			continue;
		list_del(&p->entry);
		conn->park_bytes -= p->len;
		kvfree(p);
	}
}

/*
 * A TMF with CmdSN @tmf_sn is about to run: the held SCSI commands it
 * reaches (those sent before it) end here, never to run. Their CmdSNs
 * count as received, which is what ABORT TASK's answer then says.
 */
void kitt_park_discard(struct kitt_conn *conn, u32 tmf_sn, u8 function,
		       u64 lun, u32 itt)
{
	struct kitt_parked *p;

again:
	list_for_each_entry(p, &conn->parked, entry) {
		if (p->opcode != ISCSI_OP_SCSI_CMD ||
		    !kitt_sn_lt(p->cmd_sn, tmf_sn) ||
		    !kitt_park_hit(p, function, lun, itt))
			continue;
		kitt_sess_plug_held(conn->sess, p->cmd_sn);
		kitt_park_drop_task(conn, p);
		goto again;
	}
}

/* The connection is over: what it held goes unanswered. */
void kitt_park_free_all(struct kitt_conn *conn)
{
	struct kitt_parked *p, *next;

	list_for_each_entry_safe(p, next, &conn->parked, entry) {
		list_del(&p->entry);
		kvfree(p);
	}
	conn->park_bytes = 0;
	kitt_park_replay_end(conn);
}
