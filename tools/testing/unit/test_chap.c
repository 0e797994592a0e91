// SPDX-License-Identifier: GPL-2.0
/*
 * CHAP, the target's side (drivers/chap.c). The hash here is a stand-in
 * (the exchange does not depend on which hash it is); the real ones are
 * proven by open-iscsi logging in with each CHAP_A in the guest tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kitt/chap.h"
#include "unit.h"

#define T(s) s, (u32)(sizeof(s) - 1)

static u8 next_random;

static void fake_random(void *ctx, void *buf, u32 len)
{
	u8 *b = buf;

	(void)ctx;
	while (len--)
		*b++ = next_random++;
}

/* FNV-1a over everything, stretched to the digest length. */
static int fake_digest(void *ctx, enum kitt_chap_alg alg, u8 id,
		       const u8 *secret, u32 secret_len,
		       const u8 *chal, u32 chal_len, u8 *out)
{
	u32 h = 2166136261u, i, n = kitt_chap_digest_len(alg);

	(void)ctx;
	h = (h ^ (u32)alg) * 16777619u;
	h = (h ^ id) * 16777619u;
	for (i = 0; i < secret_len; i++)
		h = (h ^ secret[i]) * 16777619u;
	h = (h ^ 0xff) * 16777619u;
	for (i = 0; i < chal_len; i++)
		h = (h ^ chal[i]) * 16777619u;
	for (i = 0; i < n; i++) {
		h = (h ^ i) * 16777619u;
		out[i] = (u8)(h >> 13);
	}
	return 0;
}

static const struct kitt_chap_ops ops = {
	.random = fake_random,
	.digest = fake_digest,
};

static struct kitt_chap_creds creds(bool mutual)
{
	struct kitt_chap_creds cr;

	memset(&cr, 0, sizeof(cr));
	strcpy(cr.user, "alice");
	memcpy(cr.secret, "initiator-secret", 16);
	cr.secret_len = 16;
	cr.one_way = true;
	if (mutual) {
		strcpy(cr.user_mutual, "target-bob");
		memcpy(cr.secret_mutual, "target-secret-1", 15);
		cr.secret_mutual_len = 15;
		cr.mutual = true;
	}
	return cr;
}

/* Parse "K=V\0..." into CHAP keys; returns kitt_chap_keys_add's worst. */
static int keys_of(struct kitt_chap_keys *k, const char *text, u32 len)
{
	struct kitt_text_pair p;
	u32 pos = 0;
	int r;

	memset(k, 0, sizeof(*k));
	while (kitt_text_next(text, len, &pos, &p) > 0) {
		r = kitt_chap_keys_add(k, &p);
		if (r <= 0)
			return r;
	}
	return 1;
}

/* The value of @key in @tb's text, or NULL. */
static const char *find(const struct kitt_text_buf *tb, const char *key)
{
	struct kitt_text_pair p;
	static char v[4096];
	u32 pos = 0;

	while (kitt_text_next(tb->buf, tb->len, &pos, &p) > 0) {
		if (kitt_text_key_is(&p, key)) {
			memcpy(v, p.value, p.value_len);
			v[p.value_len] = '\0';
			return v;
		}
	}
	return NULL;
}

struct session {
	struct kitt_chap c;
	struct kitt_chap_keys k;
	struct kitt_text_buf out;
	char buf[4096];
	char req[4096];
	u32 req_len;
	u8 id;
	u8 chal[KITT_CHAP_DIGEST_MAX];
};

static void req_add(struct session *s, const char *key, const char *value)
{
	s->req_len += (u32)sprintf(s->req + s->req_len, "%s=%s", key, value) + 1;
}

static enum kitt_chap_state send_req(struct session *s,
				     const struct kitt_chap_creds *cr)
{
	enum kitt_chap_state st;

	CHECK(keys_of(&s->k, s->req, s->req_len) == 1);
	kitt_text_buf_init(&s->out, s->buf, sizeof(s->buf));
	st = kitt_chap_step(&s->c, &s->k, cr, &ops, &s->out);
	s->req_len = 0;
	return st;
}

