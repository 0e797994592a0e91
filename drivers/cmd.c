// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI commands over iSCSI (RFC 7143 §11.2-11.8): SCSI Command and
 * Data-Out PDUs in; Data-In, R2T and SCSI Response PDUs out; the target
 * core in between.
 *
 * Zero copy both ways: the core allocates a command's buffer
 * (se_cmd->t_data_sg), immediate data and Data-Out are received straight
 * into its pages, and Data-In is sent from them.
 *
 * Reference counting: commands are started with TARGET_SCF_ACK_KREF, so
 * the core's completion drops one reference (check_stop_free) and the
 * fabric drops the other once the response has left (or the connection
 * is gone): only then is the command's tag back in the pool.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <linux/highmem.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>
#include <linux/scatterlist.h>
#include <scsi/iscsi_proto.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>
#include <target/target_core_backend.h>
#include <target/target_core_fabric.h>

#include "kitt/cdb.h"
#include "kitt/compat.h"
#include "kitt/conn.h"
#include "kitt/digest.h"
#include "kitt/kitt.h"
#include "kitt/trace.h"

static struct kitt_cmd *kitt_cmd(struct se_cmd *se_cmd)
{
	return container_of(se_cmd, struct kitt_cmd, se_cmd);
}

/*
 * Headers out are built in place, through a struct of <scsi/iscsi_proto.h>
 * laid over cmd->pdu_hdr or cmd->r2t_hdr (both 4-byte aligned), then sealed.
 */
static_assert(sizeof(struct iscsi_r2t_rsp) == KITT_BHS_LEN);
static_assert(sizeof(struct iscsi_data_rsp) == KITT_BHS_LEN);
static_assert(sizeof(struct iscsi_scsi_rsp) == KITT_BHS_LEN);
static_assert(sizeof(struct iscsi_tm_rsp) == KITT_BHS_LEN);

/* The command's ITT as it goes on the wire. */
static itt_t kitt_cmd_itt(const struct kitt_cmd *cmd)
{
	return (__force itt_t)cpu_to_be32(cmd->itt);
}

/* ---- receiving commands ---- */

static struct kitt_cmd *kitt_cmd_alloc(struct kitt_sess *sess)
{
	struct se_session *se_sess = sess->se_sess;
	struct kitt_cmd *cmd;
	int tag, cpu;

	tag = sbitmap_queue_get(&se_sess->sess_tag_pool, &cpu);
	if (tag < 0)
		return NULL;
	cmd = &((struct kitt_cmd *)se_sess->sess_cmd_map)[tag];
	memset(cmd, 0, sizeof(*cmd));
	cmd->se_cmd.map_tag = tag;
	cmd->se_cmd.map_cpu = cpu;
	INIT_LIST_HEAD(&cmd->conn_entry);
	INIT_LIST_HEAD(&cmd->r2t_tx.entry);
	INIT_LIST_HEAD(&cmd->rsp_tx.entry);
	cmd->r2t_tx.kind = KITT_TX_R2T;
	cmd->rsp_tx.kind = KITT_TX_RSP;
	return cmd;
}

/*
 * Data buffer a session's commands may hold at once. The core allocates a
 * command's whole buffer before any data moves, so without a cap a peer
 * could pin the device's size times the queue depth with writes it never
 * sends data for.
 */
static unsigned int kitt_max_session_data_mib = 1024;
module_param_named(max_session_data_mib, kitt_max_session_data_mib, uint, 0644);
MODULE_PARM_DESC(max_session_data_mib,
		 "MiB of data buffer one session's commands may hold at once (default 1024, 0: no limit)");

/* SAM task attribute from the ATTR field. */
static int kitt_task_attr(u8 flags)
{
	switch (flags & ISCSI_FLAG_CMD_ATTR_MASK) {
	case ISCSI_ATTR_SIMPLE:
	case ISCSI_ATTR_UNTAGGED:
		return TCM_SIMPLE_TAG;
	case ISCSI_ATTR_ORDERED:
		return TCM_ORDERED_TAG;
	case ISCSI_ATTR_HEAD_OF_QUEUE:
		return TCM_HEAD_TAG;
	case ISCSI_ATTR_ACA:
		return TCM_ACA_TAG;
	}
	return TCM_SIMPLE_TAG;
}

/*
 * The CDB: 16 bytes in the header, more in an Extended CDB AHS
 * (§11.2.1.3). Returns its length, or 0 if the AHS is malformed or a
 * variable-length CDB (SPC-4 4.2.3: 8 + ADDITIONAL CDB LENGTH bytes)
 * claims more bytes than came: the core reads that many, and the rest of
 * rx_cdb holds an earlier command's bytes.
 */
static u32 kitt_cmd_cdb(struct kitt_conn *conn, u8 *cdb)
{
	const struct iscsi_scsi_req *req = (const void *)conn->rx_bhs;
	struct kitt_ahs_info ahs;
	u32 len = ISCSI_CDB_SIZE;

	memcpy(cdb, req->cdb, ISCSI_CDB_SIZE);
	if (kitt_ahs_parse(conn->rx_ahs, conn->rx_ahs_len, &ahs))
		return 0;
	if (ahs.ext_cdb_len > KITT_CDB_MAX - ISCSI_CDB_SIZE)
		return 0;
	if (ahs.ext_cdb_len) {
		memcpy(cdb + ISCSI_CDB_SIZE, ahs.ext_cdb, ahs.ext_cdb_len);
		len += ahs.ext_cdb_len;
	}
	if (cdb[0] == VARIABLE_LENGTH_CMD && 8 + cdb[7] > len)
		return 0;
	return len;
}

/* Header checks of RFC 7143 that the core cannot make for us. */
static u8 kitt_cmd_check(struct kitt_conn *conn, u8 flags, u32 edtl, u32 dsl)
{
	const struct kitt_sess_params *p = &conn->params;
	bool write = flags & ISCSI_FLAG_CMD_WRITE;
	bool read = flags & ISCSI_FLAG_CMD_READ;

	if (edtl && !read && !write)
		return ISCSI_REASON_PROTOCOL_ERROR;
	if (dsl && (!write || !p->immediate_data || dsl > p->first_burst_length))
		return ISCSI_REASON_PROTOCOL_ERROR;
	if (dsl > edtl)
		return ISCSI_REASON_PROTOCOL_ERROR;
	/* F=0 promises unsolicited Data-Out, which InitialR2T=Yes forbids. */
	if (!(flags & ISCSI_FLAG_CMD_FINAL) && (p->initial_r2t || !write))
		return ISCSI_REASON_PROTOCOL_ERROR;
	if (read && write)
		return ISCSI_REASON_CMD_NOT_SUPPORTED;	/* no bidirectional */
	return 0;
}

/*
 * Count @cmd's buffer against its session's max_session_data_mib, or fail
 * it: TASK SET FULL while others hold the room (the initiator retries),
 * INVALID FIELD IN CDB if it could never fit. False if it failed.
 */
static bool kitt_cmd_charge(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	u64 limit = (u64)READ_ONCE(kitt_max_session_data_mib) << 20;
	u32 len = cmd->se_cmd.data_length;
	sense_reason_t why;

	if (!len || !limit)
		return true;
	if (len > limit) {
		why = TCM_INVALID_CDB_FIELD;
	} else if (atomic_long_add_return(len, &sess->data_bytes) > limit) {
		atomic_long_sub(len, &sess->data_bytes);
		why = TCM_OUT_OF_RESOURCES;
	} else {
		cmd->charged = len;
		return true;
	}
	pr_warn_ratelimited("failing ITT 0x%08x: %u bytes over max_session_data_mib\n",
			    cmd->itt, len);
	transport_generic_request_failure(&cmd->se_cmd, why);
	return false;
}

/* What a command holds besides its tag (kitt_cmd_free_tag()). */
#define KITT_CMD_HOLDS	(BIT(KITT_CMD_SLOT) | BIT(KITT_CMD_IMM_CMD) | \
			 BIT(KITT_CMD_IMM_TMF) | BIT(KITT_CMD_TMF_COUNTED))

/*
 * Free @cmd's tag, then give back what it held: its CmdSN slot, its place
 * among the session's immediate commands or TMFs, its count as a TMF in
 * the core. The slot comes back only once the tag is free, so the window
 * never promises a slot whose tag is still in use. @cmd is not touched
 * after the free.
 */
static void kitt_cmd_free_tag(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	unsigned long holds = cmd->flags & KITT_CMD_HOLDS;

	target_free_tag(sess->se_sess, &cmd->se_cmd);
	if (holds & BIT(KITT_CMD_SLOT))
		kitt_sess_cmd_done(sess);
	if (holds & BIT(KITT_CMD_IMM_CMD))
		atomic_dec(&sess->imm_cmds);
	if (holds & BIT(KITT_CMD_IMM_TMF))
		atomic_dec(&sess->imm_tmfs);
	if (holds & BIT(KITT_CMD_TMF_COUNTED))
		kitt_tmf_done(sess);
}

/*
 * Immediate requests take tags from the reserve beyond the window: at
 * most half of it for SCSI commands, half for TMFs. Returns the flag of
 * the count taken (0 for a request in the window), or -1 if over.
 */
