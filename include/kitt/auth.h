/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Authentication at login (drivers/auth.c): the credentials that apply,
 * and CHAP's hashes and random numbers from the kernel.
 */
#ifndef KITT_AUTH_H
#define KITT_AUTH_H

#include "kitt/chap.h"

struct kitt_tpg;
struct se_node_acl;

/* CHAP with the kernel's RNG and crypto API. */
extern const struct kitt_chap_ops kitt_chap_kernel_ops;

/* BIT(enum kitt_chap_alg) of every algorithm the kernel can hash. */
u32 kitt_chap_algs_available(void);

/*
 * Copy the credentials of a login into @cr: discovery_auth's if @tpg is
 * NULL, else those of the initiator's ACL, or the TPG's in demo mode.
 */
void kitt_auth_creds(struct kitt_chap_creds *cr, struct kitt_tpg *tpg,
		     struct se_node_acl *acl);

/* Wipe copied credentials once the login no longer needs them. */
void kitt_auth_creds_wipe(struct kitt_chap_creds *cr);

#endif /* KITT_AUTH_H */
