// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C digests over buffers and pages. Pages are mapped one at a time
 * (kmap_local_page), so scatterlist entries and bio_vecs may span pages.
 */
#include <linux/bvec.h>
#include <linux/crc32c.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>

#include "kitt/digest.h"

u32 kitt_crc_buf(u32 crc, const void *buf, u32 len)
{
	return len ? crc32c(crc, buf, len) : crc;
}

u32 kitt_crc_pages(u32 crc, struct page *page, u32 off, u32 len)
{
	while (len) {
		struct page *p = page + off / PAGE_SIZE;
		u32 o = off % PAGE_SIZE, n = min_t(u32, len, PAGE_SIZE - o);
		void *va = kmap_local_page(p);

		crc = crc32c(crc, va + o, n);
		kunmap_local(va);
		off += n;
		len -= n;
	}
	return crc;
}

u32 kitt_crc_sg(u32 crc, struct scatterlist *sgl, u32 off, u32 len)
{
	struct scatterlist *sg;

	for (sg = sgl; sg && len; sg = sg_next(sg)) {
		u32 n;

		if (off >= sg->length) {
			off -= sg->length;
			continue;
		}
		n = min(len, sg->length - off);
		crc = kitt_crc_pages(crc, sg_page(sg), sg->offset + off, n);
		off = 0;
		len -= n;
	}
	return crc;
}

u32 kitt_crc_bvec(u32 crc, const struct bio_vec *bv, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		crc = kitt_crc_pages(crc, bv[i].bv_page, bv[i].bv_offset,
				     bv[i].bv_len);
	return crc;
}
