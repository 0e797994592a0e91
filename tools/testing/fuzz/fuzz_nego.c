// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: login negotiation (drivers/nego.c) driven the way
 * drivers/login.c drives it. The input is a series of request texts
 * separated by 0xff bytes: each is answered in turn, the first ones in
 * the security stage, then (after an empty one) in the operational
 * stage; the target's offers and the session's result follow. The
 * response stays within its buffer and the result within RFC 7143's
 * ranges.
 */
#include <assert.h>
#include <string.h>

#include "kitt/nego.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct kitt_nego n;
	static struct kitt_key_values cfg;
	static char out[8192];
	enum kitt_login_stage stage = KITT_STAGE_SECURITY;
	struct kitt_sess_params sp;
	struct kitt_text_buf tb;
	const char *text = (const char *)data;
	size_t start = 0, i;

	kitt_key_values_init(&cfg);
	kitt_nego_init(&n, size & 1 ? &cfg : NULL,
		       size & 2 ? KITT_AUTH_CHAP : KITT_AUTH_CHAP | KITT_AUTH_NONE);
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		kitt_text_buf_init(&tb, out, sizeof(out));
		if (i == start)
			stage = KITT_STAGE_OPERATIONAL;
		else if (kitt_nego_process(&n, stage, text + start,
					   (u32)(i - start), &tb))
			return 0;	/* the login would end here */
		assert(tb.len <= tb.size);
		assert(n.not_understood <= 65);
		start = i + 1;
	}
	kitt_text_buf_init(&tb, out, sizeof(out));
	kitt_nego_target_offers(&n, &tb);
	kitt_nego_pending(&n);
	kitt_nego_result(&n, &sp);
	assert(sp.max_recv_dsl >= 512 && sp.max_recv_dsl <= 16777215);
	assert(sp.max_xmit_dsl >= 512 && sp.max_xmit_dsl <= 16777215);
	assert(sp.max_burst_length >= 512 && sp.first_burst_length >= 512);
	assert(sp.max_outstanding_r2t >= 1 && sp.max_outstanding_r2t <= 4);
	assert(sp.max_connections == 1 && sp.error_recovery_level == 0);
	assert(memchr(n.initiator_name, 0, sizeof(n.initiator_name)));
	assert(memchr(n.target_name, 0, sizeof(n.target_name)));
	return 0;
}
