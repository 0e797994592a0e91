/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a CDB says about its own data transfer, for the opcodes whose
 * direction is fixed by SPC/SBC. The iSCSI layer uses it to keep the
 * initiator's R/W bits honest (a READ flagged as a write must never
 * write) and to cut a WRITE down to the data the initiator actually
 * sends (residual overflow, RFC 7143 §11.4.5.1). Pure code
 * (drivers/cdb.c), shared with user-space unit tests.
 */
#ifndef KITT_CDB_H
#define KITT_CDB_H

#include "kitt/pure.h"

enum kitt_cdb_dir {
	KITT_CDB_DIR_UNKNOWN,	/* not in kitt's table: trust the R/W bits */
	KITT_CDB_DIR_NONE,	/* moves no data */
	KITT_CDB_DIR_IN,	/* data to the initiator */
	KITT_CDB_DIR_OUT,	/* data from the initiator */
};

struct kitt_cdb_info {
	enum kitt_cdb_dir dir;
	/*
	 * Block-addressed transfers (READ/WRITE/WRITE AND VERIFY): where
	 * the TRANSFER LENGTH field is; len_size 0 for other opcodes.
	 */
	u8 len_off;
	u8 len_size;
};

void kitt_cdb_info(const u8 *cdb, struct kitt_cdb_info *info);
/* The TRANSFER LENGTH in blocks (READ(6)/WRITE(6): 0 means 256). */
u32 kitt_cdb_blocks(const u8 *cdb, const struct kitt_cdb_info *info);
/* Set it; -EINVAL if @blocks does not fit (or is 0 for a 6-byte CDB). */
int kitt_cdb_set_blocks(u8 *cdb, const struct kitt_cdb_info *info, u32 blocks);

#endif /* KITT_CDB_H */