static int kitt_sess_take_imm(struct kitt_sess *sess, const u8 *bhs)
{
	bool tmf = kitt_bhs_opcode(bhs) == ISCSI_OP_SCSI_TMFUNC;
	atomic_t *count = tmf ? &sess->imm_tmfs : &sess->imm_cmds;

	if (!kitt_bhs_immediate(bhs))
		return KITT_CMD_SLOT;
	if (atomic_inc_return(count) <= KITT_IMM_MAX)
		return tmf ? KITT_CMD_IMM_TMF : KITT_CMD_IMM_CMD;
	atomic_dec(count);
	return -1;
}

/*
 * A command (or TMF) for the request in conn->rx_bhs, on the connection's
 * list; NULL if it may not have a tag (too many immediate requests).
 */
struct kitt_cmd *kitt_cmd_get(struct kitt_conn *conn, const u8 *bhs)
{
	const struct iscsi_hdr *hdr = (const void *)bhs;
	struct kitt_sess *sess = conn->sess;
	struct kitt_cmd *cmd;
	int hold;

	hold = kitt_sess_take_imm(sess, bhs);
	if (hold < 0)
		return NULL;
	cmd = kitt_cmd_alloc(sess);
	if (!cmd) {
		/* The pool has a tag for every slot and immediate: a bug. */
		if (hold == KITT_CMD_IMM_CMD)
			atomic_dec(&sess->imm_cmds);
		else if (hold == KITT_CMD_IMM_TMF)
			atomic_dec(&sess->imm_tmfs);
		return NULL;
	}
	cmd->conn = conn;
	cmd->itt = kitt_bhs_itt(bhs);
	memcpy(cmd->lun, &hdr->lun, sizeof(cmd->lun));
	if (kitt_bhs_immediate(bhs))
		set_bit(KITT_CMD_IMMEDIATE, &cmd->flags);
	set_bit(hold, &cmd->flags);
	spin_lock_bh(&conn->lock);
	list_add_tail(&cmd->conn_entry, &conn->cmds);
	spin_unlock_bh(&conn->lock);
	return cmd;
}

/*
 * The fabric is done with a command the core took: the fabric's reference
 * dropped (release_cmd frees the tag and gives the CmdSN slot back).
 */
static void kitt_cmd_let_go(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	transport_generic_free_cmd(&cmd->se_cmd, 0);
}

/* A command the core never took: off the list, tag and slot back. */
void kitt_cmd_put_unused(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	spin_lock_bh(&conn->lock);
	list_del_init(&cmd->conn_entry);
	spin_unlock_bh(&conn->lock);
	kitt_cmd_free_tag(conn->sess, cmd);
}

/*
 * The data direction of the command, and the initiator's Expected Data
 * Transfer Length in that direction. Where the CDB's opcode fixes the
 * direction, the CDB wins over the R/W bits: a READ flagged as a write
 * reads (and its "write data" is dropped), and the initiator, having
 * asked for nothing in that direction, gets a residual overflow.
 */
static int kitt_cmd_dir(struct kitt_cmd *cmd, u8 flags, u32 edtl,
			const struct kitt_cdb_info *ci)
{
	bool read = flags & ISCSI_FLAG_CMD_READ;
	bool write = flags & ISCSI_FLAG_CMD_WRITE;

	switch (ci->dir) {
	case KITT_CDB_DIR_IN:
		cmd->edtl = read ? edtl : 0;
		return DMA_FROM_DEVICE;
	case KITT_CDB_DIR_OUT:
		cmd->edtl = write ? edtl : 0;
		return DMA_TO_DEVICE;
	case KITT_CDB_DIR_NONE:
		cmd->edtl = edtl;	/* all of it is residual underflow */
		return DMA_NONE;
	default:
		cmd->edtl = edtl;
		if (write)
			return DMA_TO_DEVICE;
		return read && edtl ? DMA_FROM_DEVICE : DMA_NONE;
	}
}

/* The logical block size behind LUN @lun of the session, 0 if none. */
static u32 kitt_lun_block_size(struct se_session *se_sess, u64 lun)
{
	struct se_node_acl *nacl = se_sess->se_node_acl;
	struct se_dev_entry *deve;
	struct se_device *dev;
	u32 bs = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(deve, &nacl->lun_entry_hlist, link) {
		if (deve->mapped_lun != lun || !deve->se_lun)
			continue;
		dev = rcu_dereference(deve->se_lun->lun_se_dev);
		if (dev)
			bs = dev->dev_attrib.block_size;
		break;
	}
	rcu_read_unlock();
	return bs;
}

/*
 * Residual overflow on a write (RFC 7143 §11.4.5.1): the initiator sends
 * fewer bytes than the CDB's TRANSFER LENGTH. The target core has no
 * notion of writing part of a command's data, so where the initiator's
 * length is a whole number of blocks, the command is cut to it here:
 * the core then writes exactly what arrives, and the response reports
 * the rest as overflow. Other overflowing writes fail after the core has
 * parsed them (kitt_cmd_rx_hdr). Only looked at when EDTL is below
 * TRANSFER LENGTH x 512, so normal writes pay nothing.
 */
static void kitt_cmd_cut_write(struct kitt_cmd *cmd, u8 *cdb,
			       const struct kitt_cdb_info *ci, u64 lun)
{
	u32 blocks, bs, cut;
	u64 want;

	if (!ci->len_size)
		return;
	blocks = kitt_cdb_blocks(cdb, ci);
	if ((u64)blocks * 512 <= cmd->edtl)
		return;
	bs = kitt_lun_block_size(cmd->conn->sess->se_sess, lun);
	if (!bs || cmd->edtl % bs)
		return;
	cut = cmd->edtl / bs;
	want = (u64)blocks * bs;
	if (cut >= blocks || kitt_cdb_set_blocks(cdb, ci, cut))
		return;
	cmd->cut = min_t(u64, want - cmd->edtl, U32_MAX);
}

/*
 * A block read is sized by what the initiator made room for (EDTL), in
 * whole blocks, not by its CDB: a READ of 100 MiB with an EDTL of 512
 * allocates and reads one block. The core has checked the whole CDB (LBA
 * range, transfer limits). What is cut off is reported as residual
 * overflow (kitt_cmd_residual). Other reads are left alone: the core's
 * emulations shorten data_length to what they return, and their
 * allocation lengths are small (and bounded by max_session_data_mib).
 */
static void kitt_cmd_cut_read(struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	u64 len;

	if (!(se_cmd->se_cmd_flags & SCF_SCSI_DATA_CDB) ||
	    se_cmd->data_length <= cmd->edtl)
		return;
	/* Logical block sizes are powers of two (512 to 4096). */
	len = round_up((u64)cmd->edtl, se_cmd->se_dev->dev_attrib.block_size);
	if (se_cmd->data_length <= len)
		return;
	cmd->cut = se_cmd->data_length - len;
	se_cmd->data_length = len;
}

/*
 * Have the core parse the CDB, check what it wants against the initiator's
 * expected length and the session's data limit, and submit. From here on
 * the core answers failures through queue_status.
 */
static void kitt_cmd_prep_submit(struct kitt_conn *conn, struct kitt_cmd *cmd,
				 u8 *cdb, int dir)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;

	trace_kitt_cmd_submit(conn->sess->tsih, cmd->itt,
			      se_cmd->orig_fe_lun, cdb[0], cmd->edtl);
	if (target_submit_prep(se_cmd, cdb, NULL, 0, NULL, 0, NULL, 0,
			       GFP_KERNEL))
		return;
	if (dir == DMA_TO_DEVICE) {
		if (cmd->edtl < se_cmd->data_length) {
			pr_warn_ratelimited("failing write ITT 0x%08x: %u bytes expected, CDB wants %u\n",
					    cmd->itt, cmd->edtl,
					    se_cmd->data_length);
			transport_generic_request_failure(se_cmd,
							  TCM_INVALID_FIELD_IN_COMMAND_IU);
			return;
		}
		cmd->write_len = se_cmd->data_length;
	} else if (se_cmd->data_direction == DMA_FROM_DEVICE) {
		kitt_cmd_cut_read(cmd);
	}
	if (!kitt_cmd_charge(conn->sess, cmd))
		return;
	kitt_buf_attach(conn->sess, cmd);
	kitt_target_submit(se_cmd);
}

/*
 * Whether the initiator owes data of @cmd: for dataout_timeout, from the
 * command (unsolicited data) or the R2T that asked, renewed by each
 * Data-Out; not while kitt has yet to send the R2T. io_work only.
 */
static void kitt_cmd_owed(struct kitt_cmd *cmd, bool owed)
{
	WRITE_ONCE(cmd->data_wait, owed ? jiffies | 1 : 0);
}

/* Bursts the initiator is sending (or owes) data of. io_work only. */
static bool kitt_cmd_bursts_open(const struct kitt_cmd *cmd)
{
	int i;

	if (cmd->unsol.active)
		return true;
	for (i = 0; i < KITT_MAX_R2T; i++)
		if (cmd->bursts[i].active)
			return true;
	return false;
}

