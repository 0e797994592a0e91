// SPDX-License-Identifier: GPL-2.0
/* The configurable text keys and their validation (drivers/keys.c). */
#include <string.h>

#include "kitt/keys.h"
#include "unit.h"

static int valid(enum kitt_key_id id, const char *v)
{
	return kitt_key_validate(id, v, strlen(v)) == 0;
}

int main(void)
{
	struct kitt_key_values kv;
	char big[KITT_KEY_VALUE_MAX + 2];
	u32 n;
	int i;

	/* Defaults are those of iscsi_target_mod, and valid themselves. */
	kitt_key_values_init(&kv);
	CHECK(!strcmp(kv.v[KITT_KEY_AUTH_METHOD], "CHAP"));
	CHECK(!strcmp(kv.v[KITT_KEY_MAX_RECV_DSL], "8192"));
	CHECK(!strcmp(kv.v[KITT_KEY_TARGET_ALIAS], "LIO Target"));
	CHECK(!strcmp(kv.v[KITT_KEY_IF_MARK_INT], "Reject"));
	for (i = 0; i < KITT_KEY_COUNT; i++)
		CHECK(valid(i, kv.v[i]));

	CHECK(kitt_key_lookup("MaxBurstLength", 14) == KITT_KEY_MAX_BURST_LENGTH);
	CHECK(kitt_key_lookup("maxburstlength", 14) < 0);
	CHECK(kitt_key_lookup("MaxBurst", 8) < 0);

	/* numbers: decimal within range only */
	CHECK(valid(KITT_KEY_MAX_RECV_DSL, "512"));
	CHECK(valid(KITT_KEY_MAX_RECV_DSL, "16777215"));
	CHECK(!valid(KITT_KEY_MAX_RECV_DSL, "511"));
	CHECK(!valid(KITT_KEY_MAX_RECV_DSL, "16777216"));
	CHECK(!valid(KITT_KEY_MAX_RECV_DSL, "8192abc"));
	CHECK(!valid(KITT_KEY_MAX_RECV_DSL, ""));
	CHECK(!valid(KITT_KEY_MAX_RECV_DSL, "-1"));
	CHECK(!valid(KITT_KEY_MAX_RECV_DSL, "4294967808"));
	CHECK(valid(KITT_KEY_DEFAULT_TIME2WAIT, "0"));
	CHECK(!valid(KITT_KEY_DEFAULT_TIME2WAIT, "3601"));
	CHECK(valid(KITT_KEY_ERROR_RECOVERY_LEVEL, "2"));
	CHECK(!valid(KITT_KEY_ERROR_RECOVERY_LEVEL, "3"));
	CHECK(!valid(KITT_KEY_MAX_CONNECTIONS, "0"));

	/* booleans: exactly Yes or No */
	CHECK(valid(KITT_KEY_INITIAL_R2T, "Yes") && valid(KITT_KEY_INITIAL_R2T, "No"));
	CHECK(!valid(KITT_KEY_INITIAL_R2T, "yes") && !valid(KITT_KEY_INITIAL_R2T, "1"));
	CHECK(!valid(KITT_KEY_INITIAL_R2T, "Yes,No"));

	/* lists */
	CHECK(valid(KITT_KEY_HEADER_DIGEST, "None"));
	CHECK(valid(KITT_KEY_HEADER_DIGEST, "None,CRC32C"));
	CHECK(!valid(KITT_KEY_HEADER_DIGEST, "CRC32C,"));
	CHECK(!valid(KITT_KEY_HEADER_DIGEST, ",None"));
	CHECK(!valid(KITT_KEY_HEADER_DIGEST, "CRC32C,CRC32C"));
	CHECK(!valid(KITT_KEY_HEADER_DIGEST, "crc32c"));
	CHECK(valid(KITT_KEY_AUTH_METHOD, "CHAP,None"));
	CHECK(valid(KITT_KEY_AUTH_METHOD, "KRB5,SRP,CHAP"));
	CHECK(!valid(KITT_KEY_AUTH_METHOD, "PAP"));

	/* text: printable, no comma, at most 255 bytes */
	CHECK(valid(KITT_KEY_TARGET_ALIAS, "kittlab"));
	CHECK(valid(KITT_KEY_TARGET_ALIAS, ""));
	CHECK(!valid(KITT_KEY_TARGET_ALIAS, "a,b"));
	CHECK(!valid(KITT_KEY_TARGET_ALIAS, "tab\there"));
	memset(big, 'a', sizeof(big));
	CHECK(kitt_key_validate(KITT_KEY_TARGET_ALIAS, big, KITT_KEY_VALUE_MAX) == 0);
	CHECK(kitt_key_validate(KITT_KEY_TARGET_ALIAS, big, KITT_KEY_VALUE_MAX + 1) < 0);

	/* marker intervals */
	CHECK(valid(KITT_KEY_OF_MARK_INT, "Reject"));
	CHECK(valid(KITT_KEY_OF_MARK_INT, "1~65535"));
	CHECK(!valid(KITT_KEY_OF_MARK_INT, "0~10"));
	CHECK(!valid(KITT_KEY_OF_MARK_INT, "10~5"));
	CHECK(!valid(KITT_KEY_OF_MARK_INT, "2048"));

	/* set keeps the old value on error */
	CHECK(kitt_key_set(&kv, KITT_KEY_MAX_BURST_LENGTH, "1048576", 7) == 0);
	CHECK(!strcmp(kv.v[KITT_KEY_MAX_BURST_LENGTH], "1048576"));
	CHECK(kitt_key_set(&kv, KITT_KEY_MAX_BURST_LENGTH, "1x", 2) < 0);
	CHECK(!strcmp(kv.v[KITT_KEY_MAX_BURST_LENGTH], "1048576"));
	/* the length given counts, not a NUL */
	CHECK(kitt_key_set(&kv, KITT_KEY_IMMEDIATE_DATA, "No\n", 2) == 0);
	CHECK(!strcmp(kv.v[KITT_KEY_IMMEDIATE_DATA], "No"));

	CHECK(kitt_parse_u32("4294967295", 10, &n) == 0 && n == 4294967295u);
	CHECK(kitt_parse_u32("4294967296", 10, &n) == -ERANGE);
	CHECK(kitt_parse_u32("12", 1, &n) == 0 && n == 1);

	UNIT_EXIT();
}
