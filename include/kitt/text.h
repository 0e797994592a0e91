/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI text: "key=value" pairs, each ending in NUL (RFC 7143 §6.1), as
 * Login and Text PDUs carry them. Pure code (drivers/text.c).
 */
#ifndef KITT_TEXT_H
#define KITT_TEXT_H

#include "kitt/pure.h"

/* §6.1: key names are at most 63 bytes; values 255, or 8192 for some. */
#define KITT_TEXT_KEY_MAX	63
#define KITT_TEXT_VALUE_MAX	255
#define KITT_TEXT_LONG_VALUE_MAX 8192

struct kitt_text_pair {
	const char *key;
	u32 key_len;
	const char *value;
	u32 value_len;
};

/*
 * The next pair of @len bytes at @buf, from *@pos on. Returns 1 and fills
 * @pair, 0 at the end, or -EINVAL if the text is malformed: a pair without
 * '=' or without its NUL, an empty or over-long key, a key with characters
 * §6.1 does not allow, or a value over KITT_TEXT_LONG_VALUE_MAX. Empty
 * strings between NULs are skipped.
 */
int kitt_text_next(const char *buf, u32 len, u32 *pos,
		   struct kitt_text_pair *pair);

/* Is @pair's key exactly @name? */
bool kitt_text_key_is(const struct kitt_text_pair *pair, const char *name);

/* Is @pair's value exactly @value? */
bool kitt_text_value_is(const struct kitt_text_pair *pair, const char *value);

/* A bounded output buffer of pairs. Once full it stays full. */
struct kitt_text_buf {
	char *buf;
	u32 size;
	u32 len;
	bool overflow;
};

void kitt_text_buf_init(struct kitt_text_buf *tb, char *buf, u32 size);

/* Append "key=value\0"; @key_len/@value_len bytes (no NULs inside). */
int kitt_text_add(struct kitt_text_buf *tb, const char *key, u32 key_len,
		  const char *value, u32 value_len);

/* The same with NUL-terminated strings. */
int kitt_text_add_str(struct kitt_text_buf *tb, const char *key,
		      const char *value);

int kitt_text_add_u32(struct kitt_text_buf *tb, const char *key, u32 value);

/* Format @v in decimal into @buf (at least 11 bytes); returns the length. */
u32 kitt_u32_to_str(u32 v, char *buf);

#endif /* KITT_TEXT_H */
