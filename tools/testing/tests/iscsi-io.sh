# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Serve LUNs to open-iscsi: the disks appear, SCSI basics work, data
# written is data read back (reads, writes through R2T and immediate data).
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:io

kitt_load
modprobe sd_mod
modprobe sg
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=rd0 size=64M >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/ramdisk/rd0 >/dev/null
targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null

iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login
dev=$(iscsi_disk "$IQN") || die "no disk appeared"
log "disk $dev"

sg_inq "$dev" | tee inq.out
grep -q 'LIO-ORG' inq.out || die "sg_inq: no vendor"
sg_readcap -l "$dev" | tee cap.out
grep -q 'Device size: 67108864 bytes' cap.out || die "sg_readcap: wrong size"
sg_turs "$dev" || die "TEST UNIT READY failed"

log "write and read back 8 MiB"
head -c 8388608 /dev/urandom > data
dd if=data of="$dev" bs=1M oflag=direct status=none || die "write failed"
dd if="$dev" of=back bs=1M count=8 iflag=direct status=none || die "read failed"
cmp data back || die "data read back differs"

log "odd sizes and offsets"
dd if=data of="$dev" bs=512 count=3 seek=7 oflag=direct status=none
dd if="$dev" of=back bs=512 count=3 skip=7 iflag=direct status=none
cmp <(head -c 1536 data) back || die "512-byte I/O differs"

log "LUN reset (task management), then I/O goes on"
sg_reset -d "$dev" || die "LUN reset failed"
dmesg | tail -n 5
dd if=data of="$dev" bs=1M oflag=direct status=none || die "write after reset failed"
dd if="$dev" of=back bs=1M count=8 iflag=direct status=none || die "read after reset failed"
cmp data back || die "data differs after reset"

iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout
iscsiadm -m node -o delete
killall iscsid
kitt_unload
