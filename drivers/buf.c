// SPDX-License-Identifier: GPL-2.0
/*
 * Data buffers kept for reuse within a session.
 *
 * Debian's kernels zero every page they allocate (init_on_alloc), so the
 * pages the core allocates for each command cost more instructions than
 * moving their data. A session keeps the pages of its reads and writes and
 * hands them to the core again (SCF_PASSTHROUGH_SG_TO_MEM_NOALLOC). No byte
 * the initiator or the backend did not write for the command at hand may
 * ever leave the target from them:
 *
 *  - A write's buffer is filled by its initiator, every byte of it, before
 *    the command runs: kitt executes a write only once Data-Out (checked
 *    for offset and length, never overlapping) covers its whole length, and
 *    never one whose data phase failed. Nothing of a write buffer is sent.
 *  - A read's buffer gets its session's canary, 16 random bytes chosen at
 *    login, at the start of each 512-byte sector before the backend runs.
 *    Before the first Data-In, a sector whose canary is still there was not
 *    written for this command (null_blk without memory_backed writes
 *    nothing): it goes out as zeros, a page of such sectors as the
 *    kernel's zero page. Backends write whole sectors, the smallest unit a
 *    block device moves, whatever logical block size the LUN shows; a
 *    sector they wrote can only keep the canary if its data begins with
 *    those 16 bytes, one chance in 2^128, and is then sent as zeros. The
 *    canary must stay secret (an initiator that knew it could make its
 *    session read such sectors as zeros): it is never sent.
 *  - Only reads whose length is the CDB's own and the initiator's (no
 *    residual), of whole sectors, without protection information, from a
 *    backend the core parses CDBs for (not pscsi or tcmu, which report
 *    their own residuals), use a kept buffer; the others get the core's
 *    fresh pages.
 *  - Buffers never leave their session: pages come zeroed from the
 *    allocator, so a buffer only ever holds zeros, its session's canary, or
 *    what this session's backends and initiator wrote.
 *  - A page still referenced elsewhere (a sent skb not yet acknowledged)
 *    is replaced rather than reused, and buffers are reused oldest first,
 *    so that the pages of recent Data-In have time to come back.
 *
 * Buffers are taken in the session's io_work, the one consumer of
 * sess->buf_free (once its own list sess->buf_ready is empty, it moves all
 * of buf_free there, oldest first), and given back by release_cmd from any
 * context (llist_add). A session holds at most session_buffer_cache_mib
 * of pages; past that, commands get the core's pages. The buffers go when
 * the session ends, after its last command.
 */
#include <linux/highmem.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <target/target_core_backend.h>
#include <target/target_core_base.h>

#include "kitt/conn.h"

/* Largest command whose buffer is kept: MaxBurstLength's default. */
#define KITT_BUF_PAGES	64

/* A read's canary goes at the start of each sector of this size. */
#define KITT_BUF_SECTOR	512

/* The command using a buffer owns it; io_work while it is unused. */
struct kitt_buf {
	struct llist_node node;		/* sess->buf_free or buf_ready, unused */
	u32 npages;			/* pages[] held */
	bool marked;			/* a read's, with the canary in each sector */
	struct page *pages[KITT_BUF_PAGES];
	struct scatterlist sg[KITT_BUF_PAGES];
};

static struct kmem_cache *kitt_buf_cache;

static unsigned int kitt_buf_cache_mib = 4;
module_param_named(session_buffer_cache_mib, kitt_buf_cache_mib, uint, 0644);
MODULE_PARM_DESC(session_buffer_cache_mib,
		 "Data buffer kept for reuse per session, in MiB (0: none)");

/* Whether what the backend writes of read @cmd can be checked by sector. */
static bool kitt_buf_read_suits(const struct kitt_cmd *cmd)
{
	const struct se_cmd *se_cmd = &cmd->se_cmd;

	/* An underflow leaves less than EDTL; a cut read is an overflow. */
	return se_cmd->data_length == cmd->edtl &&
	       !(se_cmd->se_cmd_flags & SCF_OVERFLOW_BIT) &&
	       !(se_cmd->data_length % KITT_BUF_SECTOR) &&
	       se_cmd->prot_op == TARGET_PROT_NORMAL &&
	       !(se_cmd->se_dev->transport_flags & TRANSPORT_FLAG_PASSTHROUGH);
}

