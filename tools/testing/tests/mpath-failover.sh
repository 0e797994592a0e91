# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# dm-multipath failover loses nothing. One block backstore is LUN 0 of two
# TPGs of one target, each TPG with its own portal (127.0.0.1 and
# 127.0.0.2) and its own ALUA target port group set with targetcli.
# open-iscsi logs in to both and multipath-tools (multipathd, the alua
# prioritizer and hardware handler, the tur checker) builds one map over
# the two sessions. While fio writes and reads back with verify= on the
# map without a pause, ALUA states change (active/non-optimized, standby,
# unavailable, and back) and the initiator sees what SPC says it must
# (REPORT TARGET PORT GROUPS, NOT READY sense, multipath's path groups);
# then path A fails three ways and comes back: its TPG disabled, its
# portal removed (which closes its connection), its connection reset again
# and again (ss -K). No error reaches fio and every block read back is
# what was written.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:mpath
PA=127.0.0.1
PB=127.0.0.2
LUNS=$ISCSI/$IQN
# ALUA states as targetcli writes them (alua_access_state)
AO=0 ANO=1 STANDBY=2 UNAVAIL=3

kitt_load
modprobe sd_mod
modprobe sg
modprobe scsi_dh_alua
modprobe dm_multipath
modprobe brd rd_nr=1 rd_size=65536
ip addr add $PB/8 dev lo 2>/dev/null || true

cd "$(mktemp -d)"
fio_pid=""
map=""
# cleanup [ok]: stop fio (let its run finish when all went well), take the
# map down (failing what it queues), stop the daemons, log out
cleanup() {
	set +e
	[ -z "$map" ] || dmsetup message "$map" 0 fail_if_no_path 2>/dev/null
	touch stop
	if [ -n "$fio_pid" ]; then
		[ "${1:-}" = ok ] || { pkill -P "$fio_pid"; kill "$fio_pid"; }
		wait "$fio_pid"
	fi
	udevadm settle 2>/dev/null
	timeout 30 multipath -F >/dev/null 2>&1
	pkill -x multipathd
	if pgrep -x iscsid >/dev/null; then
		timeout 60 iscsiadm -m node --logoutall=all >/dev/null 2>&1
		iscsiadm -m node -o delete >/dev/null 2>&1
		killall iscsid
	fi
	udevadm control --exit 2>/dev/null
	ip addr del $PB/8 dev lo 2>/dev/null
	rm -f /etc/multipath.conf
}
trap cleanup EXIT

log "target: LUN 0 of tpg1 ($PA, ALUA group pa) and tpg2 ($PB, group pb)"
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/block create name=b0 dev=/dev/ram0 >/dev/null
targetcli /backstores/block/b0/alua create pa 16 >/dev/null
targetcli /backstores/block/b0/alua create pb 32 >/dev/null
for g in pa pb; do
	# implicit ALUA: the target changes states (here, through configfs)
	targetcli /backstores/block/b0/alua/$g set alua alua_access_type=1 >/dev/null
done
targetcli /iscsi create "$IQN" >/dev/null
targetcli "/iscsi/$IQN" create 2 >/dev/null
for t in 1 2; do
	targetcli "/iscsi/$IQN/tpg$t/luns" create /backstores/block/b0 >/dev/null
	targetcli "/iscsi/$IQN/tpg$t/portals" create 127.0.0.$t 3260 >/dev/null
	targetcli "/iscsi/$IQN/tpg$t" set attribute generate_node_acls=1 \
		authentication=0 demo_mode_write_protect=0 >/dev/null
done
targetcli "/iscsi/$IQN/tpg1/luns/lun0" set alua alua_tg_pt_gp_name=pa >/dev/null
targetcli "/iscsi/$IQN/tpg2/luns/lun0" set alua alua_tg_pt_gp_name=pb >/dev/null
targetcli /backstores/block/b0/alua ls
wait_listen $PA:3260 && wait_listen $PB:3260 || die "not listening on both portals"

# alua GROUP STATE: what an administrator types to change an ALUA state
alua() {
	targetcli /backstores/block/b0/alua/"$1" set alua alua_access_state="$2" >/dev/null
}

log "initiator: udev, multipathd, open-iscsi on both portals"
# multipath takes a path's WWID from udev: without udevd no map is built.
/lib/systemd/systemd-udevd --daemon
udevadm trigger
udevadm settle
cat > /etc/multipath.conf <<'EOF'
defaults {
	find_multipaths no
	user_friendly_names no
	polling_interval 1
	max_polling_interval 2
}
devices {
	device {
		vendor "LIO-ORG"
		product ".*"
		path_grouping_policy group_by_prio
		prio alua
		hardware_handler "1 alua"
		path_checker tur
		failback immediate
		no_path_retry 60
	}
}
EOF
multipathd -d -s > multipathd.log 2>&1 &
iscsid
sleep 1
iscsiadm -m discovery -t st -p $PA:3260 > disc.out
for p in $PA $PB; do
	grep -qx "$p:3260,[12] $IQN" disc.out || die "discovery does not list $p: $(cat disc.out)"
	# A dead path must fail its I/O soon, for multipath to move it.
	iscsiadm -m node -T "$IQN" -p $p:3260 -o update \
		-n node.session.timeo.replacement_timeout -v 5
	iscsiadm -m node -T "$IQN" -p $p:3260 -o update \
		-n node.conn[0].timeo.noop_out_interval -v 2
	iscsiadm -m node -T "$IQN" -p $p:3260 -o update \
		-n node.conn[0].timeo.noop_out_timeout -v 5
	iscsiadm -m node -T "$IQN" -p $p:3260 --login >/dev/null || die "login to $p failed"
