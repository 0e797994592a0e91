# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# sg3_utils through open-iscsi on kitt, with two LUNs: INQUIRY and VPD
# pages, READ CAPACITY(16), REPORT LUNS, TEST UNIT READY, WRITE SAME,
# UNMAP, SYNCHRONIZE CACHE, and an sg_dd copy between the LUNs compared.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:sg3
TPG=/iscsi/$IQN/tpg1

kitt_load
modprobe sd_mod
modprobe sg
modprobe brd rd_nr=1 rd_size=32768
targetcli set global auto_add_default_portal=false >/dev/null
# LUN 0: a file (thin provisioning works on every kernel), LUN 1: a RAM disk
targetcli /backstores/fileio create name=f0 file_or_dev=/tmp/sg0.img size=32M >/dev/null
targetcli /backstores/block create name=b1 dev=/dev/ram0 >/dev/null
targetcli /backstores/fileio/f0 set attribute emulate_tpu=1 emulate_tpws=1 >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "$TPG/luns" create /backstores/fileio/f0 >/dev/null
targetcli "$TPG/luns" create /backstores/block/b1 >/dev/null
targetcli "$TPG/portals" create 127.0.0.1 3260 >/dev/null
targetcli "$TPG" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null
iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null
dev=$(iscsi_disk "$IQN") || die "no disk"
n=100
while [ $n -gt 0 ] && [ "$(lsscsi | grep -c 'LIO-ORG')" -lt 2 ]; do sleep 0.1; n=$((n - 1)); done
lsscsi
sd0=$(lsscsi | awk '/LIO-ORG/ && $1 ~ /:0]$/ { print $NF }')
sd1=$(lsscsi | awk '/LIO-ORG/ && $1 ~ /:1]$/ { print $NF }')
[ -b "$sd0" ] && [ -b "$sd1" ] || die "LUNs 0 and 1 not both present"

sg_inq "$sd0" | grep -q 'Vendor identification: LIO-ORG' || die "sg_inq"
sg_vpd -p sn "$sd0" | grep -q 'Unit serial number' || die "VPD unit serial number"
sg_vpd -p di "$sd0" | tee di.out
grep -qi 'designator type: NAA' di.out || die "VPD device identification: no NAA"
grep -q "$IQN,t,0x0*1" di.out || die "VPD device identification: no iSCSI target port name"
sg_vpd -p bl "$sd0" | grep -q 'Maximum unmap LBA count' || die "VPD block limits"
sg_readcap -l "$sd0" | grep -q 'Number of logical blocks=65536' || die "READ CAPACITY(16)"
sg_luns "$sd0" | tee luns.out
expect_eq "REPORT LUNS entries" "$(grep -Ec '^ +000[01]000000000000$' luns.out)" 2
sg_turs "$sd0" || die "TEST UNIT READY"

log "WRITE SAME, UNMAP, SYNCHRONIZE CACHE"
printf 'K%.0s' $(seq 1 512) > block
sg_write_same --in=block --lba=100 --num=16 "$sd0" || die "WRITE SAME"
dd if="$sd0" bs=512 skip=100 count=16 iflag=direct status=none | tr -d 'K' | wc -c | grep -qx 0 ||
	die "WRITE SAME did not write its block 16 times"
head -c 32768 /dev/urandom | dd of="$sd0" bs=32k oflag=direct status=none
sg_unmap --force --lba=0 --num=64 "$sd0" || die "UNMAP"
cmp <(dd if="$sd0" bs=32k count=1 iflag=direct status=none) <(head -c 32768 /dev/zero) ||
	die "UNMAP: the blocks do not read back as zeros"
sg_sync "$sd0" || die "SYNCHRONIZE CACHE"

log "sg_dd copy LUN 0 -> LUN 1, compared"
head -c 4194304 /dev/urandom > data
dd if=data of="$sd0" bs=1M oflag=direct status=none
sg_dd if="$sd0" of="$sd1" bs=512 count=8192 bpt=128 || die "sg_dd copy"
cmp <(dd if="$sd1" bs=1M count=4 iflag=direct status=none) data || die "copy differs"

iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null
iscsiadm -m node -o delete
killall iscsid
kitt_unload
rm -f /tmp/sg0.img
rmmod brd
