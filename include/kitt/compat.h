/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kitt supports (Debian's 6.1 and 6.12).
 * Every version test in kitt lives here, nowhere else.
 */
#ifndef KITT_COMPAT_H
#define KITT_COMPAT_H

#include <linux/version.h>
#include <linux/bvec.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/uio.h>
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

static inline void kitt_bvec_set_page(struct bio_vec *bv, struct page *page,
				      unsigned int len, unsigned int offset)
{
	bv->bv_page = page;
	bv->bv_len = len;
	bv->bv_offset = offset;
}

/* Submit a prepared command; 6.12 returns a status nobody needs here. */
static inline void kitt_target_submit(struct se_cmd *se_cmd)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	(void)target_submit(se_cmd);
#else
	target_submit(se_cmd);
#endif
}

/*
 * Send part of a page without copying it. 6.12 has no kernel_sendpage;
 * Debian's 6.1 defines MSG_SPLICE_PAGES but its TCP ignores it and copies.
 */
static inline int kitt_sock_send_page(struct socket *sock, struct page *page,
				      int offset, size_t size, int flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	struct bio_vec bvec;

	kitt_bvec_set_page(&bvec, page, size, offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);
	return sock_sendmsg(sock, &msg);
#else
	if (flags & MSG_MORE)
		flags |= MSG_SENDPAGE_NOTLAST;
	return kernel_sendpage(sock, page, offset, size, flags);
#endif
}

#endif /* KITT_COMPAT_H */
