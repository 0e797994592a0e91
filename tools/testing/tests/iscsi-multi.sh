# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# Several LUNs, two targets, two portals (one IPv6) and two initiators at
# once: open-iscsi runs fio with verification on three LUNs of two targets
# while libiscsi, under its own initiator name and ACL, reads a fourth;
# targetcli shows the sessions with their negotiated values.
. "$KITT_TOP/tools/testing/tests/lib.sh"

A=iqn.2003-01.org.example.lab:multi-a
B=iqn.2003-01.org.example.lab:multi-b
OPEN=iqn.2003-01.org.example.lab:open-iscsi
LIBI=iqn.2003-01.org.example.lab:libiscsi

kitt_load
modprobe sd_mod
modprobe brd rd_nr=1 rd_size=65536
ip link set lo up
cp /etc/iscsi/initiatorname.iscsi initiatorname.orig
trap 'cp initiatorname.orig /etc/iscsi/initiatorname.iscsi' EXIT
echo "InitiatorName=$OPEN" > /etc/iscsi/initiatorname.iscsi

targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=rd0 size=32M >/dev/null
targetcli /backstores/ramdisk create name=rd1 size=32M >/dev/null
targetcli /backstores/fileio create name=f0 file_or_dev=/tmp/f0.img size=32M >/dev/null
targetcli /backstores/block create name=b0 dev=/dev/ram0 >/dev/null

# A: three LUNs, IPv4 and IPv6 portals, an ACL per initiator
targetcli /iscsi create "$A" >/dev/null
for bs in ramdisk/rd0 ramdisk/rd1 fileio/f0; do
	targetcli "/iscsi/$A/tpg1/luns" create "/backstores/$bs" >/dev/null
done
targetcli "/iscsi/$A/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$A/tpg1/portals" create ::1 3260 >/dev/null
targetcli "/iscsi/$A/tpg1" set attribute authentication=0 >/dev/null
targetcli "/iscsi/$A/tpg1/acls" create "$OPEN" >/dev/null
targetcli "/iscsi/$A/tpg1/acls" create "$LIBI" >/dev/null
# B: one LUN on another port, demo mode
targetcli /iscsi create "$B" >/dev/null
targetcli "/iscsi/$B/tpg1/luns" create /backstores/block/b0 >/dev/null
targetcli "/iscsi/$B/tpg1/portals" create 127.0.0.1 3261 >/dev/null
targetcli "/iscsi/$B/tpg1" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null
wait_listen 127.0.0.1:3260 && wait_listen '[::1]:3260' && wait_listen 127.0.0.1:3261 ||
	die "not listening on all portals"

log "sessions before login"
expect_eq "info without a session" "$(head -c 27 "$ISCSI/$A/tpgt_1/acls/$OPEN/info")" \
	"No active iSCSI Session for"

log "discovery over IPv6 lists both portals of A, and B"
iscsid
sleep 1
iscsiadm -m discovery -t st -p '[::1]:3260' | tee disc.out
grep -qx "\[::1\]:3260,1 $A" disc.out || die "IPv6 portal missing"
grep -qx "127.0.0.1:3260,1 $A" disc.out || die "IPv4 portal missing"
# SendTargets=All lists every target the initiator may see, B included
grep -qx "127.0.0.1:3261,1 $B" disc.out || die "B missing"
[ "$(grep -c . disc.out)" = 3 ] || die "discovery lists other portals"

log "open-iscsi: A over IPv6, B over IPv4"
iscsiadm -m node -T "$A" -p '[::1]:3260' --login >/dev/null
iscsiadm -m node -T "$B" -p 127.0.0.1:3261 --login >/dev/null
a0=$(iscsi_disk "$A" 0) && a1=$(iscsi_disk "$A" 1) && a2=$(iscsi_disk "$A" 2) &&
	b0=$(iscsi_disk "$B" 0) || die "not every LUN appeared"
log "disks: A $a0 $a1 $a2, B $b0"
[ "$(blockdev --getsize64 "$b0")" = 67108864 ] || die "B's LUN has the wrong size"

