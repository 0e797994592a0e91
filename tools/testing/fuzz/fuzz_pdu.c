// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a received PDU header (drivers/pdu.c) in every phase
 * and with small and large limits, its AHS, a CDB's direction and length
 * (drivers/cdb.c), and serial arithmetic on the sequence numbers in it.
 */
#include <assert.h>
#include <string.h>

#include "kitt/cdb.h"
#include "kitt/pdu.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const struct kitt_pdu_limits lims[] = {
		{ KITT_LOGIN_DSL_MAX, KITT_AHS_MAX },
		{ 512, 0 },
		{ KITT_DSL_MAX, KITT_AHS_MAX },
	};
	struct kitt_pdu_check_result res;
	struct kitt_ahs_info ahs;
	struct kitt_cdb_info ci;
	u8 bhs[KITT_BHS_LEN], cdb[16];
	u32 ahs_len, a, b, blocks;
	unsigned int i, ph;

	if (size < KITT_BHS_LEN)
		return 0;
	memcpy(bhs, data, KITT_BHS_LEN);
	for (ph = KITT_PHASE_LOGIN; ph <= KITT_PHASE_DISCOVERY; ph++) {
		for (i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
			kitt_pdu_check(bhs, ph, &lims[i], &res);
			/* A verdict other than OK always says why. */
			assert(res.verdict == KITT_PDU_OK || res.why);
			if (res.verdict == KITT_PDU_OK)
				assert(kitt_bhs_data_len(bhs) <= lims[i].max_recv_dsl ||
				       ph == KITT_PHASE_LOGIN);
		}
	}

	/* The AHS as announced, as far as the input reaches. */
	ahs_len = kitt_bhs_ahs_len(bhs);
	if (ahs_len > size - KITT_BHS_LEN)
		ahs_len = (u32)(size - KITT_BHS_LEN);
	if (!kitt_ahs_parse(data + KITT_BHS_LEN, ahs_len, &ahs) && ahs.ext_cdb) {
		assert(ahs.ext_cdb >= data + KITT_BHS_LEN);
		assert(ahs.ext_cdb + ahs.ext_cdb_len <= data + KITT_BHS_LEN + ahs_len);
	}

	/* The CDB field of a SCSI Command. */
	memcpy(cdb, bhs + 32, sizeof(cdb));
	kitt_cdb_info(cdb, &ci);
	if (ci.len_size) {
		blocks = kitt_cdb_blocks(cdb, &ci);
		if (!kitt_cdb_set_blocks(cdb, &ci, blocks))
			assert(kitt_cdb_blocks(cdb, &ci) == blocks);
	}

	/* Serial arithmetic: a total order on any window under 2^31. */
	a = kitt_get_be32(bhs + 24);
	b = kitt_get_be32(bhs + 28);
	assert(!(kitt_sn_lt(a, b) && kitt_sn_lt(b, a)));
	assert(kitt_sn_lte(a, a) && !kitt_sn_lt(a, a));
	assert(kitt_sn_in_window(a, a, a + 0x7fffffffu));
	assert(kitt_sn_lt(a, a + 1) && !kitt_sn_lt(a + 1, a));
	return 0;
}
