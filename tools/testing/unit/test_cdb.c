// SPDX-License-Identifier: GPL-2.0
/* CDB direction and transfer length (drivers/cdb.c). */
#include <string.h>

#include "kitt/cdb.h"
#include "unit.h"

int main(void)
{
	struct kitt_cdb_info ci;
	u8 cdb[16];

	/* READ(10) of 0x0102 blocks */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x28;
	cdb[7] = 1;
	cdb[8] = 2;
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_IN);
	CHECK(kitt_cdb_blocks(cdb, &ci) == 0x102);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 0) == 0);
	CHECK(cdb[7] == 0 && cdb[8] == 0 && kitt_cdb_blocks(cdb, &ci) == 0);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 0x10000) == -EINVAL);

	/* WRITE(6): 0 means 256 and cannot be written as "no blocks" */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x0a;
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_OUT);
	CHECK(kitt_cdb_blocks(cdb, &ci) == 256);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 0) == -EINVAL);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 257) == -EINVAL);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 256) == 0 && cdb[4] == 0);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 3) == 0 && kitt_cdb_blocks(cdb, &ci) == 3);

	/* WRITE(16) and WRITE AND VERIFY(12): 32-bit lengths, big endian */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = 0x8a;
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_OUT && ci.len_off == 10 && ci.len_size == 4);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 0x01020304) == 0);
	CHECK(cdb[10] == 1 && cdb[11] == 2 && cdb[12] == 3 && cdb[13] == 4);
	CHECK(cdb[9] == 0 && cdb[14] == 0);
	cdb[0] = 0xae;
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_OUT && ci.len_off == 6);

	/* no transfer length field: cannot be cut */
	cdb[0] = 0x89;	/* COMPARE AND WRITE */
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_OUT && ci.len_size == 0);
	CHECK(kitt_cdb_set_blocks(cdb, &ci, 1) == -EINVAL);
	cdb[0] = 0x00;
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_NONE);
	cdb[0] = 0x2f;	/* VERIFY(10): depends on BYTCHK */
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_UNKNOWN);
	cdb[0] = 0x12;
	kitt_cdb_info(cdb, &ci);
	CHECK(ci.dir == KITT_CDB_DIR_IN && ci.len_size == 0);

	UNIT_EXIT();
}
