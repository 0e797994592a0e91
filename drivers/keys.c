// SPDX-License-Identifier: GPL-2.0
/*
 * The iSCSI text keys a TPG configures, and validation of their values.
 * Pure code: no kernel calls, so it is unit-tested in user space.
 */
#include "kitt/keys.h"

static const char *const kitt_auth_methods[] = {
	"CHAP", "None", "KRB5", "SPKM1", "SPKM2", "SRP", NULL
};

static const char *const kitt_digests[] = { "CRC32C", "None", NULL };

#define NUM(n, lo, hi, d) { .name = n, .type = KITT_KEY_NUMBER, \
			    .min = lo, .max = hi, .dflt = d }
#define BOOL(n, d)	  { .name = n, .type = KITT_KEY_BOOL, .dflt = d }
#define MARKINT(n)	  { .name = n, .type = KITT_KEY_MARKINT, \
			    .min = 1, .max = 65535, .dflt = "Reject" }

/* Ranges are RFC 7143 §13 (and RFC 3720 §A.3.2 for the marker keys). */
static const struct kitt_key_def kitt_keys[KITT_KEY_COUNT] = {
	[KITT_KEY_AUTH_METHOD] = { .name = "AuthMethod", .type = KITT_KEY_LIST,
				   .choices = kitt_auth_methods,
				   /* authentication=1 is the default */
				   .dflt = "CHAP" },
	[KITT_KEY_HEADER_DIGEST] = { .name = "HeaderDigest",
				     .type = KITT_KEY_LIST,
				     .choices = kitt_digests,
				     .dflt = "CRC32C,None" },
	[KITT_KEY_DATA_DIGEST] = { .name = "DataDigest", .type = KITT_KEY_LIST,
				   .choices = kitt_digests,
				   .dflt = "CRC32C,None" },
	[KITT_KEY_MAX_CONNECTIONS] = NUM("MaxConnections", 1, 65535, "1"),
	[KITT_KEY_TARGET_ALIAS] = { .name = "TargetAlias", .type = KITT_KEY_TEXT,
				    .dflt = "LIO Target" },
	[KITT_KEY_INITIAL_R2T] = BOOL("InitialR2T", "Yes"),
	[KITT_KEY_IMMEDIATE_DATA] = BOOL("ImmediateData", "Yes"),
	[KITT_KEY_MAX_RECV_DSL] = NUM("MaxRecvDataSegmentLength", 512,
				      16777215, "8192"),
	[KITT_KEY_MAX_XMIT_DSL] = NUM("MaxXmitDataSegmentLength", 512,
				      16777215, "262144"),
	[KITT_KEY_MAX_BURST_LENGTH] = NUM("MaxBurstLength", 512, 16777215,
					  "262144"),
	[KITT_KEY_FIRST_BURST_LENGTH] = NUM("FirstBurstLength", 512, 16777215,
					    "65536"),
	[KITT_KEY_DEFAULT_TIME2WAIT] = NUM("DefaultTime2Wait", 0, 3600, "2"),
	[KITT_KEY_DEFAULT_TIME2RETAIN] = NUM("DefaultTime2Retain", 0, 3600, "20"),
	[KITT_KEY_MAX_OUTSTANDING_R2T] = NUM("MaxOutstandingR2T", 1, 65535, "1"),
	[KITT_KEY_DATA_PDU_IN_ORDER] = BOOL("DataPDUInOrder", "Yes"),
	[KITT_KEY_DATA_SEQUENCE_IN_ORDER] = BOOL("DataSequenceInOrder", "Yes"),
	[KITT_KEY_ERROR_RECOVERY_LEVEL] = NUM("ErrorRecoveryLevel", 0, 2, "0"),
	[KITT_KEY_IF_MARKER] = BOOL("IFMarker", "No"),
	[KITT_KEY_OF_MARKER] = BOOL("OFMarker", "No"),
	[KITT_KEY_IF_MARK_INT] = MARKINT("IFMarkInt"),
	[KITT_KEY_OF_MARK_INT] = MARKINT("OFMarkInt"),
};

