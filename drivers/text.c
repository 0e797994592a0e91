// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and building iSCSI text (key=value pairs). Pure code: no kernel
 * calls, unit-tested and fuzzed in user space.
 */
#include "kitt/text.h"

/* RFC 7143 §6.1: letters, digits, '.', '-', '+', '@', '_'. */
static bool kitt_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
	       c == '@' || c == '_';
}

int kitt_text_next(const char *buf, u32 len, u32 *pos,
		   struct kitt_text_pair *pair)
{
	const char *s, *nul, *eq;
	u32 i;

	while (*pos < len && buf[*pos] == '\0')
		(*pos)++;
	if (*pos >= len)
		return 0;

	s = buf + *pos;
	nul = memchr(s, '\0', len - *pos);
	if (!nul)
		return -EINVAL;		/* the last pair lacks its NUL */
	eq = memchr(s, '=', (size_t)(nul - s));
	if (!eq || eq == s || eq - s > KITT_TEXT_KEY_MAX)
		return -EINVAL;
	for (i = 0; i < (u32)(eq - s); i++)
		if (!kitt_key_char(s[i]))
			return -EINVAL;
	if (nul - eq - 1 > KITT_TEXT_LONG_VALUE_MAX)
		return -EINVAL;

	pair->key = s;
	pair->key_len = (u32)(eq - s);
	pair->value = eq + 1;
	pair->value_len = (u32)(nul - eq - 1);
	*pos += (u32)(nul - s) + 1;
	return 1;
}

bool kitt_text_key_is(const struct kitt_text_pair *pair, const char *name)
{
	return strlen(name) == pair->key_len &&
	       !memcmp(pair->key, name, pair->key_len);
}

bool kitt_text_value_is(const struct kitt_text_pair *pair, const char *value)
{
	return strlen(value) == pair->value_len &&
	       !memcmp(pair->value, value, pair->value_len);
}

void kitt_text_buf_init(struct kitt_text_buf *tb, char *buf, u32 size)
{
	tb->buf = buf;
	tb->size = size;
	tb->len = 0;
	tb->overflow = false;
}

int kitt_text_add(struct kitt_text_buf *tb, const char *key, u32 key_len,
		  const char *value, u32 value_len)
{
	u32 need = key_len + 1 + value_len + 1;

	if (tb->overflow || need > tb->size - tb->len) {
		tb->overflow = true;
		return -ENOSPC;
	}
	memcpy(tb->buf + tb->len, key, key_len);
	tb->buf[tb->len + key_len] = '=';
	memcpy(tb->buf + tb->len + key_len + 1, value, value_len);
	tb->buf[tb->len + need - 1] = '\0';
	tb->len += need;
	return 0;
}

int kitt_text_add_str(struct kitt_text_buf *tb, const char *key,
		      const char *value)
{
	return kitt_text_add(tb, key, (u32)strlen(key), value,
			     (u32)strlen(value));
}

u32 kitt_u32_to_str(u32 v, char *buf)
{
	char tmp[10];
	u32 n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int kitt_text_add_u32(struct kitt_text_buf *tb, const char *key, u32 value)
{
	char num[11];
	u32 n = kitt_u32_to_str(value, num);

	return kitt_text_add(tb, key, (u32)strlen(key), num, n);
}