/* Whether the core's pages or a kept buffer suit @cmd. */
static bool kitt_buf_suits(const struct kitt_cmd *cmd)
{
	const struct se_cmd *se_cmd = &cmd->se_cmd;
	u32 flags = se_cmd->se_cmd_flags;

	if (!(flags & SCF_SCSI_DATA_CDB) ||
	    (flags & (SCF_BIDI | SCF_COMPARE_AND_WRITE)) ||
	    !se_cmd->data_length ||
	    se_cmd->data_length > KITT_BUF_PAGES * PAGE_SIZE)
		return false;
	if (se_cmd->data_direction == DMA_TO_DEVICE)
		return true;
	return se_cmd->data_direction == DMA_FROM_DEVICE &&
	       kitt_buf_read_suits(cmd);
}

static void kitt_buf_destroy(struct kitt_sess *sess, struct kitt_buf *buf)
{
	u32 i;

	for (i = 0; i < buf->npages; i++)
		put_page(buf->pages[i]);
	atomic_sub(buf->npages, &sess->buf_pages);
	kmem_cache_free(kitt_buf_cache, buf);
}

/*
 * Give @buf @n pages. The core releases a command only once every user
 * of its pages (backend, receiver) is done with them; a page some other
 * holder still references all the same (TCP, until the peer acknowledges
 * the Data-In it was sent in) is replaced rather than reused.
 * False if memory or the session's cap ran out.
 */
static bool kitt_buf_fill(struct kitt_sess *sess, struct kitt_buf *buf, u32 n)
{
	u64 cap = (u64)READ_ONCE(kitt_buf_cache_mib) << (20 - PAGE_SHIFT);
	struct page *page;
	u32 i;

	for (i = 0; i < n; i++) {
		if (i < buf->npages && page_ref_count(buf->pages[i]) == 1)
			continue;
		if (i >= buf->npages &&
		    atomic_inc_return(&sess->buf_pages) > cap) {
			atomic_dec(&sess->buf_pages);
			return false;
		}
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page) {
			if (i >= buf->npages)
				atomic_dec(&sess->buf_pages);
			return false;
		}
		if (i < buf->npages)
			put_page(buf->pages[i]);
		else
			buf->npages++;
		buf->pages[i] = page;
	}
	return true;
}

/*
 * The session's oldest unused buffer: io_work takes what release_cmd gave
 * back into a list of its own, oldest first. io_work only.
 */
static struct llist_node *kitt_buf_oldest(struct kitt_sess *sess)
{
	struct llist_node *node = sess->buf_ready;

	if (!node)
		node = llist_reverse_order(llist_del_all(&sess->buf_free));
	if (node)
		sess->buf_ready = node->next;
	return node;
}

/* A kept buffer of at least @n pages, or NULL. io_work only. */
static struct kitt_buf *kitt_buf_get(struct kitt_sess *sess, u32 n)
{
	struct llist_node *node = kitt_buf_oldest(sess);
	struct kitt_buf *buf;

	if (node) {
		buf = llist_entry(node, struct kitt_buf, node);
	} else {
		buf = kmem_cache_alloc(kitt_buf_cache, GFP_KERNEL);
		if (!buf)
			return NULL;
		buf->npages = 0;
	}
	if (!kitt_buf_fill(sess, buf, n)) {
		if (buf->npages)
			llist_add(&buf->node, &sess->buf_free);
		else
			kmem_cache_free(kitt_buf_cache, buf);
		return NULL;
	}
	return buf;
}

/* @canary at the start of each sector of @buf's first @len bytes. */
static void kitt_buf_mark(struct kitt_buf *buf, const u64 *canary, u32 len)
{
	u32 i, off, n;
	u64 *p;

	for (i = 0; len; i++, len -= n) {
		n = min_t(u32, len, PAGE_SIZE);
		p = kmap_local_page(buf->pages[i]);
		for (off = 0; off < n / 8; off += KITT_BUF_SECTOR / 8) {
			p[off] = canary[0];
			p[off + 1] = canary[1];
		}
		kunmap_local(p);
	}
	buf->marked = true;
}