/* A SCSI Command header is in: start the command in the core. */
static int kitt_cmd_rx_hdr(struct kitt_conn *conn)
{
	const u8 *bhs = conn->rx_bhs;
	struct iscsi_scsi_req *req = (void *)conn->rx_bhs;
	u8 flags = req->flags;
	u32 edtl = be32_to_cpu(req->data_length);
	u32 dsl = conn->rx_data_len;
	bool immediate = kitt_bhs_immediate(bhs);
	u64 lun = scsilun_to_int(&req->lun);
	struct kitt_cdb_info ci;
	u8 *cdb = conn->rx_cdb;
	struct kitt_cmd *cmd;
	struct se_cmd *se_cmd;
	int dir, ret;
	u8 reject;

	conn->rx_discard = dsl;		/* unless the command takes it */
	reject = kitt_cmd_check(conn, flags, edtl, dsl);
	if (!reject && !kitt_cmd_cdb(conn, cdb))
		reject = ISCSI_REASON_PROTOCOL_ERROR;
	if (reject) {
		pr_warn_ratelimited("rejecting SCSI command ITT 0x%08x: bad header\n",
				    kitt_bhs_itt(bhs));
		conn->rx_reject = reject;
		kitt_sess_cmdsn_unget(conn);
		return 1;
	}
	cmd = kitt_cmd_get(conn, bhs);
	if (!cmd) {
		/* The window has a tag for every slot: only immediates wait. */
		pr_warn_ratelimited("rejecting SCSI command ITT 0x%08x: no free tag\n",
				    kitt_bhs_itt(bhs));
		conn->rx_reject = immediate ? ISCSI_REASON_IMM_CMD_REJECT :
				  ISCSI_REASON_BOOKMARK_NO_RESOURCES;
		kitt_sess_cmdsn_unget(conn);
		return 1;
	}
	se_cmd = &cmd->se_cmd;
	kitt_cdb_info(cdb, &ci);
	dir = kitt_cmd_dir(cmd, flags, edtl, &ci);
	/* What the initiator sends unasked, whatever becomes of it. */
	cmd->imm_len = dsl;
	if (!(flags & ISCSI_FLAG_CMD_FINAL)) {
		cmd->unsol.ttt = ISCSI_RESERVED_TAG;
		cmd->unsol.offset = dsl;
		cmd->unsol.len = min(edtl, conn->params.first_burst_length) - dsl;
		cmd->unsol.active = cmd->unsol.len != 0;
		if (cmd->unsol.active) {
			conn->unsol_cmd = cmd;
			kitt_cmd_owed(cmd, true);
		}
	}
	if (dir == DMA_TO_DEVICE)
		kitt_cmd_cut_write(cmd, cdb, &ci, lun);

	/*
	 * UNKNOWN_SIZE: the core sizes the command from its CDB, and kitt
	 * moves what both sides agree on, reporting the difference itself
	 * (reads are cut to EDTL before any buffer exists).
	 */
	ret = target_init_cmd(se_cmd, conn->sess->se_sess, cmd->sense, lun,
			      cmd->edtl, kitt_task_attr(flags), dir,
			      TARGET_SCF_ACK_KREF | TARGET_SCF_UNKNOWN_SIZE);
	if (ret) {
		/* The session is stopping: the command never existed. */
		if (conn->unsol_cmd == cmd)
			conn->unsol_cmd = NULL;
		kitt_cmd_put_unused(conn, cmd);
		return 1;
	}
	/* The task tag the core matches ABORT TASK against. */
	se_cmd->tag = cmd->itt;
	if (dsl) {
		conn->rx_cmd = cmd;
		cmd->rx_burst = NULL;	/* immediate data: offset 0 */
		cmd->rx_len = dsl;
	}
	kitt_cmd_prep_submit(conn, cmd, cdb, dir);
	return 1;
}

/*
 * The entry of @sgl holding byte @off, and in @skip where in it: walked
 * on from the cursor @cur, or from the start when @off lies before it.
 * NULL when the list is shorter than @off.
 */
static struct scatterlist *kitt_sg_seek(struct kitt_sg_cursor *cur,
					struct scatterlist *sgl, u32 off,
					u32 *skip)
{
	if (!cur->sg || off < cur->start) {
		cur->sg = sgl;
		cur->start = 0;
	}
	while (cur->sg && off - cur->start >= cur->sg->length) {
		cur->start += cur->sg->length;
		cur->sg = sg_next(cur->sg);
	}
	*skip = off - cur->start;
	return cur->sg;
}

/*
 * Fill up to @max pieces of @bv with [@off, @off + @len) of @sgl from the
 * cursor @cur: how many, with the bytes they hold in @mapped (less than
 * @len when @max ran out, or when the list ends right after @max pieces),
 * or -EINVAL when the list ends before.
 */
static int kitt_sg_map(struct kitt_sg_cursor *cur, struct scatterlist *sgl,
		       u32 off, u32 len, struct bio_vec *bv, unsigned int max,
		       u32 *mapped)
{
	struct scatterlist *sg;
	int n = 0;
	u32 skip, left = len;

	for (sg = kitt_sg_seek(cur, sgl, off, &skip); sg && left && n < max;
	     sg = sg_next(sg)) {
		u32 piece = min(sg->length - skip, left);

		kitt_bvec_set_page(&bv[n++], sg_page(sg), piece,
				   sg->offset + skip);
		left -= piece;
		skip = 0;
	}
	if (left && n < max)
		return -EINVAL;
	*mapped = len - left;
	return n;
}

/*
 * The core is done deciding: the command has buffers to receive into
 * (write_pending), or has failed and its data must be dropped. Until
 * either, the receiver waits (io_work is kicked when it happens). Data
 * past the command's length (residual underflow) is dropped.
 */
int kitt_cmd_rx_ready(struct kitt_conn *conn)
{
	struct kitt_cmd *cmd = conn->rx_cmd;
	u32 off = cmd->rx_burst ? cmd->rx_burst->offset +
			cmd->rx_burst->received : 0;
	u32 place, mapped;
	int n;

	cmd->rx_place = 0;
	if (test_bit(KITT_CMD_RSP_QUEUED, &cmd->flags) ||
	    test_bit(KITT_CMD_DATA_ERROR, &cmd->flags) ||
	    off >= cmd->write_len) {
		conn->rx_discard = cmd->rx_len;	/* nowhere to go */
		return 1;
	}
	/* Acquire: write_len and the buffers were set before the bit. */
	if (!test_bit_acquire(KITT_CMD_WRITE_READY, &cmd->flags))
		return 0;
	place = min(cmd->rx_len, cmd->write_len - off);
	/* Map [off, off + place) of the command's pages. */
	n = kitt_sg_map(&cmd->rx_cur, cmd->se_cmd.t_data_sg, off, place,
			conn->rx_bvec, conn->rx_bvec_max, &mapped);
	if (n < 0)
		return n;		/* the core's buffer is short */
	if (mapped < place)
		return -ENOMEM;
	cmd->rx_place = place;
	conn->rx_discard = cmd->rx_len - place;
	iov_iter_bvec(&conn->rx_iter, ITER_DEST, conn->rx_bvec, n, place);
	conn->rx_bvec_n = n;
	return 1;
}

static void kitt_cmd_queue_r2t(struct kitt_cmd *cmd);

/*
 * A write ends without running: COMPARE AND WRITE's completion callback
 * would release the device's caw_sem, which only its execution takes.
 */
static void kitt_cmd_never_ran(struct se_cmd *se_cmd)
{
	if (se_cmd->se_cmd_flags & SCF_COMPARE_AND_WRITE)
		se_cmd->transport_complete_callback = NULL;
}

/* All write data is in place (or failed): run the command or fail it. */
static void kitt_cmd_write_complete(struct kitt_cmd *cmd)
{
	if (test_and_set_bit(KITT_CMD_EXECUTED, &cmd->flags))
		return;
	if (test_bit(KITT_CMD_DATA_ERROR, &cmd->flags)) {
		kitt_cmd_never_ran(&cmd->se_cmd);
		transport_generic_request_failure(&cmd->se_cmd,
						  TCM_CHECK_CONDITION_ABORT_CMD);
		return;
	}
	target_execute_cmd(&cmd->se_cmd);
}

/*
 * Whether write_pending has run, after data_done changed. Data counted
 * before the buffers exist (only a failed data phase does that) is for
 * write_pending to find: it sets WRITE_READY and then reads data_done,
 * this updates data_done and then reads WRITE_READY, so a full barrier
 * on both sides makes at least one of them see the other. Only the
 * unlikely path pays for it.
 */
static bool kitt_cmd_write_ready(struct kitt_cmd *cmd)
{
	if (test_bit_acquire(KITT_CMD_WRITE_READY, &cmd->flags))
		return true;
	smp_mb();	/* pairs with smp_mb__after_atomic() in kitt_write_pending() */
	return test_bit_acquire(KITT_CMD_WRITE_READY, &cmd->flags);
}

/*
 * Account for the Data-Out (or immediate data) PDU just read: rx_place
 * bytes of it landed in the command's pages, the rest was dropped.
 */
static void kitt_cmd_data_in_place(struct kitt_cmd *cmd, bool final)
{
	struct kitt_burst *b = cmd->rx_burst;

	/* After a bad PDU, count what was sent: it ends the data phase. */
	if (test_bit(KITT_CMD_DATA_ERROR, &cmd->flags))
		cmd->data_done += min(cmd->rx_len, cmd->write_len);
	else
		cmd->data_done += cmd->rx_place;
	if (b) {
		b->received += min(cmd->rx_len, b->len - b->received);
		b->data_sn++;
		if (b->received == b->len || final)
			b->active = false;
		if (b == &cmd->unsol && !b->active &&
		    cmd->conn->unsol_cmd == cmd)
			cmd->conn->unsol_cmd = NULL;
		kitt_cmd_owed(cmd, kitt_cmd_bursts_open(cmd));
	}
	if (test_bit(KITT_CMD_RSP_QUEUED, &cmd->flags))
		return;
	if (!kitt_cmd_write_ready(cmd))
		return;		/* write_pending will look at data_done */
	if (cmd->data_done >= cmd->write_len) {
		kitt_cmd_write_complete(cmd);
		return;
	}
	/* A burst is done: the next R2T may go out. */
	if (b && !b->active)
		kitt_cmd_queue_r2t(cmd);
}

