// SPDX-License-Identifier: GPL-2.0
/* Portal name parsing and formatting (drivers/netaddr.c). */
#include <string.h>

#include "kitt/netaddr.h"
#include "unit.h"

static int parse(const char *s, struct kitt_netaddr *a)
{
	return kitt_netaddr_parse(s, strlen(s), a);
}

/* Parse @in, format it, and compare with @want. */
static void roundtrip(const char *in, const char *want)
{
	struct kitt_netaddr a;
	char buf[KITT_NETADDR_STR_MAX + 1];
	int n;

	if (parse(in, &a)) {
		fprintf(stderr, "parse(\"%s\") failed\n", in);
		unit_failures++;
		return;
	}
	n = kitt_netaddr_format(&a, buf, sizeof(buf));
	if (n != (int)strlen(want) || strcmp(buf, want)) {
		fprintf(stderr, "format(\"%s\") = \"%s\", want \"%s\"\n", in, buf, want);
		unit_failures++;
	}
}

static void rejects(const char *in)
{
	struct kitt_netaddr a;

	if (!parse(in, &a)) {
		fprintf(stderr, "parse(\"%s\") accepted, want -EINVAL\n", in);
		unit_failures++;
	}
}

int main(void)
{
	struct kitt_netaddr a, b;
	char small[8];

	roundtrip("127.0.0.1:3260", "127.0.0.1:3260");
	roundtrip("0.0.0.0:3260", "0.0.0.0:3260");
	roundtrip("255.255.255.255:65535", "255.255.255.255:65535");
	roundtrip("[::1]:3261", "[::1]:3261");
	roundtrip("[::]:3260", "[::]:3260");
	roundtrip("[::0]:3260", "[::]:3260");
	roundtrip("[fe80::1:2]:1", "[fe80::1:2]:1");
	roundtrip("[2001:DB8:0:0:1:0:0:1]:3260", "[2001:db8::1:0:0:1]:3260");
	roundtrip("[1:2:3:4:5:6:7:8]:3260", "[1:2:3:4:5:6:7:8]:3260");
	roundtrip("[1:0:0:4:0:0:0:8]:3260", "[1:0:0:4::8]:3260");
	roundtrip("[::ffff:192.0.2.1]:3260", "[::ffff:c000:201]:3260");
	roundtrip("[1::]:3260", "[1::]:3260");
	roundtrip("[0:1:0:0:0:0:0:0]:3260", "[0:1::]:3260");
	roundtrip("[1:0:2:3:4:5:6:7]:3260", "[1:0:2:3:4:5:6:7]:3260");

	rejects("");
	rejects("127.0.0.1");
	rejects("127.0.0.1:");
	rejects("127.0.0.1:0");
	rejects("127.0.0.1:65536");
	rejects("127.0.0.1:32a");
	rejects("127.0.0.1:-1");
	rejects("127.0.0.256:3260");
	rejects("127.0.0:3260");
	rejects("127.0.0.1.1:3260");
	rejects("127..0.1:3260");
	rejects("127.0.0.01:3260");
	rejects("::1:3260");
	rejects("[::1:3260");
	rejects("[::1]3260");
	rejects("[:::1]:3260");
	rejects("[1::2::3]:3260");
	rejects("[1:2:3:4:5:6:7:8:9]:3260");
	rejects("[1:2:3:4:5:6:7]:3260");
	rejects("[12345::]:3260");
	rejects("[1:]:3260");
	rejects("[:1]:3260");
	rejects("[g::]:3260");
	rejects("[]:3260");
	rejects("host.example:3260");
	rejects("[1:2:3:4:5:6:7:1.2.3.4]:3260");

	CHECK(!parse("[::1]:3260", &a) && a.family == KITT_AF_INET6 && a.port == 3260);
	CHECK(a.addr[15] == 1 && a.addr[0] == 0);
	CHECK(!parse("10.1.2.3:860", &a) && a.family == KITT_AF_INET4);
	CHECK(a.addr[0] == 10 && a.addr[3] == 3 && a.port == 860);

	CHECK(!parse("[::0]:3260", &a) && !parse("[0::]:3260", &b));
	CHECK(kitt_netaddr_equal(&a, &b) && kitt_netaddr_is_any(&a));
	CHECK(!parse("[::0]:3261", &b) && !kitt_netaddr_equal(&a, &b));
	CHECK(!parse("0.0.0.0:3260", &b) && !kitt_netaddr_equal(&a, &b));
	CHECK(kitt_netaddr_is_any(&b));
	CHECK(!parse("127.0.0.1:3260", &b) && !kitt_netaddr_is_any(&b));

	/* Formatting never overruns a short buffer. */
	CHECK(!parse("[1:2:3:4:5:6:7:8]:3260", &a));
	CHECK(kitt_netaddr_format(&a, small, sizeof(small)) < 0);
	CHECK(strlen(small) < sizeof(small));

	UNIT_EXIT();
}
