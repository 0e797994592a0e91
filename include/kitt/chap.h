/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CHAP for iSCSI login (RFC 7143 §12.1.3, RFC 1994): the target's side of
 * the exchange, one-way and mutual. Pure code (drivers/chap.c): the
 * caller supplies random bytes and the hash (the kernel's crypto API in
 * the module, a stand-in in user-space tests and fuzzers).
 *
 *   I->T  CHAP_A=<A1,A2,...>
 *   T->I  CHAP_A=<A> CHAP_I=<I> CHAP_C=<C>
 *   I->T  CHAP_N=<N> CHAP_R=<R> [CHAP_I=<I'> CHAP_C=<C'>]   (mutual)
 *   T->I  [CHAP_N=<N'> CHAP_R=<R'>]                         (mutual)
 */
#ifndef KITT_CHAP_H
#define KITT_CHAP_H

#include "kitt/text.h"

/* CHAP_A values (IANA "PPP Authentication Algorithms"). */
enum kitt_chap_alg {
	KITT_CHAP_MD5 = 5,
	KITT_CHAP_SHA1 = 6,
	KITT_CHAP_SHA256 = 7,
	KITT_CHAP_SHA3_256 = 8,
};

#define KITT_CHAP_ALGS_ALL	(BIT(KITT_CHAP_MD5) | BIT(KITT_CHAP_SHA1) | \
				 BIT(KITT_CHAP_SHA256) | BIT(KITT_CHAP_SHA3_256))

/* The longest digest (SHA-256, SHA3-256). */
#define KITT_CHAP_DIGEST_MAX	32
/* The longest challenge kitt takes from an initiator (RFC 7143 §12.1.3). */
#define KITT_CHAP_CHALLENGE_MAX	1024
/* Longest user name and secret (as configfs stores them). */
#define KITT_CHAP_NAME_MAX	255
#define KITT_CHAP_SECRET_MAX	255
/* RFC 7143 §12.1.3: no login with a CHAP secret under 96 bits. */
#define KITT_CHAP_SECRET_MIN	12

/* The CHAP keys of one request text, as pairs pointing into that text. */
enum kitt_chap_key {
	KITT_CHAP_KEY_A,
	KITT_CHAP_KEY_I,
	KITT_CHAP_KEY_C,
	KITT_CHAP_KEY_N,
	KITT_CHAP_KEY_R,
	KITT_CHAP_KEY_COUNT,
};

struct kitt_chap_keys {
	struct kitt_text_pair pair[KITT_CHAP_KEY_COUNT];
	u32 have;			/* BIT(enum kitt_chap_key) */
};

/*
 * Take @p into @k if it is a CHAP key. Returns 1 if taken, 0 if @p is
 * not a CHAP_ key at all, -EINVAL for a key given twice or one CHAP does
 * not define.
 */
int kitt_chap_keys_add(struct kitt_chap_keys *k, const struct kitt_text_pair *p);

/* What the configuration says, copied for one login; wiped after it. */
struct kitt_chap_creds {
	char user[KITT_CHAP_NAME_MAX + 1];
	u8 secret[KITT_CHAP_SECRET_MAX];
	u32 secret_len;
	char user_mutual[KITT_CHAP_NAME_MAX + 1];
	u8 secret_mutual[KITT_CHAP_SECRET_MAX];
	u32 secret_mutual_len;
	bool one_way;			/* user and secret set */
	bool mutual;			/* user_mutual and secret_mutual set */
};

struct kitt_chap_ops {
	/* Fill @buf with @len bytes from a cryptographically strong source. */
	void (*random)(void *ctx, void *buf, u32 len);
	/* @out = H(@id || @secret || @chal) with @alg; 0 or -errno. */
	int (*digest)(void *ctx, enum kitt_chap_alg alg, u8 id,
		      const u8 *secret, u32 secret_len,
		      const u8 *chal, u32 chal_len, u8 *out);
	void *ctx;
};

/* The target's side; kitt_chap_step() is the one place state changes. */
enum kitt_chap_state {
	KITT_CHAP_WAIT_A,	/* AuthMethod=CHAP agreed, CHAP_A awaited */
	KITT_CHAP_WAIT_R,	/* challenge sent, CHAP_N and CHAP_R awaited */
	KITT_CHAP_SUCCESS,	/* the initiator proved its secret */
	KITT_CHAP_FAILED,	/* for any reason: the login ends */
};

struct kitt_chap {
	enum kitt_chap_state state;
	u32 allowed;			/* BIT(enum kitt_chap_alg) */
	enum kitt_chap_alg alg;
	u32 digest_len;
	u8 id;				/* CHAP_I we sent */
	u8 challenge[KITT_CHAP_DIGEST_MAX];	/* CHAP_C we sent */
	u8 peer_challenge[KITT_CHAP_CHALLENGE_MAX]; /* mutual CHAP_C received */
	/* Why it failed, for the log only: never a name or a secret. */
	const char *why;
};

void kitt_chap_init(struct kitt_chap *c, u32 allowed_algs);

/*
 * Take the CHAP keys @k of one request and append the target's answers
 * to @resp. Returns the new state; on KITT_CHAP_FAILED, c->why says why
 * (the peer learns only "authentication failure").
 */
enum kitt_chap_state kitt_chap_step(struct kitt_chap *c,
				    const struct kitt_chap_keys *k,
				    const struct kitt_chap_creds *cr,
				    const struct kitt_chap_ops *ops,
				    struct kitt_text_buf *resp);

/* Digest length of @alg, 0 if kitt does not know it. */
u32 kitt_chap_digest_len(enum kitt_chap_alg alg);

/*
 * The first algorithm of the comma-separated @list (decimal numbers) that
 * @allowed has, or -EINVAL if none (or the list is malformed).
 */
int kitt_chap_select(const char *list, u32 len, u32 allowed);

/*
 * Decode a binary value, "0x" hex or "0b" base64 (RFC 7143 §6.1), into at
 * most @max bytes. Returns the number of bytes, or -EINVAL if malformed,
 * empty or longer than @max.
 */
int kitt_chap_decode(const char *s, u32 len, u8 *out, u32 max);

/* "0x" and 2 * @len lowercase hex digits and a NUL into @out. */
void kitt_chap_encode_hex(const u8 *in, u32 len, char *out);

/* Equal @len bytes, in time independent of where they differ. */
bool kitt_chap_equal(const u8 *a, const u8 *b, u32 len);

#endif /* KITT_CHAP_H */
