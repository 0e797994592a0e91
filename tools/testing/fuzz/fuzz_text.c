// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: iSCSI text as a peer sends it (drivers/text.c), the
 * configfs side of key values (drivers/keys.c) and of portal addresses
 * (drivers/netaddr.c): every pair found lies inside the input, and what
 * is accepted round-trips.
 */
#include <assert.h>
#include <string.h>

#include "kitt/keys.h"
#include "kitt/netaddr.h"
#include "kitt/text.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *buf = (const char *)data;
	struct kitt_text_pair p;
	struct kitt_text_buf tb;
	struct kitt_netaddr na, nb;
	static char out[1024];
	char addr[KITT_NETADDR_STR_MAX + 1];
	u32 pos = 0, len = size > 0x100000 ? 0x100000 : (u32)size;
	int r, id;

	kitt_text_buf_init(&tb, out, sizeof(out));
	while ((r = kitt_text_next(buf, len, &pos, &p)) > 0) {
		assert(p.key >= buf && p.key + p.key_len <= buf + len);
		assert(p.value >= buf && p.value + p.value_len <= buf + len);
		assert(p.key_len >= 1 && p.key_len <= KITT_TEXT_KEY_MAX);
		assert(pos <= len);
		kitt_text_add(&tb, p.key, p.key_len, p.value, p.value_len);
		assert(tb.len <= tb.size);
		id = kitt_key_lookup(p.key, p.key_len);
		if (id >= 0)
			kitt_key_validate(id, p.value, p.value_len);
	}
	assert(r == 0 || r == -EINVAL);

	if (!kitt_netaddr_parse(buf, size, &na)) {
		assert(kitt_netaddr_format(&na, addr, sizeof(addr)) >= 0);
		assert(!kitt_netaddr_parse(addr, strlen(addr), &nb));
		assert(kitt_netaddr_equal(&na, &nb));
	}
	return 0;
}
