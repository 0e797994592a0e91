// SPDX-License-Identifier: GPL-2.0
/*
 * Task Management Function requests (RFC 7143 §11.5-11.6), carried out by
 * the target core (core_tmr): ABORT TASK, ABORT TASK SET, CLEAR ACA,
 * CLEAR TASK SET, LOGICAL UNIT RESET, TARGET WARM and COLD RESET (which
 * the core refuses). TASK REASSIGN needs ErrorRecoveryLevel 2: refused.
 *
 * A TMF uses a command slot of the session's tag pool like a SCSI
 * command; its response is sent through the same path (kitt_cmd_send).
 * Commands the core aborts come back through kitt_aborted_task().
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <scsi/iscsi_proto.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_fabric.h>

#include "kitt/conn.h"
#include "kitt/kitt.h"
#include "kitt/trace.h"

/*
 * TMFs in the core, of every session: while there are any, every
 * connection looks for aborted writes often (kitt_conn_watch_work).
 */
static atomic_t kitt_tmfs = ATOMIC_INIT(0);

bool kitt_tmfs_in_core(void)
{
	return atomic_read(&kitt_tmfs) > 0;
}

/*
 * A TMF of @sess went to the core less than @within ago and is still
 * there: its answer comes before any Data-Out timeout of the session.
 */
bool kitt_tmf_recent(struct kitt_sess *sess, unsigned long within)
{
	return atomic_read(&sess->tmfs) &&
	       time_before(jiffies, READ_ONCE(sess->tmf_seen) + within);
}

/* A TMF counted in kitt_tmf_count() is released. */
void kitt_tmf_done(struct kitt_sess *sess)
{
	atomic_dec(&sess->tmfs);
	atomic_dec(&kitt_tmfs);
}

/*
 * A TMF goes to the core: counted until its release, and this connection
 * looks for the writes it aborts right away.
 */
static void kitt_tmf_count(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	set_bit(KITT_CMD_TMF_COUNTED, &cmd->flags);
	WRITE_ONCE(conn->sess->tmf_seen, jiffies);
	atomic_inc(&conn->sess->tmfs);
	atomic_inc(&kitt_tmfs);
}

static int kitt_tmf_send(struct kitt_conn *conn, u8 response)
{
	const struct iscsi_tm *tm = (const void *)conn->rx_bhs;
	struct kitt_tx *tx = kitt_tx_alloc(0, GFP_KERNEL);
	struct iscsi_tm_rsp *hdr;

	if (!tx)
		return -ENOMEM;
	trace_kitt_tmf_rsp(conn->sess->tsih, kitt_bhs_itt(conn->rx_bhs),
			   response);
	hdr = (void *)tx->hdr;
	hdr->opcode = ISCSI_OP_SCSI_TMFUNC_RSP;
	hdr->flags = ISCSI_FLAG_CMD_FINAL;
	hdr->response = response;
	hdr->itt = tm->itt;
	tx->flags = KITT_TX_STATSN;
	kitt_conn_queue_tx(conn, tx);
	return 0;
}

/* An answer without the core: function refused before it started. */
static int kitt_tmf_answer(struct kitt_conn *conn, u8 response)
{
	if (!kitt_bhs_immediate(conn->rx_bhs))
		kitt_sess_cmd_done(conn->sess);
	return kitt_tmf_send(conn, response);
}

/* iSCSI function code to the core's; 0 if the core has none for it. */
static u8 kitt_tmf_type(u8 function)
{
	switch (function) {
	case ISCSI_TM_FUNC_ABORT_TASK:
		return TMR_ABORT_TASK;
	case ISCSI_TM_FUNC_ABORT_TASK_SET:
		return TMR_ABORT_TASK_SET;
	case ISCSI_TM_FUNC_CLEAR_ACA:
		return TMR_CLEAR_ACA;
	case ISCSI_TM_FUNC_CLEAR_TASK_SET:
		return TMR_CLEAR_TASK_SET;
	case ISCSI_TM_FUNC_LOGICAL_UNIT_RESET:
		return TMR_LUN_RESET;
	case ISCSI_TM_FUNC_TARGET_WARM_RESET:
		return TMR_TARGET_WARM_RESET;
	case ISCSI_TM_FUNC_TARGET_COLD_RESET:
		return TMR_TARGET_COLD_RESET;
	}
	return 0;
}