/* Up to the challenge: the target picks @want_alg out of @algs. */
static void start(struct session *s, const struct kitt_chap_creds *cr,
		  const char *algs, int want_alg)
{
	const char *v;
	u32 id;

	memset(s, 0, sizeof(*s));
	kitt_chap_init(&s->c, KITT_CHAP_ALGS_ALL);
	CHECK(send_req(s, cr) == KITT_CHAP_WAIT_A);	/* no CHAP keys yet */
	req_add(s, "CHAP_A", algs);
	CHECK(send_req(s, cr) == KITT_CHAP_WAIT_R);
	v = find(&s->out, "CHAP_A");
	CHECK(v && atoi(v) == want_alg);
	v = find(&s->out, "CHAP_I");
	CHECK(v && sscanf(v, "%u", &id) == 1 && id < 256);
	s->id = (u8)id;
	v = find(&s->out, "CHAP_C");
	CHECK(v && strlen(v) == 2 + 2 * kitt_chap_digest_len(want_alg));
	CHECK(v && kitt_chap_decode(v, (u32)strlen(v), s->chal, sizeof(s->chal)) ==
	      (int)kitt_chap_digest_len(want_alg));
}

/* The initiator's CHAP_R for secret @secret. */
static void response(const struct session *s, const char *secret, char *hex)
{
	u8 d[KITT_CHAP_DIGEST_MAX];

	fake_digest(NULL, s->c.alg, s->id, (const u8 *)secret, (u32)strlen(secret),
		    s->chal, s->c.digest_len, d);
	kitt_chap_encode_hex(d, s->c.digest_len, hex);
}