/* A whole SCSI Command or Data-Out PDU has been read. */
static void kitt_cmd_finish(struct kitt_conn *conn, struct kitt_cmd *cmd);

int kitt_cmd_rx_done(struct kitt_conn *conn)
{
	const struct iscsi_hdr *hdr = (const void *)conn->rx_bhs;
	struct kitt_cmd *cmd = conn->rx_cmd;
	bool final = hdr->flags & ISCSI_FLAG_CMD_FINAL;

	if (!cmd)
		return 0;
	conn->rx_cmd = NULL;
	kitt_cmd_data_in_place(cmd, final);
	/* Its response went out while we were still reading its data. */
	if (test_and_clear_bit(KITT_CMD_FINISH_DEFERRED, &cmd->flags))
		kitt_cmd_finish(conn, cmd);
	return 0;
}

/* ---- Data-Out ---- */

/*
 * The command unsolicited Data-Out with @itt belongs to: usually the
 * last one that promised some; initiators may interleave several.
 */
static struct kitt_cmd *kitt_unsol_cmd(struct kitt_conn *conn, u32 itt)
{
	struct kitt_cmd *cmd = conn->unsol_cmd, *found = NULL;

	if (cmd && cmd->itt == itt) {
		found = cmd;
	} else {
		spin_lock_bh(&conn->lock);
		list_for_each_entry(cmd, &conn->cmds, conn_entry) {
			if (cmd->itt == itt && cmd->unsol.active) {
				found = cmd;
				break;
			}
		}
		spin_unlock_bh(&conn->lock);
	}
	if (!found || !found->unsol.active ||
	    test_bit(KITT_CMD_ABORTED, &found->flags))
		return NULL;
	return found;
}

/* The burst a Data-Out PDU belongs to, or NULL (unknown ITT or TTT). */
static struct kitt_burst *kitt_data_out_burst(struct kitt_conn *conn,
					      struct kitt_cmd **cmdp)
{
	const struct iscsi_data *hdr = (const void *)conn->rx_bhs;
	u32 itt = kitt_bhs_itt(conn->rx_bhs), ttt = be32_to_cpu(hdr->ttt);
	struct se_session *se_sess = conn->sess->se_sess;
	struct kitt_cmd *cmd;
	u32 tag;
	int i;

	if (ttt == ISCSI_RESERVED_TAG) {
		cmd = kitt_unsol_cmd(conn, itt);
		if (!cmd)
			return NULL;
		*cmdp = cmd;
		return &cmd->unsol;
	}
	tag = ttt & 0xffff;
	if (tag >= conn->sess->tags)
		return NULL;
	cmd = &((struct kitt_cmd *)se_sess->sess_cmd_map)[tag];
	if (cmd->conn != conn || cmd->itt != itt)
		return NULL;
	if (test_bit(KITT_CMD_ABORTED, &cmd->flags)) {
		*cmdp = cmd;	/* data in flight when it was aborted */
		return NULL;
	}
	for (i = 0; i < KITT_MAX_R2T; i++) {
		if (cmd->bursts[i].active && cmd->bursts[i].ttt == ttt) {
			*cmdp = cmd;
			return &cmd->bursts[i];
		}
	}
	return NULL;
}

/*
 * Unsolicited Data-Out for a command whose response went out before all
 * of it arrived (it failed early): dropped without a Reject.
 */
static bool kitt_data_out_drain(struct kitt_conn *conn, u32 len)
{
	const struct iscsi_data *hdr = (const void *)conn->rx_bhs;
	u32 itt = kitt_bhs_itt(conn->rx_bhs);
	struct kitt_drain *d;

	if (hdr->ttt != cpu_to_be32(ISCSI_RESERVED_TAG))
		return false;
	for (d = conn->drain; d < conn->drain + KITT_DRAIN_MAX; d++) {
		if (!d->left || d->itt != itt)
			continue;
		d->left -= min(len, d->left);
		if (hdr->flags & ISCSI_FLAG_CMD_FINAL)
			d->left = 0;
		return true;
	}
	return false;
}

/*
 * Task @itt is over with @left bytes of its unsolicited data to come
 * (answered early, or held and ended by a TMF): drop them quietly.
 */
void kitt_data_out_drain_add(struct kitt_conn *conn, u32 itt, u32 left)
{
	struct kitt_drain *d, *slot = NULL;

	/* Its own slot if it has one (an ITT reused), else a free one. */
	for (d = conn->drain; d < conn->drain + KITT_DRAIN_MAX; d++) {
		if (d->itt == itt && d->left) {
			slot = d;
			break;
		}
		if (!d->left && !slot)
			slot = d;
	}
	if (!slot)
		slot = &conn->drain[conn->drain_next++ % KITT_DRAIN_MAX];
	slot->itt = itt;
	slot->left = left;
}

/*
 * A Data-Out header is in. Unknown ITT/TTT: Reject and drop the data.
 * Wrong DataSN, offset or length for its burst: drop the data, and the
 * command fails once its data phase is over; bad data is never written.
 */
static int kitt_data_out_hdr(struct kitt_conn *conn)
{
	const u8 *bhs = conn->rx_bhs;
	const struct iscsi_data *hdr = (const void *)bhs;
	u32 ttt = be32_to_cpu(hdr->ttt), sn = be32_to_cpu(hdr->datasn);
	u32 off = be32_to_cpu(hdr->offset), len = conn->rx_data_len;
	struct kitt_cmd *cmd = NULL;
	struct kitt_burst *b;
	bool ok;

	if (unlikely(conn->park_bytes) && ttt == ISCSI_RESERVED_TAG &&
	    kitt_park_has_itt(conn, kitt_bhs_itt(bhs))) {
		conn->rx_park = true;	/* unsolicited data of a held command */
		return 0;
	}
	conn->rx_discard = len;
	b = kitt_data_out_burst(conn, &cmd);
	if (!b && (cmd || kitt_data_out_drain(conn, len)))
		return 1;	/* dropped without a word */
	if (!b) {
		pr_warn_ratelimited("rejecting Data-Out for unknown ITT 0x%08x TTT 0x%08x\n",
				    kitt_bhs_itt(bhs), ttt);
		conn->rx_reject = KITT_REJECT_INVALID_PDU_FIELD;
		return 1;
	}
	ok = sn == b->data_sn && off == b->offset + b->received &&
	     len <= b->len - b->received && len;
	if (!ok) {
		pr_warn_ratelimited("bad Data-Out for ITT 0x%08x (DataSN %u, offset %u, length %u): failing the command\n",
				    cmd->itt, sn, off, len);
		set_bit(KITT_CMD_DATA_ERROR, &cmd->flags);
		/* Count what the initiator thinks it sent, write nothing. */
		cmd->rx_burst = b;
		cmd->rx_len = len;
		conn->rx_cmd = cmd;
		return 1;
	}
	cmd->rx_burst = b;
	cmd->rx_len = len;
	conn->rx_cmd = cmd;
	return 1;
}

/*
 * Header time in the full feature phase. Returns 1 if the data segment's
 * destination is decided here (a command's pages, or dropped), 0 if the
 * PDU wants its data in a buffer.
 */
int kitt_ffp_rx_hdr(struct kitt_conn *conn)
{
	struct kitt_sess *sess = conn->sess;
	struct kitt_pdu_check_result res;
	const u8 *bhs = conn->rx_bhs;
	u8 op = kitt_bhs_opcode(bhs);

	if (READ_ONCE(conn->state) != KITT_CONN_FULL) {
		conn->rx_drop = true;	/* logging out: ignore the rest */
		conn->rx_discard = conn->rx_data_len;
		return 1;
	}
	kitt_pdu_check(bhs, sess->type == KITT_SESS_DISCOVERY ?
		       KITT_PHASE_DISCOVERY : KITT_PHASE_FULL,
		       &conn->limits, &res);
	if (res.verdict == KITT_PDU_REJECT) {
		pr_warn_ratelimited("rejecting PDU: %s (opcode 0x%02x)\n",
				    res.why, op);
		conn->rx_reject = res.reason;
		conn->rx_discard = conn->rx_data_len;
		return 1;
	}
	if (op == ISCSI_OP_SCSI_DATA_OUT)
		return kitt_data_out_hdr(conn);
	if (op != ISCSI_OP_SCSI_CMD)
		return 0;
	switch (kitt_sess_cmdsn_check(conn, true)) {
	case KITT_SN_NEXT:
		return kitt_cmd_rx_hdr(conn);
	case KITT_SN_AHEAD:
		conn->rx_park = true;	/* the whole PDU into a buffer */
		return 0;
	default:
		conn->rx_drop = true;
		conn->rx_discard = conn->rx_data_len;
		return 1;
	}
}

/* ---- R2T ---- */

