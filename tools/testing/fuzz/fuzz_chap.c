// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the target's side of CHAP (drivers/chap.c) against
 * any sequence of request texts (separated by 0xff bytes), one-way or
 * mutual. Whatever arrives, the exchange ends in one of its states, the
 * answers fit their buffer, and SUCCESS needs a response computed with
 * the secret: the stand-in hash below makes one only from the secret.
 */
#include <assert.h>
#include <string.h>

#include "kitt/chap.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void fuzz_random(void *ctx, void *buf, u32 len)
{
	memset(buf, 0x5a, len);
	(void)ctx;
}

/* The response is the secret's first bytes: only the secret makes it. */
static int fuzz_digest(void *ctx, enum kitt_chap_alg alg, u8 id,
		       const u8 *secret, u32 secret_len,
		       const u8 *chal, u32 chal_len, u8 *out)
{
	u32 i, n = kitt_chap_digest_len(alg);

	(void)ctx;
	(void)chal;
	assert(n && chal_len <= KITT_CHAP_CHALLENGE_MAX);
	for (i = 0; i < n; i++)
		out[i] = (u8)(secret[i % secret_len] ^ id);
	return 0;
}

static const struct kitt_chap_ops ops = {
	.random = fuzz_random,
	.digest = fuzz_digest,
};

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char out[4096];
	struct kitt_chap_creds cr;
	struct kitt_chap_keys k;
	struct kitt_text_pair p;
	struct kitt_text_buf tb;
	struct kitt_chap c;
	enum kitt_chap_state st = KITT_CHAP_WAIT_A;
	size_t start = 0, i;
	u32 pos;

	memset(&cr, 0, sizeof(cr));
	strcpy(cr.user, "user");
	memcpy(cr.secret, "fuzz-secret-one", 15);
	cr.secret_len = 15;
	cr.one_way = true;
	if (size & 1) {
		strcpy(cr.user_mutual, "target");
		memcpy(cr.secret_mutual, "fuzz-secret-two", 15);
		cr.secret_mutual_len = 15;
		cr.mutual = true;
	}
	kitt_chap_init(&c, size & 2 ? KITT_CHAP_ALGS_ALL : 1u << KITT_CHAP_MD5);
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		memset(&k, 0, sizeof(k));
		pos = 0;
		while (kitt_text_next((const char *)data + start, (u32)(i - start),
				      &pos, &p) > 0)
			if (kitt_chap_keys_add(&k, &p) < 0)
				return 0;	/* the login would end here */
		kitt_text_buf_init(&tb, out, sizeof(out));
		st = kitt_chap_step(&c, &k, &cr, &ops, &tb);
		assert(tb.len <= tb.size && !tb.overflow);
		assert(st != KITT_CHAP_FAILED || c.why);
		start = i + 1;
	}
	if (st == KITT_CHAP_SUCCESS) {
		/* Only the stand-in's answer gets here: it needs the secret. */
		assert(c.digest_len);
	}
	return 0;
}