static void test_parsing(void)
{
	struct kitt_chap_keys k;
	u8 b[8];
	char hex[16];

	CHECK(keys_of(&k, T("CHAP_A=5\0CHAP_A=6\0")) == -EINVAL);
	CHECK(keys_of(&k, T("CHAP_X=1\0")) == -EINVAL);
	CHECK(keys_of(&k, T("CHAP_=1\0")) == -EINVAL);
	CHECK(keys_of(&k, T("HeaderDigest=None\0")) == 0);
	CHECK(keys_of(&k, T("CHAP_N=a\0CHAP_R=0x00\0")) == 1);
	CHECK(k.have == (BIT(KITT_CHAP_KEY_N) | BIT(KITT_CHAP_KEY_R)));

	CHECK(kitt_chap_select(T("5"), KITT_CHAP_ALGS_ALL) == 5);
	CHECK(kitt_chap_select(T("8,7,6,5"), KITT_CHAP_ALGS_ALL) == 8);
	CHECK(kitt_chap_select(T("7,5"), BIT(KITT_CHAP_MD5)) == 5);
	CHECK(kitt_chap_select(T("9,4,0"), KITT_CHAP_ALGS_ALL) == -EINVAL);
	CHECK(kitt_chap_select(T("99999999999"), KITT_CHAP_ALGS_ALL) == -EINVAL);
	CHECK(kitt_chap_select(T(""), KITT_CHAP_ALGS_ALL) == -EINVAL);
	CHECK(kitt_chap_select(T("5,,6"), KITT_CHAP_ALGS_ALL) == 5); /* 5 first */
	CHECK(kitt_chap_select(T("6,,5"), BIT(KITT_CHAP_MD5)) == -EINVAL);
	CHECK(kitt_chap_select(T("MD5"), KITT_CHAP_ALGS_ALL) == -EINVAL);

	CHECK(kitt_chap_decode(T("0x0102"), b, sizeof(b)) == 2 && b[0] == 1 && b[1] == 2);
	CHECK(kitt_chap_decode(T("0XaBc"), b, sizeof(b)) == 2 && b[0] == 0x0a && b[1] == 0xbc);
	CHECK(kitt_chap_decode(T("0x"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0xzz"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0x0102030405060708"), b, sizeof(b)) == 8);
	CHECK(kitt_chap_decode(T("0x010203040506070809"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0bAQI="), b, sizeof(b)) == 2 && b[0] == 1 && b[1] == 2);
	CHECK(kitt_chap_decode(T("0bAQI"), b, sizeof(b)) == 2);
	CHECK(kitt_chap_decode(T("0bAQ=="), b, sizeof(b)) == 1 && b[0] == 1);
	CHECK(kitt_chap_decode(T("0bAR=="), b, sizeof(b)) == -EINVAL);	/* stray bits */
	CHECK(kitt_chap_decode(T("0bA"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0b===="), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0bA=Q="), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0bAQI*"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0b////////////"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("1x00"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("123"), b, sizeof(b)) == -EINVAL);
	CHECK(kitt_chap_decode(T("0"), b, sizeof(b)) == -EINVAL);

	b[0] = 0x00;
	b[1] = 0xfe;
	kitt_chap_encode_hex(b, 2, hex);
	CHECK(!strcmp(hex, "0x00fe"));
	CHECK(kitt_chap_equal((const u8 *)"abc", (const u8 *)"abc", 3));
	CHECK(!kitt_chap_equal((const u8 *)"abc", (const u8 *)"abd", 3));
}

static void test_one_way(void)
{
	struct kitt_chap_creds cr = creds(false);
	struct session s;
	char hex[80];

	/* Each algorithm, chosen as the initiator's first acceptable one. */
	start(&s, &cr, "5", KITT_CHAP_MD5);
	start(&s, &cr, "6,5", KITT_CHAP_SHA1);
	start(&s, &cr, "7,6,5", KITT_CHAP_SHA256);
	start(&s, &cr, "8,7,6,5", KITT_CHAP_SHA3_256);
	response(&s, "initiator-secret", hex);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", hex);
	CHECK(send_req(&s, &cr) == KITT_CHAP_SUCCESS);
	CHECK(s.out.len == 0);		/* nothing to say after one-way */
	/* CHAP keys after success end it. */
	req_add(&s, "CHAP_A", "5");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);

	/* Fresh identifiers and challenges per login. */
	{
		struct session t;
		u8 first[KITT_CHAP_DIGEST_MAX];

		start(&t, &cr, "5", KITT_CHAP_MD5);
		memcpy(first, t.chal, sizeof(first));
		start(&t, &cr, "5", KITT_CHAP_MD5);
		CHECK(memcmp(first, t.chal, 16));
	}

	/* Wrong secret, wrong name: the same outcome. */
	start(&s, &cr, "5", KITT_CHAP_MD5);
	response(&s, "initiator-secreT", hex);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", hex);
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
	CHECK(s.out.len == 0);
	CHECK(!strcmp(s.c.why, "wrong CHAP_N or CHAP_R"));

	start(&s, &cr, "5", KITT_CHAP_MD5);
	response(&s, "initiator-secret", hex);
	req_add(&s, "CHAP_N", "alicE");
	req_add(&s, "CHAP_R", hex);
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
	CHECK(!strcmp(s.c.why, "wrong CHAP_N or CHAP_R"));

	/* A response of the wrong length, or malformed. */
	start(&s, &cr, "7", KITT_CHAP_SHA256);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", "0x00112233445566778899aabbccddeeff");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
	start(&s, &cr, "5", KITT_CHAP_MD5);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", "deadbeef");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);

	/* The same response in base64 is as good. */
	start(&s, &cr, "5", KITT_CHAP_MD5);
	{
		u8 d[16];
		static const char b64[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		char v[40] = "0b";
		u32 i, o = 2;

		fake_digest(NULL, KITT_CHAP_MD5, s.id,
			    (const u8 *)"initiator-secret", 16, s.chal, 16, d);
		for (i = 0; i < 15; i += 3) {
			u32 w = (u32)d[i] << 16 | (u32)d[i + 1] << 8 | d[i + 2];

			v[o++] = b64[w >> 18 & 63];
			v[o++] = b64[w >> 12 & 63];
			v[o++] = b64[w >> 6 & 63];
			v[o++] = b64[w & 63];
		}
		v[o++] = b64[d[15] >> 2];
		v[o++] = b64[(d[15] & 3) << 4];
		v[o++] = '=';
		v[o++] = '=';
		v[o] = '\0';
		req_add(&s, "CHAP_N", "alice");
		req_add(&s, "CHAP_R", v);
		CHECK(send_req(&s, &cr) == KITT_CHAP_SUCCESS);
	}

	/* A configured secret under 96 bits lets nobody in, even knowing it. */
	{
		struct kitt_chap_creds weak = creds(false);

		memcpy(weak.secret, "elevenbytes", 11);
		weak.secret_len = 11;
		start(&s, &weak, "5", KITT_CHAP_MD5);
		response(&s, "elevenbytes", hex);
		req_add(&s, "CHAP_N", "alice");
		req_add(&s, "CHAP_R", hex);
		CHECK(send_req(&s, &weak) == KITT_CHAP_FAILED);
	}

	/* No credentials configured: nobody gets in. */
	{
		struct kitt_chap_creds none;

		memset(&none, 0, sizeof(none));
		start(&s, &none, "5", KITT_CHAP_MD5);
		response(&s, "", hex);
		req_add(&s, "CHAP_N", "");
		req_add(&s, "CHAP_R", hex);
		CHECK(send_req(&s, &none) == KITT_CHAP_FAILED);
	}
}

static void test_order_and_algs(void)
{
	struct kitt_chap_creds cr = creds(false);
	struct session s;

	memset(&s, 0, sizeof(s));
	kitt_chap_init(&s.c, KITT_CHAP_ALGS_ALL);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", "0x00");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);	/* R before A */
	CHECK(s.out.len == 0);

	kitt_chap_init(&s.c, BIT(KITT_CHAP_SHA256));
	req_add(&s, "CHAP_A", "5,6");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);	/* none allowed */

	kitt_chap_init(&s.c, KITT_CHAP_ALGS_ALL);
	req_add(&s, "CHAP_A", "5");
	req_add(&s, "CHAP_N", "alice");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);	/* A with N */

	start(&s, &cr, "5", KITT_CHAP_MD5);
	req_add(&s, "CHAP_A", "5");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);	/* A twice */

	start(&s, &cr, "5", KITT_CHAP_MD5);
	req_add(&s, "CHAP_N", "alice");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);	/* N without R */

	/* A failed exchange stays failed. */
	req_add(&s, "CHAP_A", "5");
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
}

