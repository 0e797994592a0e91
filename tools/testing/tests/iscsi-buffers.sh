# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Data buffers reused across commands (drivers/buf.c) never carry a byte
# the backend or the initiator did not write for the command at hand.
# A session first fills its buffers with a marker (writes and reads of
# several sizes), then:
#  - reads a LUN that returns nothing (null_blk without memory_backed, with
#    512-byte and 4 KiB blocks), a LUN that returns every other sector
#    (device-mapper over a null_blk with memory and one without: the
#    others must come back as zeros, the written ones exactly, also one
#    that begins with 16 zero bytes), the same
#    with 4 KiB logical blocks over those 512-byte sectors, a LUN
#    whose reads fail (device-mapper's error target), a file LUN read past
#    the end of its file (the core fills with zeros), a read aborted
#    while the LUN holds it, and a read whose CDB asks for less than its
#    Expected Data Transfer Length: no marker ever comes back, no data
#    with a failed or aborted read, and only what the CDB asked for;
#  - writes of every size through reused buffers (whole, with immediate
#    data, after a write whose data phase failed half way) read back
#    exactly;
#  - a second session, with digests, reads the empty and half LUNs: zeros
#    where nothing was written, and digests that match.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:buffers
NB=/sys/kernel/config/nullb
FILE=/tmp/kitt-short.img

# Whatever happens, leave no device behind: later tests load null_blk
# with their own parameters.
cleanup() {
	kitt_clear_config
	for d in kitt-half kitt-half4; do
		DM_DISABLE_UDEV=1 dmsetup remove $d 2>/dev/null || true
	done
	for d in empty slow hfull hempty e4k; do
		[ -d $NB/kittnb-$d ] || continue
		echo 0 > $NB/kittnb-$d/power
		rmdir $NB/kittnb-$d
	done
	rmmod null_blk 2>/dev/null || true
	DM_DISABLE_UDEV=1 dmsetup remove kitt-bad 2>/dev/null || true
	rm -f $FILE
}
trap cleanup EXIT

kitt_load
demo_target "$IQN"
targetcli "/iscsi/$IQN/tpg1" set parameter InitialR2T=No >/dev/null
modprobe null_blk nr_devices=0
modprobe dm_mod
[ -d $NB ] || die "no null_blk configfs"
# nullb_dev NAME ATTR=VALUE...: /dev/NAME, a null_blk device of 64 MiB.
nullb_dev() {
	local d=$NB/$1 kv

	mkdir "$d"
	echo 64 > "$d/size"
	shift
	for kv in "$@"; do
		echo "${kv#*=}" > "$d/${kv%%=*}"
	done
	echo 1 > "$d/power"
}
# empty: returns nothing (not memory_backed); slow: 3 s per I/O; bad:
# every read fails (device-mapper's error target).
nullb_dev kittnb-empty
nullb_dev kittnb-slow irqmode=2 completion_nsec=3000000000
nullb_dev kittnb-hfull memory_backed=1
nullb_dev kittnb-hempty
nullb_dev kittnb-e4k blocksize=4096
# half and half4: their first 128 KiB alternate, sector by sector,
# between hfull (returns what was written) and hempty (returns nothing).
for h in kitt-half kitt-half4; do
	for s in $(seq 0 255); do
		if [ $((s % 2)) = 0 ]; then d=hfull; else d=hempty; fi
		echo "$s 1 linear /dev/kittnb-$d $s"
	done | DM_DISABLE_UDEV=1 dmsetup create $h ||
		die "no device-mapper linear device"
done
DM_DISABLE_UDEV=1 dmsetup create kitt-bad --table "0 131072 error" ||
	die "no device-mapper error device"
for b in empty slow e4k; do
	[ -b /dev/kittnb-$b ] || die "no null_blk device $b"
	targetcli /backstores/block create name=$b dev=/dev/kittnb-$b >/dev/null
done
[ -b /dev/mapper/kitt-bad ] || die "no /dev/mapper/kitt-bad"
targetcli /backstores/block create name=bad dev=/dev/mapper/kitt-bad >/dev/null
for h in half half4; do
	[ -b /dev/mapper/kitt-$h ] || die "no /dev/mapper/kitt-$h"
	targetcli /backstores/block create name=$h dev=/dev/mapper/kitt-$h >/dev/null
done
# 4 KiB logical blocks over 512-byte sectors: the backend may write part
# of a block.
targetcli /backstores/block/half4 set attribute block_size=4096 >/dev/null
rm -f $FILE
targetcli /backstores/fileio create name=short file_or_dev=$FILE size=4M >/dev/null
truncate -s 1M $FILE
for b in empty bad short slow half e4k half4; do
	case $b in short) t=fileio ;; *) t=block ;; esac
	targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/$t/$b >/dev/null