/*
 * Hand a read or write the session's kept pages instead of letting the core
 * allocate fresh ones; a command that does not suit, or finds none, gets
 * the core's. After target_submit_prep(), before target_submit().
 */
void kitt_buf_attach(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	u32 len = se_cmd->data_length, n, i;
	struct kitt_buf *buf;

	if (!READ_ONCE(kitt_buf_cache_mib) || !kitt_buf_suits(cmd))
		return;
	n = DIV_ROUND_UP(len, PAGE_SIZE);
	buf = kitt_buf_get(sess, n);
	if (!buf)
		return;
	sg_init_table(buf->sg, n);
	for (i = 0; i < n; i++, len -= PAGE_SIZE)
		sg_set_page(&buf->sg[i], buf->pages[i],
			    min_t(u32, len, PAGE_SIZE), 0);
	buf->marked = false;
	if (se_cmd->data_direction == DMA_FROM_DEVICE)
		kitt_buf_mark(buf, sess->canary, se_cmd->data_length);
	cmd->buf = buf;
	se_cmd->t_data_sg = buf->sg;
	se_cmd->t_data_nents = n;
	se_cmd->se_cmd_flags |= SCF_PASSTHROUGH_SG_TO_MEM_NOALLOC;
}

/* Whether the sector at @p still holds @canary: nothing wrote it. */
static bool kitt_buf_unwritten(const u64 *p, const u64 *canary)
{
	return p[0] == canary[0] && p[1] == canary[1];
}

/*
 * Zero the sectors of @sg's page that still hold @canary; a page of
 * nothing else becomes the zero page in @sg.
 */
static void kitt_buf_scrub_page(struct scatterlist *sg, const u64 *canary)
{
	u32 n = sg->length / 8, off, unwritten = 0;
	u64 *p = kmap_local_page(sg_page(sg));

	for (off = 0; off < n; off += KITT_BUF_SECTOR / 8)
		unwritten += kitt_buf_unwritten(p + off, canary);
	if (unwritten && unwritten == sg->length / KITT_BUF_SECTOR) {
		sg_assign_page(sg, ZERO_PAGE(0));
	} else if (unwritten) {
		for (off = 0; off < n; off += KITT_BUF_SECTOR / 8)
			if (kitt_buf_unwritten(p + off, canary))
				memset(p + off, 0, KITT_BUF_SECTOR);
	}
	kunmap_local(p);
}

/*
 * Before a read's first Data-In: what the backend did not write in its
 * kept buffer goes out as zeros. Again after that changes nothing.
 * io_work, @cmd being of @sess.
 */
void kitt_buf_scrub(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	struct kitt_buf *buf = cmd->buf;
	u32 i;

	if (!buf || !buf->marked)
		return;
	for (i = 0; i < cmd->se_cmd.t_data_nents; i++)
		kitt_buf_scrub_page(&buf->sg[i], sess->canary);
}

/* The core is done with @cmd: its buffer waits for the next command. */
void kitt_buf_release(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	if (!cmd->buf)
		return;
	llist_add(&cmd->buf->node, &sess->buf_free);
	cmd->buf = NULL;
}

/* Free a chain of unused buffers. */
static void kitt_buf_free_chain(struct kitt_sess *sess, struct llist_node *node)
{
	struct kitt_buf *buf, *next;

	llist_for_each_entry_safe(buf, next, node, node)
		kitt_buf_destroy(sess, buf);
}

/* The session's commands are all released: free its buffers. */
void kitt_buf_free_all(struct kitt_sess *sess)
{
	kitt_buf_free_chain(sess, sess->buf_ready);
	sess->buf_ready = NULL;
	kitt_buf_free_chain(sess, llist_del_all(&sess->buf_free));
}

int kitt_buf_init(void)
{
	kitt_buf_cache = KMEM_CACHE(kitt_buf, 0);
	return kitt_buf_cache ? 0 : -ENOMEM;
}

void kitt_buf_exit(void)
{
	kmem_cache_destroy(kitt_buf_cache);
}
