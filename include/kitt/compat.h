/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kitt supports (Debian's 6.1 and 6.12).
 * Every version test in kitt lives here, nowhere else.
 */
#ifndef KITT_COMPAT_H
#define KITT_COMPAT_H

#include <linux/version.h>
#include <target/target_core_fabric.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
/* 6.12: the fabric declares how the core may submit its commands. */
#define KITT_FABRIC_SUBMIT_OPS			\
	.direct_submit_supp = 1,		\
	.default_submit_type = TARGET_DIRECT_SUBMIT,
/* 6.12 dropped the TPG attribute netif_timeout. */
#define KITT_HAVE_NETIF_TIMEOUT 0
#else
#define KITT_FABRIC_SUBMIT_OPS
#define KITT_HAVE_NETIF_TIMEOUT 1
#endif

#endif /* KITT_COMPAT_H */
