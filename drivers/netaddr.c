// SPDX-License-Identifier: GPL-2.0
/*
 * Portal address text: parsing configfs np/ names and formatting addresses
 * for display. Pure code: no kernel calls, so it is unit-tested and fuzzed
 * in user space (tools/testing/unit).
 */
#include "kitt/netaddr.h"

/* Decimal number of 1..@maxdigits digits, no sign, at most @max. */
static int parse_dec(const char *s, size_t len, u32 max, u32 *out)
{
	u32 v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u32)(s[i] - '0');
	}
	/* No leading zeros except "0" itself: "010" is ambiguous (octal). */
	if (len > 1 && s[0] == '0')
		return -EINVAL;
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_ipv4(const char *s, size_t len, u8 *addr)
{
	size_t start = 0, i;
	int part = 0;
	u32 v;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (part == 4 || parse_dec(s + start, i - start, 255, &v))
			return -EINVAL;
		addr[part++] = (u8)v;
		start = i + 1;
	}
	return part == 4 ? 0 : -EINVAL;
}

/* One group of 1..4 hex digits. */
static int parse_hex16(const char *s, size_t len, u16 *out)
{
	u32 v = 0;
	size_t i;

	if (len == 0 || len > 4)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		int h = kitt_hex_digit(s[i]);

		if (h < 0)
			return -EINVAL;
		v = (v << 4) | (u32)h;
	}
	*out = (u16)v;
	return 0;
}

/*
 * RFC 4291 §2.2 text: eight groups, or fewer with one "::", optionally
 * ending in a dotted quad that stands for the last two groups.
 */
static int parse_ipv6(const char *s, size_t len, u8 *addr)
{
	u16 groups[8];
	int ngroups = 0, gap = -1, i;
	size_t pos = 0, end;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		pos = 2;
	} else if (len >= 1 && s[0] == ':') {
		return -EINVAL;
	}
	while (pos < len) {
		for (end = pos; end < len && s[end] != ':'; end++)
			;
		if (end == len && memchr(s + pos, '.', end - pos)) {
			/* trailing IPv4 takes two groups */
			u8 v4[4];

			if (ngroups > 6 || parse_ipv4(s + pos, end - pos, v4))
				return -EINVAL;
			groups[ngroups++] = (u16)(v4[0] << 8 | v4[1]);
			groups[ngroups++] = (u16)(v4[2] << 8 | v4[3]);
			pos = end;
			break;
		}
		if (ngroups == 8 || parse_hex16(s + pos, end - pos, &groups[ngroups]))
			return -EINVAL;
		ngroups++;
		pos = end;
		if (pos == len)
			break;
		pos++;			/* skip ':' */
		if (pos < len && s[pos] == ':') {
			if (gap >= 0)
				return -EINVAL;	/* a second "::" */
			gap = ngroups;
			pos++;
		} else if (pos == len) {
			return -EINVAL;		/* trailing single ':' */
		}
	}
	if (gap < 0 && ngroups != 8)
		return -EINVAL;
	if (gap >= 0 && ngroups > 7)
		return -EINVAL;

	memset(addr, 0, 16);
	for (i = 0; i < ngroups; i++) {
		int slot = i;

		if (gap >= 0 && i >= gap)
			slot = 8 - (ngroups - i);
		addr[2 * slot] = (u8)(groups[i] >> 8);
		addr[2 * slot + 1] = (u8)groups[i];
	}
	return 0;
}

int kitt_netaddr_parse(const char *s, size_t len, struct kitt_netaddr *out)
{
	size_t colon, host_start, host_len;
	u32 port;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > KITT_NETADDR_STR_MAX)
		return -EINVAL;

	/* The port follows the last ':'. */
	for (colon = len; colon > 0 && s[colon - 1] != ':'; colon--)
		;
	if (colon == 0 || parse_dec(s + colon, len - colon, 65535, &port) || !port)
		return -EINVAL;
	out->port = (u16)port;
	colon--;			/* index of the ':' itself */

	if (s[0] == '[') {
		if (colon < 2 || s[colon - 1] != ']')
			return -EINVAL;
		host_start = 1;
		host_len = colon - 2;
		out->family = KITT_AF_INET6;
		return parse_ipv6(s + host_start, host_len, out->addr);
	}
	out->family = KITT_AF_INET4;
	return parse_ipv4(s, colon, out->addr);
}

static int put_str(char *buf, size_t size, size_t *pos, const char *str)
{
	size_t n = strlen(str);

	if (*pos + n >= size)
		return -1;
	memcpy(buf + *pos, str, n);
	*pos += n;
	buf[*pos] = '\0';
	return 0;
}

static int put_num(char *buf, size_t size, size_t *pos, u32 v, int base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = digits[v % (u32)base];
		v /= (u32)base;
	} while (v);
	if (*pos + (size_t)n >= size)
		return -1;
	while (n)
		buf[(*pos)++] = tmp[--n];
	buf[*pos] = '\0';
	return 0;
}

/* RFC 5952: lower case, longest run (>= 2) of zero groups becomes "::". */
static int format_ipv6(const u8 *addr, char *buf, size_t size, size_t *pos)
{
	int best = -1, bestlen = 0, run = -1, i;
	u16 g[8];

	for (i = 0; i < 8; i++)
		g[i] = (u16)(addr[2 * i] << 8 | addr[2 * i + 1]);
	for (i = 0; i <= 8; i++) {
		if (i < 8 && g[i] == 0) {
			if (run < 0)
				run = i;
			continue;
		}
		if (run >= 0 && i - run > bestlen && i - run >= 2) {
			best = run;
			bestlen = i - run;
		}
		run = -1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			if (put_str(buf, size, pos, "::"))
				return -1;
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen && put_str(buf, size, pos, ":"))
			return -1;
		if (put_num(buf, size, pos, g[i], 16))
			return -1;
	}
	return 0;
}

int kitt_netaddr_format(const struct kitt_netaddr *a, char *buf, size_t size)
{
	size_t pos = 0;
	int i, err = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (a->family == KITT_AF_INET6) {
		err |= put_str(buf, size, &pos, "[");
		err |= format_ipv6(a->addr, buf, size, &pos);
		err |= put_str(buf, size, &pos, "]");
	} else {
		for (i = 0; i < 4; i++) {
			if (i)
				err |= put_str(buf, size, &pos, ".");
			err |= put_num(buf, size, &pos, a->addr[i], 10);
		}
	}
	err |= put_str(buf, size, &pos, ":");
	err |= put_num(buf, size, &pos, a->port, 10);
	return err ? -1 : (int)pos;
}

bool kitt_netaddr_equal(const struct kitt_netaddr *a,
			const struct kitt_netaddr *b)
{
	size_t n = a->family == KITT_AF_INET6 ? 16 : 4;

	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, n);
}

bool kitt_netaddr_is_any(const struct kitt_netaddr *a)
{
	static const u8 zero[16];
	size_t n = a->family == KITT_AF_INET6 ? 16 : 4;

	return !memcmp(a->addr, zero, n);
}
