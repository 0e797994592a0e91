/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRC32C header and data digests (RFC 7143 §13.1), computed with the
 * kernel's crc32c() over buffers and over a command's own pages, without
 * copying. On the wire a digest is the inverted CRC, little-endian.
 */
#ifndef KITT_DIGEST_H
#define KITT_DIGEST_H

#include <linux/string.h>
#include <linux/types.h>

struct page;
struct scatterlist;
struct bio_vec;

#define KITT_CRC_SEED		0xffffffffu

u32 kitt_crc_buf(u32 crc, const void *buf, u32 len);
/* @len bytes from @off into the pages starting at @page. */
u32 kitt_crc_pages(u32 crc, struct page *page, u32 off, u32 len);
/* @len bytes from @off into scatterlist @sgl. */
u32 kitt_crc_sg(u32 crc, struct scatterlist *sgl, u32 off, u32 len);
/* All of @n bio_vecs. */
u32 kitt_crc_bvec(u32 crc, const struct bio_vec *bv, u32 n);

static inline void kitt_digest_put(u8 *p, u32 crc)
{
	crc = ~crc;
	p[0] = (u8)crc;
	p[1] = (u8)(crc >> 8);
	p[2] = (u8)(crc >> 16);
	p[3] = (u8)(crc >> 24);
}

static inline bool kitt_digest_ok(const u8 *p, u32 crc)
{
	u8 want[4];

	kitt_digest_put(want, crc);
	return !memcmp(p, want, sizeof(want));
}

#endif /* KITT_DIGEST_H */
