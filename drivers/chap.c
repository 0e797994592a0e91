// SPDX-License-Identifier: GPL-2.0
/*
 * CHAP, the target's side (RFC 7143 §12.1.3). Pure code: no kernel calls,
 * unit-tested and fuzzed in user space. Random bytes and the hash come
 * from the caller (drivers/auth.c in the module).
 *
 * Every failure looks the same to the peer ("authentication failure");
 * only the log, through c->why, tells them apart, and it never shows a
 * name or a secret.
 */
#include "kitt/chap.h"
#include "kitt/keys.h"

static const char * const kitt_chap_key_names[KITT_CHAP_KEY_COUNT] = {
	[KITT_CHAP_KEY_A] = "CHAP_A",
	[KITT_CHAP_KEY_I] = "CHAP_I",
	[KITT_CHAP_KEY_C] = "CHAP_C",
	[KITT_CHAP_KEY_N] = "CHAP_N",
	[KITT_CHAP_KEY_R] = "CHAP_R",
};

#define HAVE(k)		BIT(KITT_CHAP_KEY_##k)

int kitt_chap_keys_add(struct kitt_chap_keys *k, const struct kitt_text_pair *p)
{
	int i;

	if (p->key_len < 5 || memcmp(p->key, "CHAP_", 5))
		return 0;
	for (i = 0; i < KITT_CHAP_KEY_COUNT; i++) {
		if (!kitt_text_key_is(p, kitt_chap_key_names[i]))
			continue;
		if (k->have & BIT(i))
			return -EINVAL;
		k->have |= BIT(i);
		k->pair[i] = *p;
		return 1;
	}
	return -EINVAL;
}

u32 kitt_chap_digest_len(enum kitt_chap_alg alg)
{
	switch (alg) {
	case KITT_CHAP_MD5:
		return 16;
	case KITT_CHAP_SHA1:
		return 20;
	case KITT_CHAP_SHA256:
	case KITT_CHAP_SHA3_256:
		return 32;
	}
	return 0;
}

int kitt_chap_select(const char *list, u32 len, u32 allowed)
{
	u32 start = 0, i, v;

	for (i = 0; i <= len; i++) {
		if (i < len && list[i] != ',')
			continue;
		if (kitt_parse_u32(list + start, i - start, &v))
			return -EINVAL;
		if (v < 32 && (allowed & BIT(v)) &&
		    kitt_chap_digest_len((enum kitt_chap_alg)v))
			return (int)v;
		start = i + 1;
	}
	return -EINVAL;
}

/* An odd number of digits has an implied leading zero (an integer). */
static int kitt_decode_hex(const char *s, u32 len, u8 *out, u32 max)
{
	u32 n = (len + 1) / 2, i, o = 0;
	int hi = 0, lo;

	if (!len || n > max)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		lo = kitt_hex_digit(s[i]);
		if (lo < 0)
			return -EINVAL;
		if ((len - i) % 2) {
			out[o++] = (u8)(hi << 4 | lo);
			hi = 0;
		} else {
			hi = lo;
		}
	}
	return (int)n;
}

static int kitt_b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Padding ('=') is optional; if present it ends the value and fills a quad. */
static int kitt_decode_b64(const char *s, u32 len, u8 *out, u32 max)
{
	u32 bits = 0, nbits = 0, o = 0, i, pad = 0;
	int v;

	while (pad < 2 && len > pad && s[len - 1 - pad] == '=')
		pad++;
	if (pad && len % 4)
		return -EINVAL;
	len -= pad;
	if (!len || len % 4 == 1)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		v = kitt_b64_val(s[i]);
		if (v < 0)
			return -EINVAL;
		bits = bits << 6 | (u32)v;
		nbits += 6;
		if (nbits >= 8) {
			nbits -= 8;
			if (o == max)
				return -EINVAL;
			out[o++] = (u8)(bits >> nbits);
		}
	}
	/* Left-over bits of the last digit must be zero (canonical form). */
	if (bits & ((1u << nbits) - 1))
		return -EINVAL;
	return (int)o;
}

int kitt_chap_decode(const char *s, u32 len, u8 *out, u32 max)
{
	if (len < 3 || s[0] != '0')
		return -EINVAL;
	if (s[1] == 'x' || s[1] == 'X')
		return kitt_decode_hex(s + 2, len - 2, out, max);
	if (s[1] == 'b' || s[1] == 'B')
		return kitt_decode_b64(s + 2, len - 2, out, max);
	return -EINVAL;
}

