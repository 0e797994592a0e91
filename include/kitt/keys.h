/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI text keys (RFC 7143 §13) that a TPG configures through configfs
 * param/: their types, legal values and defaults, and validation of values
 * written there. Pure code (drivers/keys.c), shared with user-space tests;
 * the login negotiation builds on the same table.
 */
#ifndef KITT_KEYS_H
#define KITT_KEYS_H

#include "kitt/pure.h"

/* RFC 7143 §6.1: a text value is at most 255 bytes (8192 for some keys). */
#define KITT_KEY_VALUE_MAX	255

enum kitt_key_type {
	KITT_KEY_NUMBER,	/* decimal in [min, max] */
	KITT_KEY_BOOL,		/* "Yes" or "No" */
	KITT_KEY_LIST,		/* comma list of names from choices */
	KITT_KEY_TEXT,		/* free text of printable characters */
	KITT_KEY_MARKINT,	/* "Reject" or a range "lo~hi" (markers) */
};

/* The keys configfs shows under tpgt_N/param, in configfs order. */
enum kitt_key_id {
	KITT_KEY_AUTH_METHOD,
	KITT_KEY_HEADER_DIGEST,
	KITT_KEY_DATA_DIGEST,
	KITT_KEY_MAX_CONNECTIONS,
	KITT_KEY_TARGET_ALIAS,
	KITT_KEY_INITIAL_R2T,
	KITT_KEY_IMMEDIATE_DATA,
	KITT_KEY_MAX_RECV_DSL,
	KITT_KEY_MAX_XMIT_DSL,
	KITT_KEY_MAX_BURST_LENGTH,
	KITT_KEY_FIRST_BURST_LENGTH,
	KITT_KEY_DEFAULT_TIME2WAIT,
	KITT_KEY_DEFAULT_TIME2RETAIN,
	KITT_KEY_MAX_OUTSTANDING_R2T,
	KITT_KEY_DATA_PDU_IN_ORDER,
	KITT_KEY_DATA_SEQUENCE_IN_ORDER,
	KITT_KEY_ERROR_RECOVERY_LEVEL,
	KITT_KEY_IF_MARKER,
	KITT_KEY_OF_MARKER,
	KITT_KEY_IF_MARK_INT,
	KITT_KEY_OF_MARK_INT,
	KITT_KEY_COUNT
};

struct kitt_key_def {
	const char *name;
	enum kitt_key_type type;
	u32 min, max;			/* KITT_KEY_NUMBER, KITT_KEY_MARKINT */
	const char *const *choices;	/* KITT_KEY_LIST, NULL-terminated */
	const char *dflt;		/* value a new TPG starts with */
};

/* One TPG's configured values, each a NUL-terminated string. */
struct kitt_key_values {
	char v[KITT_KEY_COUNT][KITT_KEY_VALUE_MAX + 1];
};

const struct kitt_key_def *kitt_key_def(enum kitt_key_id id);

/* Find a key by its exact (case-sensitive) name; -1 if unknown. */
int kitt_key_lookup(const char *name, size_t len);

void kitt_key_values_init(struct kitt_key_values *kv);

/*
 * Check @len bytes at @val (no NUL needed, no trailing newline) as a value
 * for @id. Returns 0 or -EINVAL.
 */
int kitt_key_validate(enum kitt_key_id id, const char *val, size_t len);

/* Validate and store; on error the old value stays. */
int kitt_key_set(struct kitt_key_values *kv, enum kitt_key_id id,
		 const char *val, size_t len);

/* Parse a decimal u32 of exactly @len bytes; -EINVAL or -ERANGE. */
int kitt_parse_u32(const char *s, size_t len, u32 *out);

#endif /* KITT_KEYS_H */
