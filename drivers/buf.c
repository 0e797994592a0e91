// SPDX-License-Identifier: GPL-2.0
/*
 * Write buffers kept for reuse within a session.
 *
 * Debian's kernels zero every page they allocate (init_on_alloc), so the
 * pages the core allocates for each command cost more instructions than
 * moving their data. A write's buffer is filled by its initiator, every
 * byte of it, before the command runs: kitt executes a write only once
 * Data-Out (checked for offset and length, never overlapping) covers its
 * whole length, and never one whose data phase failed. Nothing of a write
 * buffer is sent back. So a session keeps the buffers of its writes and
 * hands them to the core again (SCF_PASSTHROUGH_SG_TO_MEM_NOALLOC), and
 * what a reused page held before is always overwritten by the initiator
 * that wrote it there in the first place.
 *
 * Reads keep the core's fresh pages: a backend may report a read done
 * without writing all of it (null_blk without memory_backed writes
 * nothing), and no byte the backend did not write for a command may reach
 * the initiator.
 *
 * Buffers are taken in the session's io_work, the one consumer of
 * sess->buf_free (llist_del_first), and given back by release_cmd from
 * any context (llist_add). A session holds at most session_buffer_cache_mib
 * of pages; past that, commands get the core's pages. The buffers go when
 * the session ends, after its last command.
 */
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <target/target_core_base.h>

#include "kitt/conn.h"

/* Largest write whose buffer is kept: MaxBurstLength's default. */
#define KITT_BUF_PAGES	64

struct kitt_buf {
	struct llist_node node;		/* sess->buf_free while unused */
	u32 npages;			/* pages[] held */
	struct page *pages[KITT_BUF_PAGES];
	struct scatterlist sg[KITT_BUF_PAGES];
};

static struct kmem_cache *kitt_buf_cache;

static unsigned int kitt_buf_cache_mib = 4;
module_param_named(session_buffer_cache_mib, kitt_buf_cache_mib, uint, 0644);
MODULE_PARM_DESC(session_buffer_cache_mib,
		 "Write buffer kept for reuse per session, in MiB (0: none)");

/* Whether the core's pages or a kept buffer suit @se_cmd. */
static bool kitt_buf_suits(const struct se_cmd *se_cmd)
{
	u32 flags = se_cmd->se_cmd_flags;

	return se_cmd->data_direction == DMA_TO_DEVICE &&
	       (flags & SCF_SCSI_DATA_CDB) &&
	       !(flags & (SCF_BIDI | SCF_COMPARE_AND_WRITE)) &&
	       se_cmd->data_length &&
	       se_cmd->data_length <= KITT_BUF_PAGES * PAGE_SIZE;
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
 * holder still references all the same is replaced rather than reused.
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
		page = alloc_page(GFP_KERNEL);
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

/* A kept buffer of at least @n pages, or NULL. io_work only. */
static struct kitt_buf *kitt_buf_get(struct kitt_sess *sess, u32 n)
{
	struct llist_node *node = llist_del_first(&sess->buf_free);
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
		llist_add(&buf->node, &sess->buf_free);
		return NULL;
	}
	return buf;
}

/*
 * Hand a write the session's kept pages instead of letting the core
 * allocate fresh ones; a command that does not suit, or finds none, gets
 * the core's. After target_submit_prep(), before target_submit().
 */
void kitt_buf_attach(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	struct se_cmd *se_cmd = &cmd->se_cmd;
	u32 len = se_cmd->data_length, n, i;
	struct kitt_buf *buf;

	if (!kitt_buf_suits(se_cmd) || !READ_ONCE(kitt_buf_cache_mib))
		return;
	n = DIV_ROUND_UP(len, PAGE_SIZE);
	buf = kitt_buf_get(sess, n);
	if (!buf)
		return;
	sg_init_table(buf->sg, n);
	for (i = 0; i < n; i++, len -= PAGE_SIZE)
		sg_set_page(&buf->sg[i], buf->pages[i],
			    min_t(u32, len, PAGE_SIZE), 0);
	cmd->buf = buf;
	se_cmd->t_data_sg = buf->sg;
	se_cmd->t_data_nents = n;
	se_cmd->se_cmd_flags |= SCF_PASSTHROUGH_SG_TO_MEM_NOALLOC;
}

/* The core is done with @cmd: its buffer waits for the next write. */
void kitt_buf_release(struct kitt_sess *sess, struct kitt_cmd *cmd)
{
	if (!cmd->buf)
		return;
	llist_add(&cmd->buf->node, &sess->buf_free);
	cmd->buf = NULL;
}

/* The session's commands are all released: free its buffers. */
void kitt_buf_free_all(struct kitt_sess *sess)
{
	struct llist_node *node = llist_del_all(&sess->buf_free);
	struct kitt_buf *buf, *next;

	llist_for_each_entry_safe(buf, next, node, node)
		kitt_buf_destroy(sess, buf);
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