const struct kitt_key_def *kitt_key_def(enum kitt_key_id id)
{
	if ((unsigned int)id >= KITT_KEY_COUNT)
		return NULL;
	return &kitt_keys[id];
}

int kitt_key_lookup(const char *name, size_t len)
{
	int i;

	for (i = 0; i < KITT_KEY_COUNT; i++)
		if (strlen(kitt_keys[i].name) == len &&
		    !memcmp(kitt_keys[i].name, name, len))
			return i;
	return -1;
}

void kitt_key_values_init(struct kitt_key_values *kv)
{
	int i;

	for (i = 0; i < KITT_KEY_COUNT; i++)
		memcpy(kv->v[i], kitt_keys[i].dflt, strlen(kitt_keys[i].dflt) + 1);
}

int kitt_parse_u32(const char *s, size_t len, u32 *out)
{
	u64 v = 0;
	size_t i;

	if (len == 0)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (u64)(s[i] - '0');
		if (v > 0xffffffffULL)
			return -ERANGE;
	}
	*out = (u32)v;
	return 0;
}

static bool is_word(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static int validate_number(const struct kitt_key_def *d, const char *s,
			   size_t len)
{
	u32 v;

	if (kitt_parse_u32(s, len, &v) || v < d->min || v > d->max)
		return -EINVAL;
	return 0;
}

/* Every comma-separated item is a known choice, none empty or repeated. */
static int validate_list(const struct kitt_key_def *d, const char *s,
			 size_t len)
{
	u32 seen = 0;
	size_t start = 0, i;
	int c;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		for (c = 0; d->choices[c]; c++)
			if (is_word(s + start, i - start, d->choices[c]))
				break;
		if (!d->choices[c] || (seen & (1u << c)))
			return -EINVAL;
		seen |= 1u << c;
		start = i + 1;
	}
	return 0;
}

/*
 * Printable ASCII without ',' (iscsi_target_mod refuses a comma outside
 * list keys, and a configuration must move between the two).
 */
static int validate_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e ||
		    s[i] == ',')
			return -EINVAL;
	return 0;
}

/* "Reject", or "lo~hi" with min <= lo <= hi <= max. */
static int validate_markint(const struct kitt_key_def *d, const char *s,
			    size_t len)
{
	const char *tilde;
	u32 lo, hi;

	if (is_word(s, len, "Reject"))
		return 0;
	tilde = memchr(s, '~', len);
	if (!tilde)
		return -EINVAL;
	if (kitt_parse_u32(s, (size_t)(tilde - s), &lo) ||
	    kitt_parse_u32(tilde + 1, len - (size_t)(tilde - s) - 1, &hi))
		return -EINVAL;
	if (lo < d->min || hi > d->max || lo > hi)
		return -EINVAL;
	return 0;
}

int kitt_key_validate(enum kitt_key_id id, const char *val, size_t len)
{
	const struct kitt_key_def *d = kitt_key_def(id);

	if (!d || len > KITT_KEY_VALUE_MAX)
		return -EINVAL;
	switch (d->type) {
	case KITT_KEY_NUMBER:
		return validate_number(d, val, len);
	case KITT_KEY_BOOL:
		return is_word(val, len, "Yes") || is_word(val, len, "No") ?
		       0 : -EINVAL;
	case KITT_KEY_LIST:
		return validate_list(d, val, len);
	case KITT_KEY_TEXT:
		return validate_text(val, len);
	case KITT_KEY_MARKINT:
		return validate_markint(d, val, len);
	}
	return -EINVAL;
}

int kitt_key_set(struct kitt_key_values *kv, enum kitt_key_id id,
		 const char *val, size_t len)
{
	int ret = kitt_key_validate(id, val, len);

	if (ret)
		return ret;
	memcpy(kv->v[id], val, len);
	kv->v[id][len] = '\0';
	return 0;
}
