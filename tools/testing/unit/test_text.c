// SPDX-License-Identifier: GPL-2.0
/* key=value text parsing and building (drivers/text.c). */
#include <string.h>

#include "kitt/text.h"
#include "unit.h"

#define T(s) s, (u32)(sizeof(s) - 1)

static int count_pairs(const char *buf, u32 len)
{
	struct kitt_text_pair p;
	u32 pos = 0;
	int n = 0, r;

	while ((r = kitt_text_next(buf, len, &pos, &p)) > 0)
		n++;
	return r < 0 ? r : n;
}

int main(void)
{
	struct kitt_text_pair p;
	struct kitt_text_buf tb;
	char out[32], key[70], big[KITT_TEXT_LONG_VALUE_MAX + 8];
	u32 pos = 0;

	CHECK(kitt_text_next(T("A=1\0B=two\0"), &pos, &p) == 1);
	CHECK(kitt_text_key_is(&p, "A") && kitt_text_value_is(&p, "1"));
	CHECK(kitt_text_next(T("A=1\0B=two\0"), &pos, &p) == 1);
	CHECK(kitt_text_key_is(&p, "B") && kitt_text_value_is(&p, "two"));
	CHECK(kitt_text_next(T("A=1\0B=two\0"), &pos, &p) == 0);

	CHECK(count_pairs(T("")) == 0);
	CHECK(count_pairs(T("\0\0")) == 0);
	CHECK(count_pairs(T("Empty=\0")) == 1);
	CHECK(count_pairs(T("X-com.example.k=v=w\0")) == 1);	/* '=' in a value */
	CHECK(count_pairs(T("A=1")) == -EINVAL);		/* no NUL */
	CHECK(count_pairs(T("A=1\0B")) == -EINVAL);
	CHECK(count_pairs(T("NoEquals\0")) == -EINVAL);
	CHECK(count_pairs(T("=v\0")) == -EINVAL);
	CHECK(count_pairs(T("Bad Key=v\0")) == -EINVAL);
	CHECK(count_pairs(T("K\x01=v\0")) == -EINVAL);

	memset(key, 'k', sizeof(key));
	key[63] = '=';
	key[64] = '\0';
	CHECK(count_pairs(key, 65) == 1);
	key[63] = 'k';
	key[64] = '=';
	key[65] = '\0';
	CHECK(count_pairs(key, 66) == -EINVAL);		/* 64-byte key */

	memset(big, 'v', sizeof(big));
	big[0] = 'K';
	big[1] = '=';
	big[2 + KITT_TEXT_LONG_VALUE_MAX] = '\0';
	CHECK(count_pairs(big, 3 + KITT_TEXT_LONG_VALUE_MAX) == 1);
	big[2 + KITT_TEXT_LONG_VALUE_MAX] = 'v';
	big[3 + KITT_TEXT_LONG_VALUE_MAX] = '\0';
	CHECK(count_pairs(big, 4 + KITT_TEXT_LONG_VALUE_MAX) == -EINVAL);

	/* building: bounded, sticky overflow */
	kitt_text_buf_init(&tb, out, sizeof(out));
	CHECK(kitt_text_add_str(&tb, "Key", "Value") == 0);
	CHECK(tb.len == 10 && !memcmp(out, "Key=Value\0", 10));
	CHECK(kitt_text_add_u32(&tb, "N", 4294967295u) == 0);
	CHECK(tb.len == 23 && !memcmp(out + 10, "N=4294967295\0", 13));
	CHECK(kitt_text_add_str(&tb, "Too", "longer") == -ENOSPC && tb.overflow);
	CHECK(tb.len == 23);
	CHECK(kitt_text_add_str(&tb, "A", "") == -ENOSPC);
	CHECK(count_pairs(out, tb.len) == 2);

	UNIT_EXIT();
}
