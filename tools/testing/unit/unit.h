/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal test harness: CHECK() records a failure and goes on. */
#ifndef KITT_UNIT_H
#define KITT_UNIT_H

#include <stdio.h>

static int unit_failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
		unit_failures++;					\
	}								\
} while (0)

#define UNIT_EXIT() do {						\
	if (unit_failures)						\
		fprintf(stderr, "%d check(s) failed\n", unit_failures);\
	return unit_failures ? 1 : 0;					\
} while (0)

#endif
