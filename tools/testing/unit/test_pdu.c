// SPDX-License-Identifier: GPL-2.0
/* Basic Header Segment checks and serial arithmetic (drivers/pdu.c). */
#include <string.h>

#include "kitt/pdu.h"
#include "unit.h"

static u8 bhs[KITT_BHS_LEN];
static const struct kitt_pdu_limits lim = { .max_recv_dsl = 8192, .max_ahs = 1020 };

static enum kitt_pdu_verdict check(u8 op, u32 ahs_words, u32 dsl,
				   enum kitt_pdu_phase phase, u8 *reason)
{
	struct kitt_pdu_check_result r;

	memset(bhs, 0, sizeof(bhs));
	bhs[0] = op;
	bhs[4] = (u8)ahs_words;
	kitt_put_be24(bhs + 5, dsl);
	kitt_pdu_check(bhs, phase, &lim, &r);
	if (reason)
		*reason = r.reason;
	CHECK(r.verdict == KITT_PDU_OK || r.why);
	return r.verdict;
}

int main(void)
{
	u8 why;

	/* login phase: Login Requests only, data at most 8192, no AHS */
	CHECK(check(KITT_OP_LOGIN_REQ, 0, 8192, KITT_PHASE_LOGIN, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_LOGIN_REQ | KITT_BHS_IMMEDIATE, 0, 0, KITT_PHASE_LOGIN, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_LOGIN_REQ, 0, 8193, KITT_PHASE_LOGIN, NULL) == KITT_PDU_FATAL);
	CHECK(check(KITT_OP_LOGIN_REQ, 1, 0, KITT_PHASE_LOGIN, NULL) == KITT_PDU_FATAL);
	CHECK(check(KITT_OP_SCSI_CMD, 0, 0, KITT_PHASE_LOGIN, NULL) == KITT_PDU_FATAL);
	CHECK(check(KITT_OP_TEXT_REQ, 0, 0, KITT_PHASE_LOGIN, NULL) == KITT_PDU_FATAL);

	/* full feature phase */
	CHECK(check(KITT_OP_SCSI_CMD, 0, 8192, KITT_PHASE_FULL, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_SCSI_CMD, 255, 0, KITT_PHASE_FULL, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_SCSI_CMD, 0, 8193, KITT_PHASE_FULL, NULL) == KITT_PDU_FATAL);
	CHECK(check(KITT_OP_DATA_OUT, 0, 0xffffff, KITT_PHASE_FULL, NULL) == KITT_PDU_FATAL);
	CHECK(check(KITT_OP_DATA_OUT, 2, 512, KITT_PHASE_FULL, &why) == KITT_PDU_REJECT);
	CHECK(why == KITT_REJECT_PROTOCOL);
	CHECK(check(KITT_OP_LOGIN_REQ, 0, 0, KITT_PHASE_FULL, &why) == KITT_PDU_REJECT);
	CHECK(why == KITT_REJECT_PROTOCOL);
	CHECK(check(KITT_OP_SNACK, 0, 0, KITT_PHASE_FULL, &why) == KITT_PDU_REJECT);
	CHECK(why == KITT_REJECT_SNACK);
	CHECK(check(KITT_OP_NOOP_IN, 0, 0, KITT_PHASE_FULL, &why) == KITT_PDU_REJECT);
	CHECK(why == KITT_REJECT_CMD_NOT_SUPPORTED);
	CHECK(check(0x1c, 0, 0, KITT_PHASE_FULL, &why) == KITT_PDU_REJECT);
	CHECK(check(0x3f, 0, 0, KITT_PHASE_FULL, &why) == KITT_PDU_REJECT);
	CHECK(check(KITT_OP_TMF_REQ | KITT_BHS_IMMEDIATE, 0, 0, KITT_PHASE_FULL, NULL) == KITT_PDU_OK);

	/* discovery sessions: Text, Logout and NOP only */
	CHECK(check(KITT_OP_TEXT_REQ, 0, 100, KITT_PHASE_DISCOVERY, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_LOGOUT_REQ, 0, 0, KITT_PHASE_DISCOVERY, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_NOOP_OUT, 0, 0, KITT_PHASE_DISCOVERY, NULL) == KITT_PDU_OK);
	CHECK(check(KITT_OP_SCSI_CMD, 0, 0, KITT_PHASE_DISCOVERY, &why) == KITT_PDU_REJECT);
	CHECK(check(KITT_OP_DATA_OUT, 0, 0, KITT_PHASE_DISCOVERY, &why) == KITT_PDU_REJECT);

	/* accessors */
	memset(bhs, 0, sizeof(bhs));
	bhs[0] = 0x41;
	bhs[1] = 0x80;
	bhs[4] = 3;
	kitt_put_be24(bhs + 5, 0x123456);
	kitt_put_be32(bhs + 16, 0xdeadbeef);
	CHECK(kitt_bhs_opcode(bhs) == 1 && kitt_bhs_immediate(bhs) && kitt_bhs_final(bhs));
	CHECK(kitt_bhs_ahs_len(bhs) == 12 && kitt_bhs_data_len(bhs) == 0x123456);
	CHECK(kitt_bhs_itt(bhs) == 0xdeadbeef);
	CHECK(kitt_pad4(0) == 0 && kitt_pad4(1) == 4 && kitt_pad4(4) == 4 && kitt_pad4(5) == 8);

	/* serial number arithmetic, across the wrap */
	CHECK(kitt_sn_lt(1, 2) && !kitt_sn_lt(2, 1) && !kitt_sn_lt(5, 5));
	CHECK(kitt_sn_lt(0xfffffff0u, 5) && !kitt_sn_lt(5, 0xfffffff0u));
	CHECK(kitt_sn_lte(7, 7) && kitt_sn_lte(0xffffffffu, 0));
	CHECK(kitt_sn_in_window(0, 0xfffffffeu, 3));
	CHECK(!kitt_sn_in_window(4, 0xfffffffeu, 3));
	CHECK(!kitt_sn_in_window(0xfffffffdu, 0xfffffffeu, 3));
	CHECK(kitt_sn_in_window(10, 10, 10));
	/* 2^31 apart: undefined in RFC 1982, so neither is less. */
	CHECK(!kitt_sn_lt(0, 0x80000000u) && !kitt_sn_lt(0x80000000u, 0));
	CHECK(kitt_sn_lt(0, 0x7fffffffu) && kitt_sn_lt(0x80000001u, 0));

	UNIT_EXIT();
}