/*
 * The core found no task to abort: "function complete" all the same when
 * the task was held past a CmdSN gap and ended here, or never arrived and
 * its CmdSN is plugged (§11.5.1 (b)).
 */
static u8 kitt_tmf_no_task(struct kitt_cmd *cmd)
{
	if (test_bit(KITT_CMD_TMF_HELD, &cmd->flags))
		return ISCSI_TMF_RSP_COMPLETE;	/* it never ran */
	if (test_bit(KITT_CMD_TMF_PLUG, &cmd->flags) &&
	    kitt_sess_plug_cmdsn(cmd->conn->sess, cmd->tmf_ref_sn, cmd->tmf_sn))
		return ISCSI_TMF_RSP_COMPLETE;
	return ISCSI_TMF_RSP_NO_TASK;
}

/* The core's outcome as an iSCSI TMF response code. io_work only. */
u8 kitt_tmf_response(struct kitt_cmd *cmd)
{
	switch (cmd->se_cmd.se_tmr_req->response) {
	case TMR_FUNCTION_COMPLETE:
		return ISCSI_TMF_RSP_COMPLETE;
	case TMR_TASK_DOES_NOT_EXIST:
		return kitt_tmf_no_task(cmd);
	case TMR_LUN_DOES_NOT_EXIST:
		return ISCSI_TMF_RSP_NO_LUN;
	case TMR_TASK_MGMT_FUNCTION_NOT_SUPPORTED:
		return ISCSI_TMF_RSP_NOT_SUPPORTED;
	}
	return ISCSI_TMF_RSP_REJECTED;
}

int kitt_tmf_rx(struct kitt_conn *conn)
{
	const u8 *bhs = conn->rx_bhs;
	struct iscsi_tm *tm = (void *)conn->rx_bhs;
	u8 function = ISCSI_TM_FUNC_VALUE(tm);
	u8 type = kitt_tmf_type(function);
	u64 lun = scsilun_to_int(&tm->lun);
	u32 rtt = be32_to_cpu((__force __be32)tm->rtt);
	u32 cmd_sn = be32_to_cpu(tm->cmdsn);
	struct kitt_cmd *cmd;
	int ret;

	trace_kitt_tmf(conn->sess->tsih, kitt_bhs_itt(bhs), function, lun, rtt);

	if (conn->sess->type != KITT_SESS_NORMAL)
		return kitt_tmf_answer(conn, ISCSI_TMF_RSP_REJECTED);
	if (function == ISCSI_TM_FUNC_TASK_REASSIGN)
		return kitt_tmf_answer(conn, ISCSI_TMF_RSP_NO_FAILOVER);
	if (!type)
		return kitt_tmf_answer(conn, ISCSI_TMF_RSP_NOT_SUPPORTED);

	cmd = kitt_cmd_get(conn, bhs);
	if (!cmd)
		return kitt_tmf_answer(conn, ISCSI_TMF_RSP_REJECTED);
	cmd->se_cmd.tag = cmd->itt;
	if (function == ISCSI_TM_FUNC_ABORT_TASK) {
		cmd->tmf_ref_sn = be32_to_cpu(tm->refcmdsn);
		cmd->tmf_sn = cmd_sn;
		set_bit(KITT_CMD_TMF_PLUG, &cmd->flags);
	}
	kitt_tmf_count(conn, cmd);
	ret = target_submit_tmr(&cmd->se_cmd, conn->sess->se_sess, cmd->sense,
				lun, NULL, type, GFP_KERNEL, rtt,
				TARGET_SCF_ACK_KREF);
	if (ret) {
		/* put_unused gives the slot back; answer without it. */
		kitt_cmd_put_unused(conn, cmd);
		return kitt_tmf_send(conn, ISCSI_TMF_RSP_REJECTED);
	}
	/*
	 * Commands held past a CmdSN gap are tasks too (park.c). io_work
	 * builds the answer, so the flag is set before it is looked at.
	 */
	if (unlikely(conn->park_bytes) &&
	    kitt_park_discard(conn, cmd_sn, function, lun, rtt))
		set_bit(KITT_CMD_TMF_HELD, &cmd->flags);
	kitt_conn_watch_soon(conn);
	return 0;
}
