# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# Data integrity through open-iscsi: fio with verify=crc32c over block sizes
# 512 B .. 1 MiB and queue depths 1 .. 64, mixed random reads and writes;
# then ext4: mkfs, files with checksums, remount, check again.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:fio

kitt_load
modprobe sd_mod
modprobe brd rd_nr=1 rd_size=131072
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/block create name=b0 dev=/dev/ram0 >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/block/b0 >/dev/null
targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null

iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null
dev=$(iscsi_disk "$IQN") || die "no disk appeared"
log "disk $dev"

for spec in "512 1" "4k 16" "64k 4" "256k 32" "1m 8" "4k 64"; do
	set -- $spec
	log "fio bs=$1 iodepth=$2"
	fio --name=v --filename="$dev" --direct=1 --ioengine=libaio \
		--rw=randrw --rwmixread=50 --bs="$1" --iodepth="$2" --size=32m \
		--verify=crc32c --verify_fatal=1 --do_verify=1 --randrepeat=0 \
		--output=fio.out || { cat fio.out; die "fio bs=$1 qd=$2 failed"; }
	grep -q 'err= 0' fio.out || { cat fio.out; die "fio reported errors"; }
done

log "mixed block sizes, 1 KiB .. 1 MiB"
fio --name=m --filename="$dev" --direct=1 --ioengine=libaio --rw=randwrite \
	--bsrange=1k-1m --iodepth=16 --size=48m --verify=crc32c --verify_fatal=1 \
	--output=fio.out || { cat fio.out; die "fio bsrange failed"; }

log "ext4: write, checksum, remount, check"
mkfs.ext4 -q -F "$dev"
mkdir -p /mnt/t
mount "$dev" /mnt/t
for i in 1 2 3 4 5; do
	head -c $((i * 1536 * 1024 + i)) /dev/urandom > "/mnt/t/f$i"
done
(cd /mnt/t && sha256sum f*) > sums
umount /mnt/t
echo 3 > /proc/sys/vm/drop_caches
mount "$dev" /mnt/t
(cd /mnt/t && sha256sum -c --quiet "$OLDPWD/sums") || die "files changed across remount"
umount /mnt/t

iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null
iscsiadm -m node -o delete
killall iscsid
kitt_unload
rmmod brd