void kitt_chap_encode_hex(const u8 *in, u32 len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	u32 i;

	*out++ = '0';
	*out++ = 'x';
	for (i = 0; i < len; i++) {
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 15];
	}
	*out = '\0';
}

bool kitt_chap_equal(const u8 *a, const u8 *b, u32 len)
{
	u8 diff = 0;
	u32 i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

void kitt_chap_init(struct kitt_chap *c, u32 allowed_algs)
{
	memset(c, 0, sizeof(*c));
	c->state = KITT_CHAP_WAIT_A;
	c->allowed = allowed_algs;
}

static enum kitt_chap_state kitt_chap_fail(struct kitt_chap *c, const char *why)
{
	c->why = why;
	c->state = KITT_CHAP_FAILED;
	return c->state;
}

/* CHAP_I: a number 0..255, decimal or as a binary value. */
static int kitt_chap_parse_id(const struct kitt_text_pair *p, u8 *id)
{
	u8 b[4];
	u32 v = 0;
	int n, i;

	if (p->value_len > 2 && p->value[0] == '0' &&
	    (p->value[1] < '0' || p->value[1] > '9')) {
		n = kitt_chap_decode(p->value, p->value_len, b, sizeof(b));
		if (n < 0)
			return -EINVAL;
		for (i = 0; i < n; i++)
			v = v << 8 | b[i];
	} else if (kitt_parse_u32(p->value, p->value_len, &v)) {
		return -EINVAL;
	}
	if (v > 255)
		return -EINVAL;
	*id = (u8)v;
	return 0;
}

/* CHAP_A answered: pick the algorithm, send identifier and challenge. */
static enum kitt_chap_state kitt_chap_challenge(struct kitt_chap *c,
						const struct kitt_chap_keys *k,
						const struct kitt_chap_ops *ops,
						struct kitt_text_buf *resp)
{
	const struct kitt_text_pair *a = &k->pair[KITT_CHAP_KEY_A];
	char hex[2 + 2 * KITT_CHAP_DIGEST_MAX + 1];
	int alg;

	if (k->have != HAVE(A))
		return kitt_chap_fail(c, "CHAP keys out of order");
	alg = kitt_chap_select(a->value, a->value_len, c->allowed);
	if (alg < 0)
		return kitt_chap_fail(c, "no acceptable CHAP_A offered");
	c->alg = (enum kitt_chap_alg)alg;
	c->digest_len = kitt_chap_digest_len(c->alg);
	/* A fresh identifier and a challenge as long as the digest. */
	ops->random(ops->ctx, &c->id, 1);
	ops->random(ops->ctx, c->challenge, c->digest_len);
	kitt_chap_encode_hex(c->challenge, c->digest_len, hex);
	kitt_text_add_u32(resp, "CHAP_A", (u32)alg);
	kitt_text_add_u32(resp, "CHAP_I", c->id);
	kitt_text_add_str(resp, "CHAP_C", hex);
	c->state = KITT_CHAP_WAIT_R;
	return c->state;
}

/* Did the initiator prove it knows the secret? */
static const char *kitt_chap_check_initiator(struct kitt_chap *c,
					     const struct kitt_chap_keys *k,
					     const struct kitt_chap_creds *cr,
					     const struct kitt_chap_ops *ops)
{
	const struct kitt_text_pair *n = &k->pair[KITT_CHAP_KEY_N];
	const struct kitt_text_pair *r = &k->pair[KITT_CHAP_KEY_R];
	u8 got[KITT_CHAP_DIGEST_MAX], want[KITT_CHAP_DIGEST_MAX];
	bool name_ok, rsp_ok;
	int len;

	if (!cr->one_way)
		return "no CHAP credentials configured";
	if (cr->secret_len < KITT_CHAP_SECRET_MIN)
		return "CHAP secret configured shorter than 12 bytes";
	len = kitt_chap_decode(r->value, r->value_len, got, sizeof(got));
	if (len != (int)c->digest_len)
		return "malformed CHAP_R";
	if (ops->digest(ops->ctx, c->alg, c->id, cr->secret, cr->secret_len,
			c->challenge, c->digest_len, want))
		return "CHAP hash unavailable";
	/* Check both, so that timing does not tell which one was wrong. */
	name_ok = kitt_text_value_is(n, cr->user);
	rsp_ok = kitt_chap_equal(got, want, c->digest_len);
	if (!name_ok || !rsp_ok)
		return "wrong CHAP_N or CHAP_R";
	return NULL;
}

/* The initiator asked the target to prove itself (mutual CHAP). */
static const char *kitt_chap_answer_mutual(struct kitt_chap *c,
					   const struct kitt_chap_keys *k,
					   const struct kitt_chap_creds *cr,
					   const struct kitt_chap_ops *ops,
					   struct kitt_text_buf *resp)
{
	const struct kitt_text_pair *cp = &k->pair[KITT_CHAP_KEY_C];
	char hex[2 + 2 * KITT_CHAP_DIGEST_MAX + 1];
	u8 out[KITT_CHAP_DIGEST_MAX];
	int len;
	u8 id;

	if (!cr->mutual)
		return "mutual CHAP asked for but not configured";
	if (cr->secret_mutual_len < KITT_CHAP_SECRET_MIN)
		return "mutual CHAP secret configured shorter than 12 bytes";
	if (kitt_chap_parse_id(&k->pair[KITT_CHAP_KEY_I], &id))
		return "malformed CHAP_I";
	len = kitt_chap_decode(cp->value, cp->value_len, c->peer_challenge,
			       sizeof(c->peer_challenge));
	if (len <= 0)
		return "malformed CHAP_C";
	/* Our own challenge sent back would make us answer it: reflection. */
	if ((u32)len == c->digest_len &&
	    kitt_chap_equal(c->peer_challenge, c->challenge, c->digest_len))
		return "CHAP_C reflects the target's challenge";
	/* §12.1.3: one secret must not authenticate both directions. */
	if (cr->secret_mutual_len == cr->secret_len &&
	    kitt_chap_equal(cr->secret_mutual, cr->secret, cr->secret_len))
		return "mutual CHAP secret equals the initiator's";
	if (ops->digest(ops->ctx, c->alg, id, cr->secret_mutual,
			cr->secret_mutual_len, c->peer_challenge, (u32)len, out))
		return "CHAP hash unavailable";
	kitt_chap_encode_hex(out, c->digest_len, hex);
	kitt_text_add_str(resp, "CHAP_N", cr->user_mutual);
	kitt_text_add_str(resp, "CHAP_R", hex);
	return NULL;
}

static enum kitt_chap_state kitt_chap_verify(struct kitt_chap *c,
					     const struct kitt_chap_keys *k,
					     const struct kitt_chap_creds *cr,
					     const struct kitt_chap_ops *ops,
					     struct kitt_text_buf *resp)
{
	u32 mutual = HAVE(I) | HAVE(C);
	const char *why;

	if ((k->have & ~mutual) != (HAVE(N) | HAVE(R)))
		return kitt_chap_fail(c, "CHAP keys out of order");
	if ((k->have & mutual) && (k->have & mutual) != mutual)
		return kitt_chap_fail(c, "CHAP_I without CHAP_C or the reverse");
	why = kitt_chap_check_initiator(c, k, cr, ops);
	if (!why && (k->have & mutual))
		why = kitt_chap_answer_mutual(c, k, cr, ops, resp);
	if (why)
		return kitt_chap_fail(c, why);
	c->state = KITT_CHAP_SUCCESS;
	return c->state;
}

enum kitt_chap_state kitt_chap_step(struct kitt_chap *c,
				    const struct kitt_chap_keys *k,
				    const struct kitt_chap_creds *cr,
				    const struct kitt_chap_ops *ops,
				    struct kitt_text_buf *resp)
{
	/* A request without CHAP keys (AuthMethod alone) moves nothing. */
	if (!k->have || c->state == KITT_CHAP_FAILED)
		return c->state;
	switch (c->state) {
	case KITT_CHAP_WAIT_A:
		return kitt_chap_challenge(c, k, ops, resp);
	case KITT_CHAP_WAIT_R:
		return kitt_chap_verify(c, k, cr, ops, resp);
	default:
		return kitt_chap_fail(c, "CHAP keys after authentication");
	}
}
