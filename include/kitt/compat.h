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

/* Trace events: 6.10 takes a string field's source from __string(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define kitt_assign_str(dst, src)	__assign_str(dst)
#else
#define kitt_assign_str(dst, src)	__assign_str(dst, src)
#endif

static inline void kitt_bvec_set_page(struct bio_vec *bv, struct page *page,
				      unsigned int len, unsigned int offset)
{
	bv->bv_page = page;
	bv->bv_len = len;
	bv->bv_offset = offset;
}

/* Give back the page a fragment cache still holds, if any. */
static inline void kitt_page_frag_cache_drain(struct page_frag_cache *nc)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	page_frag_cache_drain(nc);
#else
	if (nc->va)
		__page_frag_cache_drain(virt_to_head_page(nc->va),
					nc->pagecnt_bias);
	nc->va = NULL;
#endif
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

/* Whether kitt_sock_send_bvec() hands all its pieces to TCP in one call. */
static inline bool kitt_sock_bvec_one_call(void)
{
	return LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0);
}

/*
 * Send @n pieces of pages (@len bytes in all) without copying them: the
 * bytes sent, or an error when none went. 6.12 has no kernel_sendpage and
 * takes them in one call; Debian's 6.1 defines MSG_SPLICE_PAGES but its
 * TCP ignores it and copies, so there they go one page at a time.
 */
static inline int kitt_sock_send_bvec(struct socket *sock, struct bio_vec *bv,
				      unsigned int n, size_t len, int flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	return sock_sendmsg(sock, &msg);
#else
	unsigned int i;
	int sent = 0, ret;

	for (i = 0; i < n; i++) {
		int f = flags;

		if (i + 1 < n || (flags & MSG_MORE))
			f |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
		ret = kernel_sendpage(sock, bv[i].bv_page, bv[i].bv_offset,
				      bv[i].bv_len, f);
		if (ret <= 0)
			return sent ?: ret;
		sent += ret;
		if (ret < bv[i].bv_len)
			break;
	}
	return sent;
#endif
}

#endif /* KITT_COMPAT_H */
