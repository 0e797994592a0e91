// SPDX-License-Identifier: GPL-2.0
/*
 * Authentication at login: which CHAP credentials apply to a login, and
 * the kernel's side of CHAP (random numbers, hashes through the crypto
 * API). The exchange itself is pure code in drivers/chap.c.
 *
 * Credentials are copied for the login that uses them and wiped when it
 * ends; nothing here logs a name or a secret.
 */
#define pr_fmt(fmt) "kitt: " fmt

#include <crypto/hash.h>
#include <linux/random.h>
#include <linux/string.h>

#include "kitt/auth.h"
#include "kitt/kitt.h"

/* Crypto API names of the CHAP_A algorithms. */
static const char *kitt_chap_hash_name(enum kitt_chap_alg alg)
{
	switch (alg) {
	case KITT_CHAP_MD5:
		return "md5";
	case KITT_CHAP_SHA1:
		return "sha1";
	case KITT_CHAP_SHA256:
		return "sha256";
	case KITT_CHAP_SHA3_256:
		return "sha3-256";
	}
	return NULL;
}

/* The algorithms this kernel can hash (loading their modules if need be). */
u32 kitt_chap_algs_available(void)
{
	static const enum kitt_chap_alg algs[] = {
		KITT_CHAP_MD5, KITT_CHAP_SHA1, KITT_CHAP_SHA256,
		KITT_CHAP_SHA3_256,
	};
	u32 mask = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (crypto_has_shash(kitt_chap_hash_name(algs[i]), 0, 0))
			mask |= BIT(algs[i]);
	return mask;
}

static void kitt_chap_random(void *ctx, void *buf, u32 len)
{
	get_random_bytes(buf, len);
}

static int kitt_chap_hash(struct crypto_shash *tfm, u8 id, const u8 *secret,
			  u32 secret_len, const u8 *chal, u32 chal_len, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, &id, 1);
	if (!ret)
		ret = crypto_shash_update(desc, secret, secret_len);
	if (!ret)
		ret = crypto_shash_update(desc, chal, chal_len);
	if (!ret)
		ret = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

static int kitt_chap_digest(void *ctx, enum kitt_chap_alg alg, u8 id,
			    const u8 *secret, u32 secret_len,
			    const u8 *chal, u32 chal_len, u8 *out)
{
	const char *name = kitt_chap_hash_name(alg);
	struct crypto_shash *tfm;
	int ret;

	if (!name)
		return -EINVAL;
	tfm = crypto_alloc_shash(name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	if (crypto_shash_digestsize(tfm) != kitt_chap_digest_len(alg))
		ret = -EINVAL;
	else
		ret = kitt_chap_hash(tfm, id, secret, secret_len, chal,
				     chal_len, out);
	crypto_free_shash(tfm);
	return ret;
}

const struct kitt_chap_ops kitt_chap_kernel_ops = {
	.random = kitt_chap_random,
	.digest = kitt_chap_digest,
};

static void kitt_creds_copy(struct kitt_chap_creds *cr, const struct kitt_auth *a)
{
	cr->one_way = a->have_userid && a->have_password;
	if (cr->one_way) {
		strscpy(cr->user, a->userid, sizeof(cr->user));
		cr->secret_len = strnlen(a->password, sizeof(cr->secret));
		memcpy(cr->secret, a->password, cr->secret_len);
	}
	cr->mutual = a->have_userid_mutual && a->have_password_mutual;
	if (cr->mutual) {
		strscpy(cr->user_mutual, a->userid_mutual,
			sizeof(cr->user_mutual));
		cr->secret_mutual_len = strnlen(a->password_mutual,
						sizeof(cr->secret_mutual));
		memcpy(cr->secret_mutual, a->password_mutual,
		       cr->secret_mutual_len);
	}
}

/*
 * The credentials of a login, as iscsi_target_mod chooses them: a
 * discovery session's from discovery_auth, a normal session's from the
 * initiator's own ACL, or from the TPG's auth/ in demo mode (no ACL, or
 * one the core made on the fly).
 */
void kitt_auth_creds(struct kitt_chap_creds *cr, struct kitt_tpg *tpg,
		     struct se_node_acl *acl)
{
	memset(cr, 0, sizeof(*cr));
	if (!tpg) {
		mutex_lock(&kitt_discovery.lock);
		kitt_creds_copy(cr, &kitt_discovery.auth);
		mutex_unlock(&kitt_discovery.lock);
	} else if (acl && !acl->dynamic_node_acl) {
		struct kitt_nacl *nacl = kitt_nacl(acl);

		mutex_lock(&nacl->lock);
		kitt_creds_copy(cr, &nacl->auth);
		mutex_unlock(&nacl->lock);
	} else {
		mutex_lock(&tpg->lock);
		kitt_creds_copy(cr, &tpg->auth);
		mutex_unlock(&tpg->lock);
	}
}

void kitt_auth_creds_wipe(struct kitt_chap_creds *cr)
{
	memzero_explicit(cr, sizeof(*cr));
}