/* R2Ts go on the locked tx_queue: an aborted write takes its R2T off. */
static void kitt_cmd_queue_r2t_tx(struct kitt_cmd *cmd)
{
	struct kitt_conn *conn = cmd->conn;

	spin_lock_bh(&conn->lock);
	if (conn->state != KITT_CONN_CLOSING && list_empty(&cmd->r2t_tx.entry))
		list_add_tail(&cmd->r2t_tx.entry, &conn->tx_queue);
	/* One lock round: queue and wake together. */
	kitt_conn_kick_locked(conn);
	spin_unlock_bh(&conn->lock);
}

/*
 * Where the next R2T asks from. Before the first, past the immediate
 * data and what the unsolicited burst promises (or, once it is over,
 * brought): a write whose data all comes unasked needs no R2T.
 */
static u32 kitt_cmd_r2t_start(const struct kitt_cmd *cmd)
{
	if (cmd->r2t_sn)
		return cmd->r2t_offset;
	return cmd->imm_len + (cmd->unsol.active ? cmd->unsol.len :
			       cmd->unsol.received);
}

static void kitt_cmd_queue_r2t(struct kitt_cmd *cmd)
{
	if (kitt_cmd_r2t_start(cmd) >= cmd->write_len ||
	    test_bit(KITT_CMD_EXECUTED, &cmd->flags) ||
	    test_and_set_bit(KITT_CMD_R2T_QUEUED, &cmd->flags))
		return;
	kitt_cmd_queue_r2t_tx(cmd);
}

/* A free burst slot, if MaxOutstandingR2T allows another R2T now. */
static struct kitt_burst *kitt_cmd_free_burst(struct kitt_cmd *cmd)
{
	u32 max = min_t(u32, cmd->conn->params.max_outstanding_r2t, KITT_MAX_R2T);
	u32 i, active = 0;
	struct kitt_burst *free = NULL;

	/* Unsolicited data must be in before the first R2T goes out. */
	if (cmd->unsol.active)
		return NULL;
	for (i = 0; i < KITT_MAX_R2T; i++) {
		if (cmd->bursts[i].active)
			active++;
		else if (!free)
			free = &cmd->bursts[i];
	}
	return active < max ? free : NULL;
}

/* Take a free burst for the next R2T and build its header. */
static void kitt_cmd_build_r2t(struct kitt_conn *conn, struct kitt_cmd *cmd,
			       struct kitt_burst *b)
{
	struct iscsi_r2t_rsp *hdr = (void *)cmd->r2t_hdr;

	memset(b, 0, sizeof(*b));
	b->active = true;
	b->offset = cmd->r2t_offset;
	b->len = min(cmd->write_len - cmd->r2t_offset,
		     conn->params.max_burst_length);
	b->ttt = (cmd->r2t_sn & 0x7fff) << 16 | cmd->se_cmd.map_tag;
	cmd->r2t_offset += b->len;

	*hdr = (struct iscsi_r2t_rsp) {
		.opcode = ISCSI_OP_R2T,
		.flags = ISCSI_FLAG_CMD_FINAL,
		.itt = kitt_cmd_itt(cmd),
		.ttt = cpu_to_be32(b->ttt),
		.r2tsn = cpu_to_be32(cmd->r2t_sn++),
		.data_offset = cpu_to_be32(b->offset),
		.data_length = cpu_to_be32(b->len),
	};
	memcpy(&hdr->lun, cmd->lun, sizeof(hdr->lun));
	kitt_conn_stamp_hdr(conn, cmd->r2t_hdr, false);
	kitt_conn_seal_hdr(conn, cmd->r2t_hdr);
	cmd->r2t_sent = 0;
	cmd->r2t_building = true;
}

/* Another R2T of @cmd can go out right after the one being sent. */
static bool kitt_cmd_r2t_follows(struct kitt_cmd *cmd)
{
	return cmd->r2t_offset < cmd->write_len && kitt_cmd_free_burst(cmd);
}

/* Send as many R2Ts as allowed; 1 when no more can go now. */
static int kitt_cmd_send_r2t(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	struct kitt_burst *b;
	bool more;
	int ret;

	for (;;) {
		if (!cmd->r2t_building) {
			/* Ended meanwhile (aborted): ask for nothing more. */
			b = test_bit(KITT_CMD_EXECUTED, &cmd->flags) ? NULL :
			    kitt_cmd_free_burst(cmd);
			/*
			 * The first R2T asks for what follows the unsolicited
			 * data, which may have ended short of FirstBurstLength.
			 */
			if (b && !cmd->r2t_sn)
				cmd->r2t_offset = cmd->imm_len + cmd->unsol.received;
			if (!b || cmd->r2t_offset >= cmd->write_len)
				break;
			kitt_cmd_build_r2t(conn, cmd, b);
		}
		/* MSG_MORE only if bytes surely follow (io_work pushes). */
		more = kitt_cmd_r2t_follows(cmd) || kitt_conn_tx_pending(conn);
		ret = kitt_conn_send_kvec(conn, cmd->r2t_hdr,
					  kitt_conn_hdr_len(conn),
					  &cmd->r2t_sent, more);
		if (ret <= 0)
			return ret;
		cmd->r2t_building = false;
		/* The initiator owes this burst from now on. */
		kitt_cmd_owed(cmd, true);
	}
	clear_bit(KITT_CMD_R2T_QUEUED, &cmd->flags);
	return 1;
}

/*
 * End a write that waits for data which will never come (its connection
 * is gone), unless something already ran or failed it.
 */
static void kitt_cmd_abort_write(struct kitt_cmd *cmd)
{
	if (test_and_set_bit(KITT_CMD_EXECUTED, &cmd->flags))
		return;
	kitt_cmd_never_ran(&cmd->se_cmd);
	target_complete_cmd(&cmd->se_cmd, SAM_STAT_TASK_ABORTED);
}

/*
 * The core has the buffers of a write: receive its data, ask for more.
 *
 * Usually called from io_work (direct submission); with a device's
 * submit_type set to queued (6.12) it runs on the core's workqueue and may
 * meet the connection's release. The two hand off with WRITE_READY and
 * ORPHAN: each sets its bit, then looks at the other's, so at least one
 * sees both and ends the write (EXECUTED decides which).
 */
int kitt_write_pending(struct se_cmd *se_cmd)
{
	struct kitt_cmd *cmd = kitt_cmd(se_cmd);
	/*
	 * Off io_work the release may end the command while this runs:
	 * hold it. In io_work (direct submission) the release waits for us.
	 */
	bool hold = current_work() != &cmd->conn->io_work;

	if (hold)
		kref_get(&se_cmd->cmd_kref);
	cmd->write_len = se_cmd->data_length;
	/* write_len before the receiver sees WRITE_READY. */
	smp_mb__before_atomic();
	set_bit(KITT_CMD_WRITE_READY, &cmd->flags);
	/* Pairs with kitt_conn_orphan_cmd(), as above. */
	smp_mb__after_atomic();
	if (test_bit(KITT_CMD_ORPHAN, &cmd->flags)) {
		/* The connection went before the buffers came. */
		kitt_cmd_abort_write(cmd);
	} else if (cmd->data_done >= cmd->write_len) {
		/* Data that came before the buffers existed waited for them. */
		kitt_cmd_write_complete(cmd);
	} else {
		kitt_cmd_queue_r2t(cmd);
		/* A receiver waiting for these buffers can go on. */
		if (hold)
			kitt_conn_kick(cmd->conn);
	}
	if (hold)
		target_put_sess_cmd(se_cmd);
	return 0;
}

/* ---- Data-In and SCSI Response ---- */

/*
 * Residuals (RFC 7143 §11.4.5.1) between what the command moves (what the
 * core made of its CDB, plus any part kitt cut off a write) and what the
 * initiator expected.
 */
/* The residual against EDTL: >0 underflow, <0 overflow (of up to 4 GiB). */
static s64 kitt_cmd_resid(const struct kitt_cmd *cmd)
{
	u64 want = (u64)cmd->se_cmd.data_length + cmd->cut;

	return (s64)cmd->edtl - (s64)min_t(u64, want, (u64)cmd->edtl + U32_MAX);
}

static void kitt_cmd_residual(struct kitt_cmd *cmd, u8 *flags, __be32 *count)
{
	s64 resid = kitt_cmd_resid(cmd);

	if (!resid)
		return;
	*flags |= resid > 0 ? ISCSI_FLAG_CMD_UNDERFLOW : ISCSI_FLAG_CMD_OVERFLOW;
	*count = cpu_to_be32((u32)abs(resid));
}

/*
 * The status of @cmd is being stamped. If only the fabric's reference is
 * left (the core is done, nothing else holds it), its tag is freed as soon
 * as the response has left, in this io_work, before another PDU is read:
 * its CmdSN slot can go back now, so the response itself reopens the
 * window (a window of one would otherwise stay shut).
 */
static void kitt_cmd_slot_early(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	if (kref_read(&cmd->se_cmd.cmd_kref) == 1 &&
	    test_and_clear_bit(KITT_CMD_SLOT, &cmd->flags))
		kitt_sess_cmd_done(conn->sess);
}

/* The data digest of the Data-In PDU of @len bytes at datain_off. */
static void kitt_cmd_datain_digest(struct kitt_cmd *cmd, u32 len)
{
	struct scatterlist *sg;
	u32 skip, crc;

	sg = kitt_sg_seek(&cmd->tx_cur, cmd->se_cmd.t_data_sg,
			  cmd->datain_off, &skip);
	crc = kitt_crc_sg(KITT_CRC_SEED, sg, skip, len);
	crc = kitt_crc_buf(crc, kitt_zero_pad, kitt_pad4(len) - len);
	kitt_digest_put(cmd->data_digest, crc);
}

