// SPDX-License-Identifier: GPL-2.0
/*
 * The data direction and transfer length of well-known CDBs (SPC-4,
 * SBC-3). Pure code: also built into user-space unit tests.
 */
#include "kitt/cdb.h"

struct kitt_cdb_entry {
	u8 opcode;
	u8 dir;
	u8 len_off;
	u8 len_size;
};

/*
 * Opcodes whose direction does not depend on a field of the CDB. Those
 * that do (VERIFY with BYTCHK, service actions shared by IN and OUT)
 * stay unknown and keep the direction the initiator gave.
 */
static const struct kitt_cdb_entry kitt_cdb_table[] = {
	{ 0x00, KITT_CDB_DIR_NONE, 0, 0 },	/* TEST UNIT READY */
	{ 0x03, KITT_CDB_DIR_IN, 0, 0 },	/* REQUEST SENSE */
	{ 0x08, KITT_CDB_DIR_IN, 4, 1 },	/* READ(6) */
	{ 0x0a, KITT_CDB_DIR_OUT, 4, 1 },	/* WRITE(6) */
	{ 0x12, KITT_CDB_DIR_IN, 0, 0 },	/* INQUIRY */
	{ 0x15, KITT_CDB_DIR_OUT, 0, 0 },	/* MODE SELECT(6) */
	{ 0x1a, KITT_CDB_DIR_IN, 0, 0 },	/* MODE SENSE(6) */
	{ 0x25, KITT_CDB_DIR_IN, 0, 0 },	/* READ CAPACITY(10) */
	{ 0x28, KITT_CDB_DIR_IN, 7, 2 },	/* READ(10) */
	{ 0x2a, KITT_CDB_DIR_OUT, 7, 2 },	/* WRITE(10) */
	{ 0x2e, KITT_CDB_DIR_OUT, 7, 2 },	/* WRITE AND VERIFY(10) */
	{ 0x35, KITT_CDB_DIR_NONE, 0, 0 },	/* SYNCHRONIZE CACHE(10) */
	{ 0x41, KITT_CDB_DIR_OUT, 0, 0 },	/* WRITE SAME(10) */
	{ 0x42, KITT_CDB_DIR_OUT, 0, 0 },	/* UNMAP */
	{ 0x55, KITT_CDB_DIR_OUT, 0, 0 },	/* MODE SELECT(10) */
	{ 0x5a, KITT_CDB_DIR_IN, 0, 0 },	/* MODE SENSE(10) */
	{ 0x5e, KITT_CDB_DIR_IN, 0, 0 },	/* PERSISTENT RESERVE IN */
	{ 0x5f, KITT_CDB_DIR_OUT, 0, 0 },	/* PERSISTENT RESERVE OUT */
	{ 0x88, KITT_CDB_DIR_IN, 10, 4 },	/* READ(16) */
	{ 0x89, KITT_CDB_DIR_OUT, 0, 0 },	/* COMPARE AND WRITE */
	{ 0x8a, KITT_CDB_DIR_OUT, 10, 4 },	/* WRITE(16) */
	{ 0x8e, KITT_CDB_DIR_OUT, 10, 4 },	/* WRITE AND VERIFY(16) */
	{ 0x91, KITT_CDB_DIR_NONE, 0, 0 },	/* SYNCHRONIZE CACHE(16) */
	{ 0x93, KITT_CDB_DIR_OUT, 0, 0 },	/* WRITE SAME(16) */
	{ 0xa0, KITT_CDB_DIR_IN, 0, 0 },	/* REPORT LUNS */
	{ 0xa8, KITT_CDB_DIR_IN, 6, 4 },	/* READ(12) */
	{ 0xaa, KITT_CDB_DIR_OUT, 6, 4 },	/* WRITE(12) */
	{ 0xae, KITT_CDB_DIR_OUT, 6, 4 },	/* WRITE AND VERIFY(12) */
};

void kitt_cdb_info(const u8 *cdb, struct kitt_cdb_info *info)
{
	size_t i;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < ARRAY_SIZE(kitt_cdb_table); i++) {
		const struct kitt_cdb_entry *e = &kitt_cdb_table[i];

		if (e->opcode == cdb[0]) {
			info->dir = e->dir;
			info->len_off = e->len_off;
			info->len_size = e->len_size;
			return;
		}
	}
}

u32 kitt_cdb_blocks(const u8 *cdb, const struct kitt_cdb_info *info)
{
	u32 v = 0;
	u8 i;

	for (i = 0; i < info->len_size; i++)
		v = v << 8 | cdb[info->len_off + i];
	if (info->len_size == 1 && v == 0)
		return 256;
	return v;
}

int kitt_cdb_set_blocks(u8 *cdb, const struct kitt_cdb_info *info, u32 blocks)
{
	u8 i;

	if (!info->len_size)
		return -EINVAL;
	if (info->len_size == 1) {
		/* 0 would mean 256 blocks; 256 is written as 0. */
		if (blocks == 0 || blocks > 256)
			return -EINVAL;
		cdb[info->len_off] = blocks & 0xff;
		return 0;
	}
	if (info->len_size == 2 && blocks > 0xffff)
		return -EINVAL;
	for (i = info->len_size; i > 0; i--) {
		cdb[info->len_off + i - 1] = blocks & 0xff;
		blocks >>= 8;
	}
	return 0;
}
