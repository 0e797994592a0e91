# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# What tools/kitt-demo shows: kitt loaded, a target with a ramdisk LUN made
# with targetcli, listening; the kernel's initiator (open-iscsi) logs in,
# fio writes and verifies data through it and reports what it measured;
# logout, and kitt unloaded. Also a test: each step must work.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:demo
PORTAL=127.0.0.1:3260

step() { printf '\n=== %s\n' "$*"; }

# show CMD...: print the command as typed, then run it.
show() {
	echo "# $*"
	"$@"
}

# fio_verify NAME BS QD SIZE: write SIZE with fio in BS blocks at queue depth
# QD, read it all back and check every block (verify=crc32c); print the
# figures of both halves.
fio_verify() {
	fio --name="$1" --filename="$dev" --direct=1 --ioengine=libaio \
		--rw="$1" --bs="$2" --iodepth="$3" --size="$4" \
		--verify=crc32c --verify_fatal=1 --do_verify=1 \
		--output-format=json --output=fio.json ||
		{ cat fio.json; die "fio $1 failed"; }
	python3 - "$1 $2 QD$3, $4" <<'EOF' || die "fio $1: errors or missing data"
import json, sys
job = json.load(open('fio.json'))['jobs'][0]
if job['error'] or job['write']['io_bytes'] == 0 or \
        job['read']['io_bytes'] != job['write']['io_bytes']:
    sys.exit(1)
for what, d in (('written  ', job['write']), ('read back', job['read'])):
    print('  %-24s %s %5d MiB: %8.0f IOPS %7.1f MiB/s' % (
        sys.argv[1], what, d['io_bytes'] >> 20, d['iops'], d['bw'] / 1024))
EOF
}

step "1. load kitt (the SCSI target core's iSCSI fabric)"
kitt_load
grep -o 'kitt: iSCSI target fabric.*' <(dmesg) || die "kitt did not say hello"

step "2. a target with targetcli: a 64 MiB ramdisk as LUN 0, demo mode"
show targetcli set global auto_add_default_portal=false
show targetcli /backstores/ramdisk create name=rd0 size=64M
show targetcli /iscsi create "$IQN"
show targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/ramdisk/rd0
show targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260
show targetcli "/iscsi/$IQN/tpg1/portals" create ::1 3260
show targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 \
	demo_mode_write_protect=0 authentication=0
show targetcli ls
wait_listen 127.0.0.1:3260 || die "nothing listens on 127.0.0.1:3260"
wait_listen '[::1]:3260' || die "nothing listens on [::1]:3260"
ps -e -o comm | grep -q '^kitt_np' || die "no listener threads"

step "3. the kernel's initiator (open-iscsi) discovers the target and logs in"
modprobe sd_mod
iscsid
sleep 1
show iscsiadm -m discovery -t sendtargets -p "$PORTAL" || die "discovery failed"
show iscsiadm -m node -T "$IQN" -p "$PORTAL" --login || die "login failed"
dev=$(iscsi_disk "$IQN") || die "no disk appeared"
echo "LUN 0 is $dev: $(cat "/sys/block/${dev#/dev/}/device/vendor")" \
	"$(cat "/sys/block/${dev#/dev/}/device/model"), $(($(cat "/sys/block/${dev#/dev/}/size") / 2048)) MiB"
show cat "$ISCSI/$IQN/tpgt_1/dynamic_sessions"
grep -q iqn "$ISCSI/$IQN/tpgt_1/dynamic_sessions" || die "the target has no session"

step "4. fio writes through kitt, reads everything back and verifies it"
echo "(a QEMU guest on emulated CPUs: these figures show kitt working, not its"
echo " speed on hardware; tools/bench/run compares targets)"
fio_verify randwrite 4k 32 32m
fio_verify write 128k 8 64m
echo "every block read back matched what was written (fio verify=crc32c)"

step "5. log out and unload kitt"
show iscsiadm -m node -T "$IQN" -p "$PORTAL" --logout || die "logout failed"
iscsiadm -m node -o delete
killall iscsid
wait_no_sessions "$IQN"
kitt_unload
echo "kitt unloaded"