log "sessions: targetcli and the ACL's files"
targetcli sessions detail | tee sess.out
grep -q "$OPEN" sess.out || die "targetcli sessions: open-iscsi's session missing"
grep -q "LOGGED_IN" sess.out || die "targetcli sessions: no logged-in state"
grep -q "::1" sess.out || die "targetcli sessions: no IPv6 address"
info=$ISCSI/$A/tpgt_1/acls/$OPEN
grep -q "^LIO Session ID: .*SessionType: Normal" "$info/info" || die "ACL info shows no session"
mbl=$(cat "$info/param/MaxBurstLength")
[ "$mbl" -ge 512 ] 2>/dev/null || die "param/MaxBurstLength: '$mbl'"
expect_eq "param/ErrorRecoveryLevel" "$(cat "$info/param/ErrorRecoveryLevel")" 0
expect_eq "param/MaxConnections" "$(cat "$info/param/MaxConnections")" 1
expect_eq "libiscsi's ACL, no session yet" "$(cat "$ISCSI/$A/tpgt_1/acls/$LIBI/param/InitialR2T")" \
	"No Active iSCSI Session"

log "libiscsi on A (its own ACL) while open-iscsi runs fio on A and B"
dd if=/dev/urandom of=pattern bs=1M count=8 status=none
dd if=pattern of="$a2" bs=1M oflag=direct status=none
iscsi-ls -s -i "$LIBI" "iscsi://127.0.0.1:3260" | tee ls.out
grep -q "$A" ls.out || die "iscsi-ls: A missing"
iscsi-inq -i "$LIBI" "iscsi://127.0.0.1:3260/$A/2" | grep -q "LIO-ORG" ||
	die "iscsi-inq through libiscsi failed"
iscsi-perf -i "$LIBI" -t 20 -m 8 -b 16 -r "iscsi://127.0.0.1:3260/$A/2" > perf.out 2>&1 &
perf=$!
pids=""
for d in "$a0" "$a1" "$b0"; do
	# Writes of mixed sizes, then every block read back and checked
	# (fio's verify of randrw with varying block sizes reports false
	# header mismatches: axboe/fio#1049, #1548).
	fio --name=v --filename="$d" --direct=1 --ioengine=libaio --rw=randwrite \
		--bsrange=4k-128k --iodepth=8 --size=24m --verify=crc32c \
		--verify_fatal=1 --randrepeat=0 --output="fio.${d##*/}" &
	pids="$pids $!"
done
sleep 3
grep -q "^LIO Session ID" "$ISCSI/$A/tpgt_1/acls/$LIBI/info" ||
	die "libiscsi's session not shown while it runs"
for p in $pids; do
	wait "$p" || { cat fio.*; die "fio failed"; }
done
wait "$perf" || { cat perf.out; die "iscsi-perf failed"; }
tail -n 3 perf.out
grep -q 'err= 0' fio.* || die "fio reported errors"
dd if="$a2" of=back bs=1M count=8 iflag=direct status=none
cmp pattern back || die "A/2 changed under libiscsi's reads"

# wait_gone IQN: the target's sessions end within 10 s
wait_gone() {
	local n=100

	while [ "$(cat "$ISCSI/$1/fabric_statistics/iscsi_instance/sessions")" != 0 ]; do
		n=$((n - 1))
		[ $n -gt 0 ] || die "$1: sessions still open"
		sleep 0.1
	done
}

log "TPG of B disabled: its initiator is asked to log out"
stats=$ISCSI/$B/fabric_statistics/iscsi_logout_stats
normal=$(cat "$stats/normal_logouts")
abnormal=$(cat "$stats/abnormal_logouts")
targetcli "/iscsi/$B/tpg1" disable >/dev/null
wait_gone "$B"
dmesg | grep -i 'logout' | tail -n 3 || true
log "B: normal logouts $normal -> $(cat "$stats/normal_logouts"), others $abnormal -> $(cat "$stats/abnormal_logouts")"
expect_eq "B: sessions ended by a logout" "$(cat "$stats/normal_logouts")" $((normal + 1))
expect_eq "B: sessions ended otherwise" "$(cat "$stats/abnormal_logouts")" "$abnormal"
iscsiadm -m node -T "$B" -p 127.0.0.1:3261 --logout >/dev/null 2>&1 || true

log "open-iscsi's ACL removed under its session: the session ends"
timeout 20 targetcli "/iscsi/$A/tpg1/acls" delete "$OPEN" >/dev/null ||
	die "deleting an ACL with a session did not finish"
wait_gone "$A"

log "logout: sessions gone"
iscsiadm -m node --logoutall=all >/dev/null 2>&1 || true
iscsiadm -m node -o delete
killall iscsid
expect_eq "libiscsi's ACL after its session" "$(head -c 27 "$ISCSI/$A/tpgt_1/acls/$LIBI/info")" \
	"No active iSCSI Session for"
expect_eq "param after logout" "$(cat "$ISCSI/$A/tpgt_1/acls/$LIBI/param/MaxBurstLength")" \
	"No Active iSCSI Session"
kitt_unload
rm -f /tmp/f0.img
rmmod brd
