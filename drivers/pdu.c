// SPDX-License-Identifier: GPL-2.0
/*
 * First look at a received Basic Header Segment: is it framed sanely and
 * may it arrive now? Pure code: no kernel calls, unit-tested and fuzzed in
 * user space.
 */
#include "kitt/pdu.h"

static enum kitt_pdu_verdict verdict(struct kitt_pdu_check_result *res,
				     enum kitt_pdu_verdict v, u8 reason,
				     const char *why)
{
	res->verdict = v;
	res->reason = reason;
	res->why = why;
	return v;
}

static bool kitt_op_from_initiator(u8 op)
{
	switch (op) {
	case KITT_OP_NOOP_OUT:
	case KITT_OP_SCSI_CMD:
	case KITT_OP_TMF_REQ:
	case KITT_OP_LOGIN_REQ:
	case KITT_OP_TEXT_REQ:
	case KITT_OP_DATA_OUT:
	case KITT_OP_LOGOUT_REQ:
	case KITT_OP_SNACK:
		return true;
	}
	return false;
}

/* Opcodes a discovery session may use in its full feature phase (§4.3). */
static bool kitt_op_discovery_ok(u8 op)
{
	return op == KITT_OP_TEXT_REQ || op == KITT_OP_LOGOUT_REQ ||
	       op == KITT_OP_NOOP_OUT;
}

enum kitt_pdu_verdict kitt_pdu_check(const u8 *bhs, enum kitt_pdu_phase phase,
				     const struct kitt_pdu_limits *lim,
				     struct kitt_pdu_check_result *res)
{
	u8 op = kitt_bhs_opcode(bhs);
	u32 ahs = kitt_bhs_ahs_len(bhs);
	u32 dsl = kitt_bhs_data_len(bhs);

	verdict(res, KITT_PDU_OK, 0, NULL);

	/* Framing first: a wrong length makes every later byte suspect. */
	if (phase == KITT_PHASE_LOGIN) {
		if (op != KITT_OP_LOGIN_REQ)
			return verdict(res, KITT_PDU_FATAL, KITT_REJECT_PROTOCOL,
				       "non-login PDU during login");
		if (dsl > KITT_LOGIN_DSL_MAX)
			return verdict(res, KITT_PDU_FATAL, KITT_REJECT_PROTOCOL,
				       "login data segment over 8192 bytes");
		if (ahs)
			return verdict(res, KITT_PDU_FATAL, KITT_REJECT_PROTOCOL,
				       "AHS on a login PDU");
		return KITT_PDU_OK;
	}
	if (dsl > lim->max_recv_dsl)
		return verdict(res, KITT_PDU_FATAL, KITT_REJECT_PROTOCOL,
			       "data segment over MaxRecvDataSegmentLength");
	if (ahs > lim->max_ahs)
		return verdict(res, KITT_PDU_FATAL, KITT_REJECT_PROTOCOL,
			       "AHS too long");

	/* The header is framed right; from here on a Reject answers it. */
	if (!kitt_op_from_initiator(op))
		return verdict(res, KITT_PDU_REJECT,
			       KITT_REJECT_CMD_NOT_SUPPORTED, "unknown opcode");
	if (op == KITT_OP_LOGIN_REQ)
		return verdict(res, KITT_PDU_REJECT, KITT_REJECT_PROTOCOL,
			       "login PDU in full feature phase");
	if (phase == KITT_PHASE_DISCOVERY && !kitt_op_discovery_ok(op))
		return verdict(res, KITT_PDU_REJECT, KITT_REJECT_PROTOCOL,
			       "opcode not allowed in a discovery session");
	if (op == KITT_OP_SNACK)
		/* ErrorRecoveryLevel 0: nothing to retransmit from. */
		return verdict(res, KITT_PDU_REJECT, KITT_REJECT_SNACK,
			       "SNACK at ErrorRecoveryLevel 0");
	if (ahs && op != KITT_OP_SCSI_CMD)
		return verdict(res, KITT_PDU_REJECT, KITT_REJECT_PROTOCOL,
			       "AHS on a PDU that has none");
	return KITT_PDU_OK;
}

#define KITT_AHS_EXT_CDB	1
#define KITT_AHS_BIDI_READ	2

int kitt_ahs_parse(const u8 *ahs, u32 len, struct kitt_ahs_info *out)
{
	u32 pos = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		u32 alen, total;
		u8 type;

		if (len - pos < 4)
			return -EINVAL;
		alen = kitt_get_be16(ahs + pos);
		type = ahs[pos + 2];
		total = kitt_pad4(3 + alen);
		if (total > len - pos)
			return -EINVAL;
		switch (type) {
		case KITT_AHS_EXT_CDB:
			/* A reserved byte, then at least one CDB byte. */
			if (alen < 2 || out->ext_cdb)
				return -EINVAL;
			out->ext_cdb = ahs + pos + 4;
			out->ext_cdb_len = alen - 1;
			break;
		case KITT_AHS_BIDI_READ:
			if (alen != 5 || out->have_bidi_read_len)
				return -EINVAL;
			out->have_bidi_read_len = true;
			out->bidi_read_len = kitt_get_be32(ahs + pos + 4);
			break;
		default:
			return -EINVAL;
		}
		pos += total;
	}
	return 0;
}