/* Build the header of the next Data-In PDU. */
static void kitt_cmd_build_datain(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	u32 left = cmd->datain_len - cmd->datain_off;
	u32 len = min3(left, conn->params.max_xmit_dsl, cmd->burst_left);
	bool last = len == left;
	bool status = last && cmd->status_in_datain;
	struct iscsi_data_rsp *hdr = (void *)cmd->pdu_hdr;

	*hdr = (struct iscsi_data_rsp) {
		.opcode = ISCSI_OP_SCSI_DATA_IN,
		.itt = kitt_cmd_itt(cmd),
		.ttt = cpu_to_be32(ISCSI_RESERVED_TAG),
		.datasn = cpu_to_be32(cmd->datain_sn++),
		.offset = cpu_to_be32(cmd->datain_off),
	};
	if (last || len == cmd->burst_left)
		hdr->flags |= ISCSI_FLAG_CMD_FINAL;
	hton24(hdr->dlength, len);
	memcpy(&hdr->lun, cmd->lun, sizeof(hdr->lun));
	if (status) {
		hdr->flags |= ISCSI_FLAG_DATA_STATUS;
		hdr->cmd_status = se_cmd->scsi_status;
		kitt_cmd_residual(cmd, &hdr->flags, &hdr->residual_count);
		kitt_cmd_slot_early(conn, cmd);
	}
	kitt_conn_stamp_hdr(conn, cmd->pdu_hdr, status);
	kitt_conn_seal_hdr(conn, cmd->pdu_hdr);
	if (conn->ddigest)
		kitt_cmd_datain_digest(cmd, len);
	cmd->pdu_len = len;
	cmd->burst_left -= len;
	if (!cmd->burst_left)
		cmd->burst_left = conn->params.max_burst_length;
}

/*
 * After @len bytes of data (cmd->piece_sent counts from the data's
 * start): the padding, then the data digest if the connection uses them.
 */
static int kitt_cmd_send_tail(struct kitt_conn *conn, struct kitt_cmd *cmd,
			      u32 len, bool more)
{
	u32 pad = kitt_pad4(len) - len, dd = conn->ddigest ? KITT_DIGEST_LEN : 0;
	u32 sent;
	int ret;

	if (cmd->piece_sent < len + pad) {
		sent = cmd->piece_sent - len;
		ret = kitt_conn_send_kvec(conn, kitt_zero_pad, pad, &sent,
					  more || dd);
		cmd->piece_sent = len + sent;
		if (ret <= 0)
			return ret;
	}
	sent = cmd->piece_sent - len - pad;
	ret = kitt_conn_send_kvec(conn, cmd->data_digest, dd, &sent, more);
	cmd->piece_sent = len + pad + sent;
	return ret;
}

/* Whether padding or a data digest follows the current PDU's data. */
static bool kitt_cmd_has_tail(const struct kitt_conn *conn,
			      const struct kitt_cmd *cmd)
{
	return kitt_pad4(cmd->pdu_len) != cmd->pdu_len || conn->ddigest;
}

/* Pages one send takes at most: 64 KiB of 4 KiB pages. */
#define KITT_TX_PIECES	16

/*
 * One send of the current Data-In PDU: @lead bytes already in bv[0] (what
 * is left of its header) or none, then its data from byte @off, as many
 * pages as one call takes, from the command's cursor. MSG_MORE while more
 * of the PDU, its tail, or what the caller says (@more) follows. The
 * bytes sent, 0 if the socket is full, <0 on error.
 */
static int kitt_cmd_send_datain_pages(struct kitt_conn *conn,
				      struct kitt_cmd *cmd,
				      struct bio_vec *bv, u32 lead, u32 off,
				      bool more)
{
	unsigned int first = lead ? 1 : 0;
	u32 want = cmd->pdu_len - off, mapped;
	int n;

	n = kitt_sg_map(&cmd->tx_cur, cmd->se_cmd.t_data_sg,
			cmd->datain_off + off, want, bv + first,
			KITT_TX_PIECES - first, &mapped);
	if (n <= 0)
		return -EINVAL;
	return kitt_conn_send_pages(conn, bv, n + first, lead + mapped,
				    more || kitt_cmd_has_tail(conn, cmd) ||
				    mapped < want);
}

/*
 * Send the data of the current Data-In PDU from the command's pages,
 * several pages a call, then its tail.
 */
static int kitt_cmd_send_datain_data(struct kitt_conn *conn,
				     struct kitt_cmd *cmd, bool more)
{
	struct bio_vec bv[KITT_TX_PIECES];
	int ret;

	while (cmd->piece_sent < cmd->pdu_len) {
		ret = kitt_cmd_send_datain_pages(conn, cmd, bv, 0,
						 cmd->piece_sent, more);
		if (ret <= 0)
			return ret;
		cmd->piece_sent += ret;
	}
	if (kitt_cmd_has_tail(conn, cmd)) {
		ret = kitt_cmd_send_tail(conn, cmd, cmd->pdu_len, more);
		if (ret <= 0)
			return ret;
	}
	cmd->datain_off += cmd->pdu_len;
	cmd->piece_sent = 0;
	return 1;
}

/*
 * On 6.12 a Data-In header goes out from a page fragment of its own, which
 * TCP takes by reference with the data's pages in the same call. Every
 * fragment of conn->tx_frags has this size, and the cache's pages are
 * multiples of it, so no fragment lies across a page.
 */
#define KITT_HDR_FRAG	64

/* The header alone, copied into the socket: 1 once it is all out. */
static int kitt_cmd_send_datain_hdr_copy(struct kitt_conn *conn,
					 struct kitt_cmd *cmd)
{
	int ret = kitt_conn_send_kvec(conn, cmd->pdu_hdr,
				      kitt_conn_hdr_len(conn),
				      &cmd->piece_sent, true);

	if (ret > 0)
		cmd->piece_sent = 0;
	return ret;
}

/*
 * Send what is left of the current Data-In PDU's header and, in the same
 * call, the first of its data. The header is copied for this call only (a
 * fragment the socket keeps a reference to, if it takes it); what the
 * socket did not take is copied again next time. 1 once the header is out
 * (cmd->piece_sent then counts the data sent), 0 if the socket is full,
 * <0 on error. On 6.1, which sends a page a call, and without a
 * fragment, the header is copied into the socket alone.
 */
static int kitt_cmd_send_datain_hdr(struct kitt_conn *conn,
				    struct kitt_cmd *cmd, bool more)
{
	u32 hlen = kitt_conn_hdr_len(conn) - cmd->piece_sent;
	struct bio_vec bv[KITT_TX_PIECES];
	u8 *frag = NULL;
	int ret;

	BUILD_BUG_ON(KITT_HDR_MAX > KITT_HDR_FRAG);
	if (kitt_sock_bvec_one_call())
		frag = page_frag_alloc(&conn->tx_frags, KITT_HDR_FRAG,
				       GFP_NOWAIT | __GFP_NOWARN);
	if (!frag)
		return kitt_cmd_send_datain_hdr_copy(conn, cmd);
	memcpy(frag, cmd->pdu_hdr + cmd->piece_sent, hlen);
	kitt_bvec_set_page(&bv[0], virt_to_page(frag), hlen,
			   offset_in_page(frag));
	ret = kitt_cmd_send_datain_pages(conn, cmd, bv, hlen, 0, more);
	page_frag_free(frag);
	if (ret <= 0)
		return ret;
	if (ret < hlen) {
		cmd->piece_sent += ret;
		return 0;
	}
	cmd->piece_sent = ret - hlen;
	return 1;
}

static void kitt_cmd_build_status(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	struct iscsi_scsi_rsp *hdr = (void *)cmd->pdu_hdr;
	u32 sense_len = 0;

	if (se_cmd->scsi_sense_length &&
	    (se_cmd->se_cmd_flags & SCF_TRANSPORT_TASK_SENSE ||
	     se_cmd->se_cmd_flags & SCF_EMULATED_TASK_SENSE))
		sense_len = se_cmd->scsi_sense_length;
	cmd->pdu_len = sense_len ? sense_len + 2 : 0;
	kitt_put_be16(cmd->sense_hdr, sense_len);
	*hdr = (struct iscsi_scsi_rsp) {
		.opcode = ISCSI_OP_SCSI_CMD_RSP,
		.flags = ISCSI_FLAG_CMD_FINAL,
		.response = ISCSI_STATUS_CMD_COMPLETED,
		.cmd_status = se_cmd->scsi_status,
		.itt = kitt_cmd_itt(cmd),
		/* ExpDataSN: the Data-In and R2T PDUs sent for this command. */
		.exp_datasn = cpu_to_be32(cmd->datain_sn + cmd->r2t_sn),
	};
	hton24(hdr->dlength, cmd->pdu_len);
	kitt_cmd_residual(cmd, &hdr->flags, &hdr->residual_count);
	kitt_cmd_slot_early(conn, cmd);
	kitt_conn_stamp_hdr(conn, cmd->pdu_hdr, true);
	kitt_conn_seal_hdr(conn, cmd->pdu_hdr);
	if (conn->ddigest && sense_len) {
		u32 crc = kitt_crc_buf(KITT_CRC_SEED, cmd->sense_hdr, 2);

		crc = kitt_crc_buf(crc, cmd->sense, sense_len);
		crc = kitt_crc_buf(crc, kitt_zero_pad,
				   kitt_pad4(cmd->pdu_len) - cmd->pdu_len);
		kitt_digest_put(cmd->data_digest, crc);
	}
}

