# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# Many logins and logouts (open-iscsi and libiscsi), and connections
# dropped in the middle of things: afterwards no session, connection or
# command is left (the target core's session cache and kitt's module
# reference count are back at their baseline), and kitt unloads. kitt's
# connections and sessions live in slab caches of their own (the guest
# boots with slab_nomerge): one left behind makes the rmmod warn, which
# fails the test.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:cyc
TPG=/iscsi/$IQN/tpg1

sessions() { cat "$ISCSI/$IQN/fabric_statistics/iscsi_instance/sessions"; }

kitt_load
modprobe sd_mod
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=r0 size=16M >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "$TPG/luns" create /backstores/ramdisk/r0 >/dev/null
targetcli "$TPG/portals" create 127.0.0.1 3260 >/dev/null
targetcli "$TPG" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null
wait_listen 127.0.0.1:3260 || die "not listening"
refs=$(cat /sys/module/kitt/refcnt)

log "100 libiscsi logins (login, INQUIRY, logout)"
for i in $(seq 1 100); do
	iscsi-inq "iscsi://127.0.0.1/$IQN/0" >/dev/null || die "iscsi-inq $i failed"
done

log "100 open-iscsi login/logout cycles"
iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null
for i in $(seq 1 100); do
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null || die "login $i failed"
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null || die "logout $i failed"
done

log "connections dropped during login and during I/O"
for i in $(seq 1 20); do
	timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/3260; head -c 30 /dev/zero >&3; sleep 0.2" || true
done
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null
dev=$(iscsi_disk "$IQN") || die "no disk"
expect_eq "sessions while logged in" "$(sessions)" 1
(dd if=/dev/zero of="$dev" bs=64k count=200 oflag=direct status=none 2>/dev/null || true) &
sleep 1
targetcli "$TPG" disable >/dev/null	# the target ends the session under I/O
wait
targetcli "$TPG" enable >/dev/null
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null 2>&1 || true
iscsiadm -m node -o delete
killall iscsid

log "nothing left behind"
n=100
while [ $n -gt 0 ] && [ "$(cat /sys/module/kitt/refcnt)" != "$refs" ]; do
	sleep 0.1
	n=$((n - 1))
done
expect_eq "kitt references" "$(cat /sys/module/kitt/refcnt)" "$refs"
expect_eq "sessions of the target" "$(sessions)" 0
expect_eq "dynamic sessions" "$(cat $ISCSI/$IQN/tpgt_1/dynamic_sessions)" ""
for c in kitt_conn kitt_sess; do
	[ -d /sys/kernel/slab/$c ] && [ ! -L /sys/kernel/slab/$c ] ||
		die "slab cache $c missing or merged with another"
done
kitt_unload
