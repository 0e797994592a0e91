/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portal addresses as configfs names them: "IPv4:PORT" or "[IPv6]:PORT".
 * Pure code (drivers/netaddr.c), shared with user-space tests.
 */
#ifndef KITT_NETADDR_H
#define KITT_NETADDR_H

#include "kitt/pure.h"

/* Longest portal name: "[" + 45 chars of IPv6 text + "]:" + 5 digits. */
#define KITT_NETADDR_STR_MAX	64

enum kitt_netaddr_family {
	KITT_AF_INET4,
	KITT_AF_INET6,
};

struct kitt_netaddr {
	enum kitt_netaddr_family family;
	u8 addr[16];		/* network order; IPv4 uses the first 4 */
	u16 port;		/* host order */
};

/*
 * Parse a portal name of @len bytes (no NUL needed). Returns 0 or -EINVAL.
 * Accepts dotted-quad IPv4 and bracketed IPv6 (with "::" compression and a
 * trailing dotted quad), a port of 1..65535 in decimal.
 */
int kitt_netaddr_parse(const char *s, size_t len, struct kitt_netaddr *out);

/* Canonical text, as configfs and SendTargets show it. Returns its length. */
int kitt_netaddr_format(const struct kitt_netaddr *a, char *buf, size_t size);

bool kitt_netaddr_equal(const struct kitt_netaddr *a,
			const struct kitt_netaddr *b);

/* True for 0.0.0.0 and [::]. */
bool kitt_netaddr_is_any(const struct kitt_netaddr *a);

#endif /* KITT_NETADDR_H */