static void kitt_cmd_build_tmf_rsp(struct kitt_conn *conn,
				   struct kitt_cmd *cmd)
{
	struct iscsi_tm_rsp *hdr = (void *)cmd->pdu_hdr;

	*hdr = (struct iscsi_tm_rsp) {
		.opcode = ISCSI_OP_SCSI_TMFUNC_RSP,
		.flags = ISCSI_FLAG_CMD_FINAL,
		.response = kitt_tmf_response(cmd),
		.itt = kitt_cmd_itt(cmd),
	};
	trace_kitt_tmf_rsp(conn->sess->tsih, cmd->itt, hdr->response);
	kitt_cmd_slot_early(conn, cmd);
	kitt_conn_stamp_hdr(conn, cmd->pdu_hdr, true);
	kitt_conn_seal_hdr(conn, cmd->pdu_hdr);
	cmd->pdu_len = 0;
}

static int kitt_cmd_send_sense(struct kitt_conn *conn, struct kitt_cmd *cmd,
			       bool more)
{
	u32 len = cmd->pdu_len;
	bool tail = kitt_cmd_has_tail(conn, cmd);
	u32 sent;
	int ret;

	if (cmd->piece_sent < 2) {
		ret = kitt_conn_send_kvec(conn, cmd->sense_hdr, 2,
					  &cmd->piece_sent, true);
		if (ret <= 0)
			return ret;
	}
	sent = cmd->piece_sent - 2;
	if (sent < len - 2) {
		ret = kitt_conn_send_kvec(conn, cmd->sense, len - 2, &sent,
					  more || tail);
		cmd->piece_sent = 2 + sent;
		if (ret <= 0)
			return ret;
	}
	return kitt_cmd_send_tail(conn, cmd, len, more);
}

/* The response is out: the command's slot and tag go back. */
static void kitt_cmd_finish(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	/* The receiver is still reading data for it: finish after that. */
	if (conn->rx_cmd == cmd) {
		set_bit(KITT_CMD_FINISH_DEFERRED, &cmd->flags);
		return;
	}
	spin_lock_bh(&conn->lock);
	list_del_init(&cmd->conn_entry);
	spin_unlock_bh(&conn->lock);
	if (conn->unsol_cmd == cmd)
		conn->unsol_cmd = NULL;
	/* Unsolicited data may still be on its way: drop it quietly. */
	if (cmd->unsol.active)
		kitt_data_out_drain_add(conn, cmd->itt,
					cmd->unsol.len - cmd->unsol.received);
	kitt_cmd_let_go(conn, cmd);
}

/* Whether the current Data-In PDU ends the command's answer. */
static bool kitt_cmd_datain_last(const struct kitt_cmd *cmd)
{
	return cmd->status_in_datain &&
	       cmd->datain_off + cmd->pdu_len >= cmd->datain_len;
}

/*
 * Send the current Data-In PDU's data, then set up what follows: 0 to go
 * on, 1 when the command is done (status was in the last Data-In), or the
 * send's result if it could not finish.
 */
static int kitt_cmd_datain_step(struct kitt_conn *conn, struct kitt_cmd *cmd,
				bool more)
{
	bool last = cmd->datain_off + cmd->pdu_len >= cmd->datain_len;
	int ret;

	ret = kitt_cmd_send_datain_data(conn, cmd,
					more || !kitt_cmd_datain_last(cmd));
	if (ret <= 0)
		return ret ?: -EAGAIN;
	if (!last) {
		kitt_cmd_build_datain(conn, cmd);
		cmd->tx_state = KITT_CTX_DATAIN_HDR;
		return 0;
	}
	if (cmd->status_in_datain) {
		kitt_cmd_finish(conn, cmd);
		return 1;
	}
	kitt_cmd_build_status(conn, cmd);
	cmd->tx_state = KITT_CTX_STATUS_HDR;
	return 0;
}

/* Send a command's Data-In PDUs and status: 1 when all is out. */
static int kitt_cmd_send_rsp(struct kitt_conn *conn, struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	bool more = kitt_conn_tx_pending(conn);
	int ret;

	for (;;) {
		switch (cmd->tx_state) {
		case KITT_CTX_START:
			if (se_cmd->se_cmd_flags & SCF_SCSI_TMR_CDB) {
				kitt_cmd_build_tmf_rsp(conn, cmd);
				cmd->tx_state = KITT_CTX_STATUS_HDR;
				cmd->piece_sent = 0;
				break;
			}
			cmd->burst_left = conn->params.max_burst_length;
			/* Only what the initiator made room for goes out. */
			cmd->datain_len = min(se_cmd->data_length, cmd->edtl);
			if (se_cmd->data_direction == DMA_FROM_DEVICE &&
			    cmd->datain_len && se_cmd->t_data_sg &&
			    se_cmd->scsi_status == SAM_STAT_GOOD) {
				cmd->status_in_datain = !se_cmd->scsi_sense_length;
				kitt_buf_scrub(conn->sess, cmd);
				kitt_cmd_build_datain(conn, cmd);
				cmd->tx_state = KITT_CTX_DATAIN_HDR;
			} else {
				kitt_cmd_build_status(conn, cmd);
				cmd->tx_state = KITT_CTX_STATUS_HDR;
			}
			cmd->piece_sent = 0;
			break;
		case KITT_CTX_DATAIN_HDR:
			ret = kitt_cmd_send_datain_hdr(conn, cmd, more ||
						       !kitt_cmd_datain_last(cmd));
			if (ret <= 0)
				return ret;
			cmd->tx_state = KITT_CTX_DATAIN_DATA;
			break;
		case KITT_CTX_DATAIN_DATA:
			ret = kitt_cmd_datain_step(conn, cmd, more);
			if (ret == -EAGAIN)
				return 0;	/* the socket is full */
			if (ret)
				return ret;
			break;
		case KITT_CTX_STATUS_HDR:
			ret = kitt_conn_send_kvec(conn, cmd->pdu_hdr,
						  kitt_conn_hdr_len(conn),
						  &cmd->piece_sent,
						  more || cmd->pdu_len);
			if (ret <= 0)
				return ret;
			cmd->piece_sent = 0;
			cmd->tx_state = KITT_CTX_STATUS_DATA;
			break;
		case KITT_CTX_STATUS_DATA:
			if (cmd->pdu_len) {
				ret = kitt_cmd_send_sense(conn, cmd, more);
				if (ret <= 0)
					return ret;
			}
			kitt_cmd_finish(conn, cmd);
			return 1;
		}
	}
}

int kitt_cmd_send(struct kitt_conn *conn, struct kitt_tx *tx)
{
	if (tx->kind == KITT_TX_R2T)
		return kitt_cmd_send_r2t(conn, container_of(tx, struct kitt_cmd,
							    r2t_tx));
	return kitt_cmd_send_rsp(conn, container_of(tx, struct kitt_cmd, rsp_tx));
}

/*
 * End a command whose connection went away (an orphan): its response will
 * never be sent. Both the response arriving after the close and the close
 * finding the response queued call this; the first one ends it.
 */
static void kitt_cmd_end_orphan(struct kitt_cmd *cmd)
{
	if (test_and_set_bit(KITT_CMD_ORPHAN_ENDED, &cmd->flags))
		return;
	kitt_cmd_let_go(cmd->conn, cmd);
}

static int kitt_cmd_queue_rsp(struct se_cmd *se_cmd)
{
	struct kitt_cmd *cmd = kitt_cmd(se_cmd);

	if (test_and_set_bit(KITT_CMD_RSP_QUEUED, &cmd->flags))
		return 0;
	/* The connection is gone (kitt_conn_release_cmds). */
	if (test_bit(KITT_CMD_ORPHAN, &cmd->flags)) {
		kitt_cmd_end_orphan(cmd);
		return 0;
	}
	kitt_conn_queue_rsp(cmd->conn, &cmd->rsp_tx);
	return 0;
}

/*
 * Data a command that ends now moves: the Data-In that goes out, or the
 * data a write took; 0 when it failed.
 */
static u32 kitt_cmd_bytes(const struct kitt_cmd *cmd)
{
	const struct se_cmd *se_cmd = &cmd->se_cmd;

	if (se_cmd->scsi_status != SAM_STAT_GOOD)
		return 0;
	if (se_cmd->data_direction == DMA_FROM_DEVICE)
		return se_cmd->t_data_sg ? min(se_cmd->data_length, cmd->edtl) : 0;
	if (se_cmd->data_direction == DMA_TO_DEVICE)
		return se_cmd->data_length;
	return 0;
}

static void kitt_cmd_trace_complete(struct se_cmd *se_cmd)
{
	struct kitt_sess *sess = se_cmd->se_sess->fabric_sess_ptr;
	struct kitt_cmd *cmd = kitt_cmd(se_cmd);

	trace_kitt_cmd_complete(sess->tsih, cmd->itt,
				se_cmd->t_task_cdb ? se_cmd->t_task_cdb[0] : 0,
				kitt_cmd_bytes(cmd), kitt_cmd_resid(cmd),
				se_cmd->scsi_status);
}