done

# path_dev ADDR: the sd device of the session through portal ADDR
path_dev() {
	local s d

	for s in /sys/class/iscsi_session/session*; do
		grep -qx "$1" "$s"/device/connection*/iscsi_connection/*/persistent_address ||
			continue
		for d in "$s"/device/target*/*:0/block/*; do
			[ -e "$d" ] && { echo "${d##*/}"; return 0; }
		done
	done
	return 1
}
n=300
until da=$(path_dev $PA) && db=$(path_dev $PB); do
	[ $n -gt 0 ] || die "the two paths' disks did not appear"
	sleep 0.1
	n=$((n - 1))
done
udevadm settle
log "paths: A $da, B $db"

# path_state DEV: multipathd's "dm state/checker state" of DEV, such as
# active/ready, failed/faulty, active/ghost
path_state() {
	multipathd show paths raw format "%d %t %T" 2>/dev/null |
		awk -v d="$1" '$1 == d { print $2 "/" $3 }'
}
# wait_path DEV STATE [SECONDS]: until multipathd sees DEV in STATE
wait_path() {
	local n=$(( ${3:-60} * 10 )) st

	while [ $n -gt 0 ]; do
		st=$(path_state "$1")
		[ "$st" = "$2" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	multipath -ll >&2
	die "path $1 is '$st', not '$2'"
}

n=300
while [ -z "$map" ] && [ $n -gt 0 ]; do
	multipath -v0 2>/dev/null || true
	map=$(multipathd show maps raw format "%n" 2>/dev/null | head -n 1)
	[ -n "$map" ] || sleep 0.2
	n=$((n - 1))
done
[ -n "$map" ] || { cat multipathd.log; die "multipath built no map"; }
multipath -ll "$map" | tee mp.out
grep -q "hwhandler='1 alua'" mp.out || die "the map does not use the alua hardware handler"
wait_path "$da" active/ready
wait_path "$db" active/ready
dev=/dev/mapper/$map

log "what each path reports: TPGS, its target port group, the groups' states"
for d in $da $db; do
	sg_inq "/dev/$d" | grep -q 'TPGS=1' || die "$d: INQUIRY does not report implicit ALUA"
done
sg_vpd -p di "/dev/$da" | tee vpd.out
grep -qi 'target port group.*0x10' vpd.out || die "$da: not in target port group 16"
sg_vpd -p di "/dev/$db" | grep -qi 'target port group.*0x20' || die "$db: not in target port group 32"

# rtpg_state DEV GROUP: the state REPORT TARGET PORT GROUPS through DEV
# gives GROUP (both as sg_rtpg prints them: 0x10, 0x02)
rtpg_state() {
	sg_rtpg -d "/dev/$1" > rtpg.out || die "REPORT TARGET PORT GROUPS through $1 failed"
	awk -v g="$2" '
		/target port group id/ {
			id = $0; sub(/.*id *: */, "", id); sub(/[ ,].*/, "", id) }
		/asymmetric access state/ && id == g {
			s = $0; sub(/.*state *: */, "", s); sub(/ .*/, "", s)
			print s; exit }' rtpg.out
}

# The fio loop: write with verification reads right behind (verify_backlog)
# and a last pass reading all back, again and again until told to stop.
# Every run must end without an error.
fio_loop() {
	local i=0

	while [ ! -e stop ]; do
		i=$((i + 1))
		fio --name=mp --filename="$dev" --direct=1 --ioengine=libaio \
			--rw=randwrite --bs=4k --iodepth=16 --size=48m \
			--verify=crc32c --verify_backlog=512 --verify_fatal=1 \
			--do_verify=1 --randrepeat=0 --output="fio.$i.out" ||
			{ echo "$i" > fio.failed; return 1; }
		grep -q 'err= 0' "fio.$i.out" || { echo "$i" > fio.failed; return 1; }
		echo "$i" > fio.runs
	done
}

# mbytes T: MiB written through tpgT's LUN so far
mbytes() {
	cat "$LUNS/tpgt_$1/lun/lun_0/statistics/scsi_tgt_port/write_mbytes"
}
# carries T: I/O flows through tpgT (>= 2 MiB written within 30 s)
carries() {
	local b n=300

	b=$(mbytes "$1")
	while [ "$(mbytes "$1")" -lt $((b + 2)) ]; do
		[ $n -gt 0 ] || return 1
		[ ! -e fio.failed ] || die "fio failed in run $(cat fio.failed)"
		sleep 0.1
		n=$((n - 1))
	done
}
# only T OTHER: within 30 s, I/O flows through tpgT and none through
# tpgOTHER (2 MiB through T while OTHER's count stands still)
only() {
	local o n=15

	while [ $n -gt 0 ]; do
		o=$(mbytes "$2")
		carries "$1" || die "no I/O through tpg$1"
		[ "$(mbytes "$2")" != "$o" ] || return 0
		n=$((n - 1))
	done
	die "I/O still goes through tpg$2"
}

# a_inaccessible STATE PATH_STATE RTPG_STATE WORD: group pa goes to STATE
# (standby or unavailable): multipathd shows A in PATH_STATE, REPORT TARGET
# PORT GROUPS and INQUIRY still work through A and give RTPG_STATE for pa
# and 0x00 for pb, TEST UNIT READY through A fails with a sense naming
# WORD, and I/O goes through B alone.
a_inaccessible() {
	local st

	alua pa "$1"
	wait_path "$da" "$2"
	st=$(rtpg_state "$da" 0x10) || die "no REPORT TARGET PORT GROUPS through $4 A"
	expect_eq "A's group seen through A" "$st" "$3"
	st=$(rtpg_state "$da" 0x20) || die "no REPORT TARGET PORT GROUPS through $4 A"
	expect_eq "B's group seen through A" "$st" "0x00"
	sg_inq "/dev/$da" >/dev/null || die "INQUIRY through a $4 port failed"
	sg_turs -v "/dev/$da" > turs.out 2>&1 &&
		die "TEST UNIT READY through a $4 port succeeded"
	cat turs.out
	grep -qi "$4" turs.out || die "$4 sense: $(cat turs.out)"
	only 2 1
}

rm -f stop fio.failed fio.runs
fio_loop &
fio_pid=$!
log "fio runs on $dev: both paths carry I/O"
carries 1 || die "no I/O through path A"
carries 2 || die "no I/O through path B"

log "ALUA: A active/non-optimized, then standby, then unavailable; B stays optimized"
alua pa $ANO
st=$(rtpg_state "$db" 0x10) || die "no REPORT TARGET PORT GROUPS through B"
expect_eq "A's group seen through B" "$st" "0x01"
cat rtpg.out
only 2 1
a_inaccessible $STANDBY active/ghost 0x02 standby
a_inaccessible $UNAVAIL failed/faulty 0x03 unavailable
log "ALUA: A optimized again, then B to standby: I/O moves to A alone"
alua pa $AO
wait_path "$da" active/ready
carries 1 || die "no I/O through A once it is optimized again"
alua pb $STANDBY
wait_path "$db" active/ghost
only 1 2
alua pb $AO
wait_path "$db" active/ready
carries 2 || die "no I/O through B once it is optimized again"
# scsi_dh_alua logs each state it learns (group 0x10 as "10")
dmesg | grep 'alua: port group 10 state' | tail -n 5
dmesg | grep -q 'alua: port group 10 state S' || die "scsi_dh_alua never saw A standby"

log "path A fails: its TPG disabled"
targetcli "/iscsi/$IQN/tpg1" disable >/dev/null
wait_path "$da" failed/faulty
only 2 1
targetcli "/iscsi/$IQN/tpg1" enable >/dev/null
wait_path "$da" active/ready 90
carries 1 || die "no I/O through A after its TPG came back"

# reset_a: reset path A's connections on the target's side
reset_a() {
	ss -K -tn state established src $PA:3260 > reset.out
	grep -q "$PA:3260" reset.out || die "no connection of path A to reset"
}

log "path A fails: its portal removed (which closes its connection)"
targetcli "/iscsi/$IQN/tpg1/portals" delete $PA 3260 >/dev/null
wait_path "$da" failed/faulty
only 2 1
targetcli "/iscsi/$IQN/tpg1/portals" create $PA 3260 >/dev/null
wait_path "$da" active/ready 90
carries 1 || die "no I/O through A after its portal came back"

log "path A's connection reset again and again"
for i in 1 2 3 4 5; do
	carries 1 || die "no I/O through A before reset $i"
	reset_a
done
wait_path "$da" active/ready 90
carries 1 || die "no I/O through A after the resets"
carries 2 || die "no I/O through B after the resets"

log "stop: every fio run ended without an error"
touch stop
wait "$fio_pid" || die "fio failed in run $(cat fio.failed): $(cat "fio.$(cat fio.failed).out")"
fio_pid=""
runs=$(cat fio.runs)
log "$runs fio runs of 48 MiB written and read back, no error"
[ "$runs" -ge 2 ] || die "only $runs fio runs"
expect_eq "fio runs without an error" "$(grep -l 'err= 0' fio.*.out | wc -l)" "$runs"
multipath -ll "$map"

cleanup ok
trap - EXIT
dmsetup ls --target multipath | grep -q "^$map" && die "the map is still there after multipath -F"
wait_no_sessions "$IQN"
kitt_unload
rmmod brd
