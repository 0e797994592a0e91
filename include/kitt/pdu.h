/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI PDU framing (RFC 7143 §11): the 48-byte Basic Header Segment,
 * opcodes, and the checks every received header passes before anything
 * else looks at it. Pure code (drivers/pdu.c), shared with user-space
 * tests and fuzzers, so it decodes from bytes and owns its byte order.
 */
#ifndef KITT_PDU_H
#define KITT_PDU_H

#include "kitt/pure.h"

#define KITT_BHS_LEN		48
#define KITT_DIGEST_LEN		4
/* AHS length is one byte of 4-byte words. */
#define KITT_AHS_MAX		(255 * 4)
/* DataSegmentLength is 24 bits; RFC 7143 caps negotiated values below it. */
#define KITT_DSL_MAX		16777215u
/* During login, PDUs carry at most 8192 bytes of data (§6.1). */
#define KITT_LOGIN_DSL_MAX	8192u

/* Opcodes: initiator to target. */
enum {
	KITT_OP_NOOP_OUT	= 0x00,
	KITT_OP_SCSI_CMD	= 0x01,
	KITT_OP_TMF_REQ		= 0x02,
	KITT_OP_LOGIN_REQ	= 0x03,
	KITT_OP_TEXT_REQ	= 0x04,
	KITT_OP_DATA_OUT	= 0x05,
	KITT_OP_LOGOUT_REQ	= 0x06,
	KITT_OP_SNACK		= 0x10,
};

/* Opcodes: target to initiator. */
enum {
	KITT_OP_NOOP_IN		= 0x20,
	KITT_OP_SCSI_RSP	= 0x21,
	KITT_OP_TMF_RSP		= 0x22,
	KITT_OP_LOGIN_RSP	= 0x23,
	KITT_OP_TEXT_RSP	= 0x24,
	KITT_OP_DATA_IN		= 0x25,
	KITT_OP_LOGOUT_RSP	= 0x26,
	KITT_OP_R2T		= 0x31,
	KITT_OP_ASYNC		= 0x32,
	KITT_OP_REJECT		= 0x3f,
};

#define KITT_BHS_IMMEDIATE	0x40	/* byte 0 */
#define KITT_BHS_OPCODE_MASK	0x3f
#define KITT_BHS_FINAL		0x80	/* byte 1 */

/* Reject reasons (§11.17.1). */
enum {
	KITT_REJECT_DIGEST		= 0x02,
	KITT_REJECT_SNACK		= 0x03,
	KITT_REJECT_PROTOCOL		= 0x04,
	KITT_REJECT_CMD_NOT_SUPPORTED	= 0x05,
	KITT_REJECT_IMM_CMD		= 0x06,
	KITT_REJECT_TASK_IN_PROGRESS	= 0x07,
	KITT_REJECT_INVALID_DATA_ACK	= 0x08,
	KITT_REJECT_INVALID_PDU_FIELD	= 0x09,
	KITT_REJECT_OUT_OF_RESOURCES	= 0x0a,
	KITT_REJECT_NEGOTIATION_RESET	= 0x0b,
	KITT_REJECT_WAITING_FOR_LOGOUT	= 0x0c,
};

static inline u16 kitt_get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 kitt_get_be24(const u8 *p)
{
	return (u32)p[0] << 16 | (u32)p[1] << 8 | p[2];
}

static inline u32 kitt_get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline u64 kitt_get_be64(const u8 *p)
{
	return (u64)kitt_get_be32(p) << 32 | kitt_get_be32(p + 4);
}

static inline void kitt_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void kitt_put_be24(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 16);
	p[1] = (u8)(v >> 8);
	p[2] = (u8)v;
}

static inline void kitt_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static inline u8 kitt_bhs_opcode(const u8 *bhs)
{
	return bhs[0] & KITT_BHS_OPCODE_MASK;
}

static inline bool kitt_bhs_immediate(const u8 *bhs)
{
	return bhs[0] & KITT_BHS_IMMEDIATE;
}

static inline bool kitt_bhs_final(const u8 *bhs)
{
	return bhs[1] & KITT_BHS_FINAL;
}

static inline u32 kitt_bhs_ahs_len(const u8 *bhs)
{
	return (u32)bhs[4] * 4;
}

static inline u32 kitt_bhs_data_len(const u8 *bhs)
{
	return kitt_get_be24(bhs + 5);
}

static inline u32 kitt_bhs_itt(const u8 *bhs)
{
	return kitt_get_be32(bhs + 16);
}

/* Bytes a data segment of @len takes on the wire: padded to 4. */
static inline u32 kitt_pad4(u32 len)
{
	return (len + 3) & ~3u;
}

/* Where a connection is, for deciding which PDUs it may receive. */
enum kitt_pdu_phase {
	KITT_PHASE_LOGIN,	/* only Login Requests */
	KITT_PHASE_FULL,	/* full feature phase */
	KITT_PHASE_DISCOVERY,	/* full feature phase of a discovery session */
};

struct kitt_pdu_limits {
	u32 max_recv_dsl;	/* our MaxRecvDataSegmentLength */
	u32 max_ahs;		/* largest AHS we accept (bytes) */
};

/* What kitt_pdu_check() found wrong, for the Reject or the drop. */
enum kitt_pdu_verdict {
	KITT_PDU_OK,
	KITT_PDU_REJECT,	/* send a Reject with .reason, go on */
	KITT_PDU_FATAL,		/* framing cannot be trusted: drop the connection */
};

struct kitt_pdu_check_result {
	enum kitt_pdu_verdict verdict;
	u8 reason;		/* KITT_REJECT_* when REJECT */
	const char *why;	/* for a ratelimited log line */
};

/*
 * Check a received BHS before reading its AHS or data: the framing fields
 * (AHS length, DataSegmentLength) against @lim, and the opcode against
 * @phase. Never reads beyond the 48 bytes. Returns res->verdict.
 */
enum kitt_pdu_verdict kitt_pdu_check(const u8 *bhs, enum kitt_pdu_phase phase,
				     const struct kitt_pdu_limits *lim,
				     struct kitt_pdu_check_result *res);

/* What a SCSI Command's Additional Header Segments carry (§11.2.1.2-3). */
struct kitt_ahs_info {
	const u8 *ext_cdb;		/* CDB bytes beyond the first 16 */
	u32 ext_cdb_len;
	bool have_bidi_read_len;
	u32 bidi_read_len;
};

/*
 * Parse @len bytes of AHS. 0, or -EINVAL if malformed: a segment running
 * past the end, an empty Extended CDB, a type given twice, an unknown type.
 */
int kitt_ahs_parse(const u8 *ahs, u32 len, struct kitt_ahs_info *out);

/* ---- sequence numbers: serial arithmetic, RFC 1982 with SERIAL_BITS 32 ---- */

/*
 * a < b when b is 1 to 2^31 - 1 ahead. At exactly 2^31 apart RFC 1982
 * leaves the order undefined: neither is less than the other.
 */
static inline bool kitt_sn_lt(u32 a, u32 b)
{
	return (u32)(b - a) - 1u < 0x7fffffffu;
}

static inline bool kitt_sn_lte(u32 a, u32 b)
{
	return a == b || kitt_sn_lt(a, b);
}

/* Is @sn within [@lo, @hi] in serial order? */
static inline bool kitt_sn_in_window(u32 sn, u32 lo, u32 hi)
{
	return kitt_sn_lte(lo, sn) && kitt_sn_lte(sn, hi);
}

#endif /* KITT_PDU_H */