done

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import struct, sys, time
from iscsi_peer import *

iqn = sys.argv[1]
RD, EMPTY, BAD, SHORT, SLOW, HALF, E4K, HALF4 = range(8)
MARK = b'KITT-STALE-BYTES'

def marked(n):
    return (MARK * (n // len(MARK) + 1))[:n]

def session(isid, digests=False):
    p = Peer('127.0.0.1')
    p.isid = bytes([0x80, 0, 0, 0x42, 0, isid])
    keys = [('InitialR2T', 'No'), ('ImmediateData', 'Yes')]
    if digests:
        keys += [('HeaderDigest', 'CRC32C'), ('DataDigest', 'CRC32C')]
    p.login('iqn.2003-01.org.example.lab:buf-%d' % isid, iqn, keys)
    check(p.ddigest == digests, 'session %d: data digests %s' % (isid, digests))
    # TEST UNIT READY until each LUN has reported its unit attentions.
    for lun in range(8):
        for _ in range(5):
            if p.scsi_read(lun, bytes(6), 0)[-1].bhs[3] == 0:
                break
    return p

def status(pdus):
    """The SCSI status of a read or write: its last PDU's."""
    return pdus[-1].bhs[3]

def write(p, lun, lba, data, immediate=0):
    """The write's status, with its sense if it failed."""
    pdus = p.scsi_write(lun, rw10(0x2a, lba, len(data) // 512), data, immediate)
    return status(pdus) and scsi_status(pdus)

def read(p, lun, lba, blocks, edtl=None, bs=512):
    pdus = p.scsi_read(lun, rw10(0x28, lba, blocks), edtl or blocks * bs)
    data = b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)
    return pdus, data

def fill_reads(p):
    """Read the marker back at every size kept: reused buffers hold it."""
    for kib in (4, 8, 64, 128, 256) * 2:
        pdus, data = read(p, RD, 0, kib * 2)
        check(status(pdus) == 0 and data == marked(kib * 1024),
              'read of %d KiB of the marker: GOOD, the marker' % kib)

def half_expected(data):
    """What the half LUN returns after @data was written to it: every
    other sector, zeros between."""
    return b''.join(data[i:i + 512] if i % 1024 == 0 else bytes(512)
                    for i in range(0, len(data), 512))

p = session(1)
# Fill the session's buffers with the marker, at every size kept.
for kib in (4, 8, 64, 128, 256):
    got = [write(p, RD, 2048 * i, marked(kib * 1024),
                 immediate=min(kib, 8) * 1024 if i % 2 else 0) for i in range(4)]
    got.append(write(p, EMPTY, 0, marked(kib * 1024)))
    check(got == [0] * 5, 'writes of %d KiB with the marker: GOOD (%s)' % (kib, got))

fill_reads(p)

# A LUN that returns nothing: zeros, never what a kept buffer held.
for kib in (4, 64, 256, 4, 128, 8):
    pdus, data = read(p, EMPTY, 0, kib * 2)
    check(status(pdus) == 0 and len(data) == kib * 1024,
          'read of %d KiB from the empty LUN: GOOD, %d bytes' % (kib, len(data)))
    check(data == bytes(kib * 1024), 'and zeros, no stale byte')
for kib in (4, 64, 256, 8):
    pdus, data = read(p, E4K, 0, kib // 4, bs=4096)
    check(status(pdus) == 0 and data == bytes(kib * 1024),
          'read of %d KiB from the empty LUN of 4 KiB blocks: zeros' % kib)

# A LUN that returns some blocks and not others: the written ones exactly,
# the others zeros.
half_known = bytes((i * 13 + i // 512) & 0xff for i in range(131072))
# A written sector that begins with 16 zero bytes is data, not a gap.
half_known = half_known[:2048] + bytes(16) + half_known[2064:]
check(write(p, HALF, 0, half_known) == 0, 'a known 128 KiB written to the half LUN')
fill_reads(p)
for lba, kib in ((0, 4), (0, 128), (8, 64), (4, 8), (0, 128), (16, 4)):
    pdus, data = read(p, HALF, lba, kib * 2)
    want = half_expected(half_known)[lba * 512:lba * 512 + kib * 1024]
    check(status(pdus) == 0 and data == want,
          'read of %d KiB at block %d of the half LUN: its blocks exactly, zeros between' % (kib, lba))
# The same sectors as 4 KiB blocks: the backend writes every other sector
# of each block.
fill_reads(p)
for lba, kib in ((0, 4), (0, 128), (2, 8), (0, 64)):
    pdus, data = read(p, HALF4, lba, kib // 4, bs=4096)
    want = half_expected(half_known)[lba * 4096:lba * 4096 + kib * 1024]
    check(status(pdus) == 0 and data == want,
          'read of %d KiB at 4 KiB block %d of the half LUN: what was written, zeros between' % (kib, lba))

# Residuals from the empty LUN: zeros, as much as the CDB or the
# initiator allows.
pdus, data = read(p, EMPTY, 0, 8, edtl=8192)
check(status(pdus) == 0 and data == bytes(4096),
      'READ of 4 KiB with EDTL 8 KiB from the empty LUN: 4 KiB of zeros')
pdus, data = read(p, EMPTY, 0, 16, edtl=4096)
check(status(pdus) == 0 and data == bytes(4096),
      'READ of 8 KiB with EDTL 4 KiB from the empty LUN: 4 KiB of zeros')

# Reads that fail: CHECK CONDITION and no data at all.
pdus, data = read(p, BAD, 0, 128)
check(status(pdus) == 2 and not data,
      'read of bad blocks: CHECK CONDITION (%d), %d data bytes' % (status(pdus), len(data)))

# Past the end of a file LUN's file: zeros (the core fills the rest).
pdus, data = read(p, SHORT, 4096, 128)
check(status(pdus) == 0 and data == bytes(65536), 'read past the end of the file: zeros')

# The CDB asks for less than the Expected Data Transfer Length: only
# what the CDB asked for, the rest a residual.
known = bytes(range(256)) * 16
check(write(p, RD, 8000, known) == 0, 'a known 4 KiB written')
pdus, data = read(p, RD, 8000, 8, edtl=8192)
check(data == known,
      'READ of 4 KiB with EDTL 8 KiB: the 4 KiB written, nothing more (%d bytes)' % len(data))
check(pdus[-1].flags & 0x02 and pdus[-1].u32(44) == 4096, 'residual underflow of 4096')

# A read aborted while the LUN holds it: no data for it, ever.
itt, sn = p.scsi_read_cmd(SLOW, rw10(0x28, 0, 128), 65536)
time.sleep(0.5)
p.tmf(1, lun=SLOW, ref_itt=itt, ref_cmd_sn=sn)
seen = p.recv_quiet(5.0)
check(any(x.opcode == OP_TMF_RSP and x.bhs[2] == 0 for x in seen),
      'ABORT TASK of a read the LUN holds: function complete')
check(not any(x.opcode == OP_DATA_IN and x.u32(16) == itt for x in seen),
      'no Data-In for the aborted read')
pdus, data = read(p, EMPTY, 0, 128)
check(status(pdus) == 0 and data == bytes(65536), 'then a read of the empty LUN: zeros')

# Writes through reused buffers: every size, immediate or not, read back.
for kib, imm in ((4, 4), (12, 0), (64, 8), (200, 8), (256, 0), (36, 8), (4, 0)):
    data = bytes((i * 7 + kib) & 0xff for i in range(kib * 1024))
    check(write(p, RD, 4096, data, immediate=imm * 1024) == 0, 'write of %d KiB: GOOD' % kib)
    check(read(p, RD, 4096, kib * 2)[1] == data, 'reads back exactly')
# A write whose data phase fails half way (wrong DataSN) writes nothing;
# the next write, in the same buffer, writes only its own data.
itt = p.scsi_write_cmd(RD, rw10(0x2a, 4096, 32), 16384, final=False)
p.data_out(RD, itt, 0xffffffff, 0, marked(8192), data_sn=0, final=False)
p.data_out(RD, itt, 0xffffffff, 8192, marked(8192), data_sn=5, final=True)
rsp = p.recv()
check(rsp.opcode == OP_SCSI_RSP and rsp.bhs[3] == 2, 'a write with a bad DataSN fails')
check(MARK not in read(p, RD, 4096, 32)[1], 'and wrote nothing')
data = bytes(range(256)) * 64
check(write(p, RD, 4096, data) == 0 and read(p, RD, 4096, 32)[1] == data,
      'the next 16 KiB write writes exactly its data')

# Another initiator's session, after this one, with digests: nothing of
# this one's, and the digests of the zero page and of scrubbed pages.
fill_reads(p)
p.logout()
q = session(2, digests=True)
fill_reads(q)
pdus, data = read(q, EMPTY, 0, 512)
check(status(pdus) == 0 and data == bytes(262144),
      "another session's read of the empty LUN, digests on: zeros")
pdus, data = read(q, HALF, 0, 256)
check(status(pdus) == 0 and data == half_expected(half_known),
      "and of the half LUN: what was written, zeros between")
q.logout()
PY
kitt_unload