int kitt_queue_data_in(struct se_cmd *se_cmd)
{
	if (trace_kitt_cmd_complete_enabled())
		kitt_cmd_trace_complete(se_cmd);
	return kitt_cmd_queue_rsp(se_cmd);
}

int kitt_queue_status(struct se_cmd *se_cmd)
{
	if (trace_kitt_cmd_complete_enabled())
		kitt_cmd_trace_complete(se_cmd);
	return kitt_cmd_queue_rsp(se_cmd);
}

void kitt_release_cmd(struct se_cmd *se_cmd)
{
	struct kitt_sess *sess = se_cmd->se_sess->fabric_sess_ptr;
	struct kitt_cmd *cmd = kitt_cmd(se_cmd);

	if (cmd->charged)
		atomic_long_sub(cmd->charged, &sess->data_bytes);
	kitt_buf_release(sess, cmd);
	kitt_cmd_free_tag(sess, cmd);
}

/*
 * The core aborted @se_cmd (a TMF) and will drop the fabric's reference
 * when this returns. io_work may still be reading its data or sending its
 * R2T: keep it alive with a reference of our own and let io_work (or the
 * connection's release) let go of it once nothing points at it.
 */
void kitt_aborted_task(struct se_cmd *se_cmd)
{
	struct kitt_cmd *cmd = kitt_cmd(se_cmd);
	struct kitt_conn *conn = cmd->conn;

	spin_lock_bh(&conn->lock);
	set_bit(KITT_CMD_ABORTED, &cmd->flags);
	if (conn->io_stopped) {
		/* Nothing of the connection runs any more: end it now. */
		list_del_init(&cmd->conn_entry);
		spin_unlock_bh(&conn->lock);
		return;
	}
	kref_get(&se_cmd->cmd_kref);
	list_move_tail(&cmd->conn_entry, &conn->aborted);
	spin_unlock_bh(&conn->lock);
	kitt_conn_kick(conn);
}

/*
 * Let go of aborted commands that io_work no longer uses. With
 * @all (the connection is gone) nothing uses them any more.
 * kitt_conn_reap_aborted() calls this only when there may be some.
 */
void __kitt_conn_reap_aborted(struct kitt_conn *conn, bool all)
{
	struct kitt_cmd *cmd, *next;
	LIST_HEAD(done);

	/*
	 * The core queues no response for a command it ends with
	 * aborted_task; if one came all the same, it leaves rsp_ll first.
	 */
	kitt_conn_take_rsps(conn);
	spin_lock_bh(&conn->lock);
	list_for_each_entry_safe(cmd, next, &conn->aborted, conn_entry) {
		if (!all && (conn->rx_cmd == cmd ||
			     conn->tx_cur == &cmd->r2t_tx ||
			     conn->tx_cur == &cmd->rsp_tx))
			continue;
		list_del_init(&cmd->r2t_tx.entry);
		list_del_init(&cmd->rsp_tx.entry);
		list_move_tail(&cmd->conn_entry, &done);
	}
	spin_unlock_bh(&conn->lock);

	list_for_each_entry_safe(cmd, next, &done, conn_entry) {
		list_del_init(&cmd->conn_entry);
		if (conn->unsol_cmd == cmd)
			conn->unsol_cmd = NULL;
		target_put_sess_cmd(&cmd->se_cmd);
	}
}

/* A write whose data the initiator still owes (buffers exist, not run). */
static bool kitt_cmd_waits_for_data(struct kitt_cmd *cmd)
{
	return test_bit_acquire(KITT_CMD_WRITE_READY, &cmd->flags) &&
	       !test_bit(KITT_CMD_EXECUTED, &cmd->flags) &&
	       !test_bit(KITT_CMD_RSP_QUEUED, &cmd->flags);
}

static bool kitt_cmd_core_aborting(struct kitt_cmd *cmd)
{
	return READ_ONCE(cmd->se_cmd.transport_state) & CMD_T_ABORTED;
}

/* A write of @conn waiting for data that the core is aborting, held. */
static struct kitt_cmd *kitt_conn_aborting_write(struct kitt_conn *conn)
{
	struct kitt_cmd *cmd, *found = NULL;

	spin_lock_bh(&conn->lock);
	list_for_each_entry(cmd, &conn->cmds, conn_entry) {
		if (kitt_cmd_waits_for_data(cmd) && kitt_cmd_core_aborting(cmd)) {
			/* On the list: the fabric's reference is still held. */
			kref_get(&cmd->se_cmd.cmd_kref);
			found = cmd;
			break;
		}
	}
	spin_unlock_bh(&conn->lock);
	return found;
}

/*
 * Whether a write has waited longer than @timeout for data the initiator
 * owes (kitt_cmd_owed()); its ITT.
 */
static bool kitt_conn_late_write(struct kitt_conn *conn, unsigned long timeout,
				 u32 *itt)
{
	unsigned long now = jiffies, since;
	struct kitt_cmd *cmd;
	bool late = false;

	spin_lock_bh(&conn->lock);
	list_for_each_entry(cmd, &conn->cmds, conn_entry) {
		since = READ_ONCE(cmd->data_wait);
		if (since && kitt_cmd_waits_for_data(cmd) &&
		    !kitt_cmd_core_aborting(cmd) &&
		    time_after(now, since + timeout)) {
			*itt = cmd->itt;
			late = true;
			break;
		}
	}
	spin_unlock_bh(&conn->lock);
	return late;
}

/*
 * The writes of @conn that wait for Data-Out (kitt_conn_watch_work):
 *
 * - A TMF (ABORT TASK, LUN RESET, from any session) waits in the core
 *   until the commands it aborts are released, and a write the initiator
 *   sends no more data for would never be: end its data phase here, as
 *   if its connection had gone, so that the abort completes at once.
 * - At ErrorRecoveryLevel 0 a write that has had no data it is owed for
 *   the ACL's dataout_timeout (@timeout) ends its connection, unless a
 *   TMF of the session went to the core less than @timeout ago and is
 *   still there (it is answered first, and may be what ends the write).
 *
 * Returns true if the connection must close.
 */
bool kitt_conn_watch_writes(struct kitt_conn *conn, unsigned long timeout)
{
	struct kitt_cmd *cmd;
	u32 itt;

	while ((cmd = kitt_conn_aborting_write(conn))) {
		kitt_cmd_abort_write(cmd);
		target_put_sess_cmd(&cmd->se_cmd);
	}
	if (!timeout || kitt_tmf_recent(conn->sess, timeout) ||
	    !kitt_conn_late_write(conn, timeout, &itt))
		return false;
	pr_warn_ratelimited("no Data-Out for ITT 0x%08x in %lu s: dropping the connection (ErrorRecoveryLevel 0)\n",
			    itt, timeout / HZ);
	return true;
}

int kitt_get_cmd_state(struct se_cmd *se_cmd)
{
	return kitt_cmd(se_cmd)->tx_state;
}

void kitt_queue_tm_rsp(struct se_cmd *se_cmd)
{
	kitt_cmd_queue_rsp(se_cmd);
}

/*
 * The connection is gone (release work, io_work stopped): every command it
 * had becomes an orphan. Whichever comes second, its response or this,
 * ends it (kitt_cmd_end_orphan()); a write still waiting for data gets no
 * more and completes as TASK ABORTED, whether or not the core is aborting
 * it (its abort waits for that). The session's teardown then waits for the
 * core to finish them all.
 */
static void kitt_conn_orphan_cmd(struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;

	/*
	 * Not yet aborted: no TMF takes it from now on. (The core sets
	 * CMD_T_ACTIVE without the lock when it submits a queued command, so
	 * this can be lost; then a TMF may still abort it, and
	 * kitt_aborted_task() or the TAS status ends it all the same.)
	 */
	spin_lock_irq(&se_cmd->t_state_lock);
	if (!(se_cmd->transport_state & CMD_T_ABORTED))
		se_cmd->transport_state |= CMD_T_FABRIC_STOP;
	spin_unlock_irq(&se_cmd->t_state_lock);

	set_bit(KITT_CMD_ORPHAN, &cmd->flags);
	/* Pairs with kitt_write_pending() and kitt_cmd_queue_rsp(). */
	smp_mb__after_atomic();
	if (test_bit(KITT_CMD_WRITE_READY, &cmd->flags))
		kitt_cmd_abort_write(cmd);
	if (test_bit(KITT_CMD_RSP_QUEUED, &cmd->flags))
		kitt_cmd_end_orphan(cmd);
}

void kitt_conn_release_cmds(struct kitt_conn *conn)
{
	struct kitt_cmd *cmd;

	/* Responses queued before the close go to rsp_list, to leave it. */
	kitt_conn_take_rsps(conn);
	for (;;) {
		spin_lock_bh(&conn->lock);
		cmd = list_first_entry_or_null(&conn->cmds, struct kitt_cmd,
					       conn_entry);
		if (cmd) {
			list_del_init(&cmd->conn_entry);
			list_del_init(&cmd->rsp_tx.entry);
			list_del_init(&cmd->r2t_tx.entry);
			/*
			 * The fabric's reference is still held: the command
			 * was on the list. Hold our own while it may end.
			 */
			kref_get(&cmd->se_cmd.cmd_kref);
		}
		spin_unlock_bh(&conn->lock);
		if (!cmd)
			break;
		kitt_conn_orphan_cmd(cmd);
		target_put_sess_cmd(&cmd->se_cmd);
	}
	conn->unsol_cmd = NULL;
}