static void test_mutual(void)
{
	struct kitt_chap_creds cr = creds(true);
	struct session s;
	char hex[80], want[80];
	const char *v;
	u8 d[KITT_CHAP_DIGEST_MAX];
	static const u8 ichal[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				      13, 14, 15, 16, 17, 18, 19, 20 };

	start(&s, &cr, "6", KITT_CHAP_SHA1);
	response(&s, "initiator-secret", hex);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", hex);
	req_add(&s, "CHAP_I", "77");
	req_add(&s, "CHAP_C", "0x0102030405060708090a0b0c0d0e0f1011121314");
	CHECK(send_req(&s, &cr) == KITT_CHAP_SUCCESS);
	fake_digest(NULL, KITT_CHAP_SHA1, 77, (const u8 *)"target-secret-1", 15,
		    ichal, sizeof(ichal), d);
	kitt_chap_encode_hex(d, 20, want);
	v = find(&s.out, "CHAP_N");
	CHECK(v && !strcmp(v, "target-bob"));
	v = find(&s.out, "CHAP_R");
	CHECK(v && !strcmp(v, want));

	/* Mutual configured, initiator content with one-way: allowed. */
	start(&s, &cr, "6", KITT_CHAP_SHA1);
	response(&s, "initiator-secret", hex);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", hex);
	CHECK(send_req(&s, &cr) == KITT_CHAP_SUCCESS);
	CHECK(s.out.len == 0);

	/* Our own challenge reflected back. */
	start(&s, &cr, "5", KITT_CHAP_MD5);
	response(&s, "initiator-secret", hex);
	req_add(&s, "CHAP_N", "alice");
	req_add(&s, "CHAP_R", hex);
	req_add(&s, "CHAP_I", "1");
	kitt_chap_encode_hex(s.chal, 16, want);
	req_add(&s, "CHAP_C", want);
	CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
	CHECK(s.out.len == 0);
	CHECK(!strcmp(s.c.why, "CHAP_C reflects the target's challenge"));

	/* Mutual asked for but not configured; bad CHAP_I; I without C. */
	{
		struct kitt_chap_creds one = creds(false);
		const char *bad_id[] = { "256", "-1", "x", "", "0x100" };
		unsigned int i;

		start(&s, &one, "5", KITT_CHAP_MD5);
		response(&s, "initiator-secret", hex);
		req_add(&s, "CHAP_N", "alice");
		req_add(&s, "CHAP_R", hex);
		req_add(&s, "CHAP_I", "1");
		req_add(&s, "CHAP_C", "0x0102");
		CHECK(send_req(&s, &one) == KITT_CHAP_FAILED);

		for (i = 0; i < ARRAY_SIZE(bad_id); i++) {
			start(&s, &cr, "5", KITT_CHAP_MD5);
			response(&s, "initiator-secret", hex);
			req_add(&s, "CHAP_N", "alice");
			req_add(&s, "CHAP_R", hex);
			req_add(&s, "CHAP_I", bad_id[i]);
			req_add(&s, "CHAP_C", "0x0102");
			CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
		}
		start(&s, &cr, "5", KITT_CHAP_MD5);
		response(&s, "initiator-secret", hex);
		req_add(&s, "CHAP_N", "alice");
		req_add(&s, "CHAP_R", hex);
		req_add(&s, "CHAP_I", "0x0ff");
		req_add(&s, "CHAP_C", "0x0102");
		CHECK(send_req(&s, &cr) == KITT_CHAP_SUCCESS);

		start(&s, &cr, "5", KITT_CHAP_MD5);
		response(&s, "initiator-secret", hex);
		req_add(&s, "CHAP_N", "alice");
		req_add(&s, "CHAP_R", hex);
		req_add(&s, "CHAP_I", "1");
		CHECK(send_req(&s, &cr) == KITT_CHAP_FAILED);
	}

	/* The challenge may be long, but not over the limit. */
	{
		static char big[2 + 2 * (KITT_CHAP_CHALLENGE_MAX + 1) + 1];
		u32 n;

		for (n = KITT_CHAP_CHALLENGE_MAX; n <= KITT_CHAP_CHALLENGE_MAX + 1; n++) {
			memset(big, 'a', sizeof(big));
			big[0] = '0';
			big[1] = 'x';
			big[2 + 2 * n] = '\0';
			start(&s, &cr, "5", KITT_CHAP_MD5);
			response(&s, "initiator-secret", hex);
			req_add(&s, "CHAP_N", "alice");
			req_add(&s, "CHAP_R", hex);
			req_add(&s, "CHAP_I", "9");
			req_add(&s, "CHAP_C", big);
			CHECK(send_req(&s, &cr) == (n == KITT_CHAP_CHALLENGE_MAX ?
				KITT_CHAP_SUCCESS : KITT_CHAP_FAILED));
		}
	}

	/* One secret for both directions is refused. */
	{
		struct kitt_chap_creds same = creds(true);

		memcpy(same.secret_mutual, same.secret, same.secret_len);
		same.secret_mutual_len = same.secret_len;
		start(&s, &same, "5", KITT_CHAP_MD5);
		response(&s, "initiator-secret", hex);
		req_add(&s, "CHAP_N", "alice");
		req_add(&s, "CHAP_R", hex);
		req_add(&s, "CHAP_I", "1");
		req_add(&s, "CHAP_C", "0x0102");
		CHECK(send_req(&s, &same) == KITT_CHAP_FAILED);
	}
}

int main(void)
{
	test_parsing();
	test_one_way();
	test_order_and_algs();
	test_mutual();
	UNIT_EXIT();
}
