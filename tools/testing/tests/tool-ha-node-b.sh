# SPDX-License-Identifier: GPL-2.0
# timeout: 1500
#
# Node B of tools/ha-failover (not a test of the suite), which is also
# where the host's initiator runs: open-iscsi logs in to the cluster's
# target on the floating address (node A), writes a reference pattern and
# keeps fio writing and reading back with verify= on the LUN. Node A stops
# its target as Pacemaker would and the host kills it; node B takes the
# address and starts the same target and LUN with the same agents. The
# initiator's session recovers by itself; fio must see no error, the
# reference must read back unchanged, and the times are reported.
. "$KITT_TOP/tools/testing/tests/lib-ha.sh"

node_net "$NODE_B_ADDR"
modprobe sd_mod
cp /etc/iscsi/initiatorname.iscsi initiatorname.orig
echo "InitiatorName=$INIT" > /etc/iscsi/initiatorname.iscsi
iscsid
wait_flag a-serving 900

log "the host logs in to $VIP (node A)"
iscsiadm -m discovery -t st -p "$VIP:3260" >/dev/null || die "discovery failed"
node_set() {
	local kv

	for kv in "$@"; do
		iscsiadm -m node -T "$IQN" -p "$VIP:3260" -o update \
			-n "${kv%%=*}" -v "${kv#*=}"
	done
}
# Above the worst failover time: the SCSI layer holds I/O that long.
node_set node.session.auth.authmethod=CHAP node.session.auth.username=cluster \
	node.session.auth.password=cluster-secret-1 \
	node.session.timeo.replacement_timeout=600
iscsiadm -m node -T "$IQN" -p "$VIP:3260" --login >/dev/null || die "login failed"
dev=$(iscsi_disk "$IQN") || die "no disk appeared"
head -c 16M /dev/urandom > ref
dd if=ref of="$dev" bs=1M oflag=direct status=none || die "writing the reference failed"
sha=$(sha256sum < ref)

# The fio loop, as in mpath-failover: 4k random writes with verification
# reads right behind and a last pass reading all back, run after run.
fio_loop() {
	local i=0

	while [ ! -e stop ]; do
		i=$((i + 1))
		fio --name=ha --filename="$dev" --direct=1 --ioengine=libaio \
			--rw=randwrite --bs=4k --iodepth=16 --offset=32m --size=64m \
			--verify=crc32c --verify_backlog=512 --verify_fatal=1 \
			--do_verify=1 --randrepeat=0 --output-format=json \
			--output="fio.$i.out" ||
			{ echo "$i" > fio.failed; return 1; }
		echo "$i" > fio.runs
	done
}
rm -f stop fio.failed fio.runs
fio_loop &
fio_pid=$!
flag b-writing

wait_flag a-blocked 900
t_blocked=$(date +%s.%N)
log "node A blocked its portal: I/O stalls"
wait_flag a-killed 900
t_killed=$(date +%s.%N)
log "node A is gone; node B takes over"
ha_start
[ -d /sys/module/kitt ] || die "the agents' targetcli did not load kitt"
t_started=$(date +%s.%N)
cmds=$ISCSI/$IQN/tpgt_1/lun/lun_0/statistics/scsi_tgt_port/in_cmds
n=3000
while [ "$(cat "$cmds")" -lt 100 ]; do
	[ $n -gt 0 ] || die "the initiator's I/O does not come back"
	[ ! -e fio.failed ] || die "fio failed in run $(cat fio.failed)"
	sleep 0.1
	n=$((n - 1))
done
t_io=$(date +%s.%N)
runs_then=$(cat fio.runs 2>/dev/null || echo 0)
n=1200
while [ "$(cat fio.runs 2>/dev/null || echo 0)" -lt $((runs_then + 2)) ]; do
	[ ! -e fio.failed ] && [ $n -gt 0 ] || break
	sleep 0.5
	n=$((n - 1))
done
touch stop
wait "$fio_pid" || die "fio failed in run $(cat fio.failed): $(head -c 3000 "fio.$(cat fio.failed).out")"
runs=$(cat fio.runs)
dd if="$dev" of=back bs=1M count=16 iflag=direct status=none || die "reading the reference failed"
expect_eq "the reference written through node A, read through node B" \
	"$(sha256sum < back)" "$sha"

# The longest any write waited, over all runs (fio's clat, in ms).
max_ms=$(python3 - fio.*.out <<'PYEOF'
import json, sys
worst = 0
for f in sys.argv[1:]:
    text = open(f).read()
    j = json.loads(text[text.index('{'):])     # after any warning lines
    for job in j['jobs']:
        assert job['error'] == 0, f
        for d in ('write', 'read'):
            worst = max(worst, job[d]['clat_ns']['max'])
print('%.0f' % (worst / 1e6))
PYEOF
)
secs() { echo "$1 $2" | awk '{ printf "%.1f", $2 - $1 }'; }
log "fio: $runs runs, no error; the reference reads back unchanged"
{
	echo "ha-failover: I/O stopped at node A's portblock; node A killed $(secs "$t_blocked" "$t_killed") s later"
	echo "ha-failover: node B's agents had its target and LUN up $(secs "$t_killed" "$t_started") s after that"
	echo "ha-failover: the initiator's I/O resumed $(secs "$t_started" "$t_io") s later"
	echo "ha-failover: I/O stalled $(secs "$t_blocked" "$t_io") s in all; the longest write or read waited $max_ms ms"
	echo "ha-failover: errors seen by fio: 0 in $runs runs; the 16 MiB written before read back unchanged"
} | tee "$FLAGS/report"

iscsiadm -m node -T "$IQN" -p "$VIP:3260" --logout >/dev/null || die "logout failed"
iscsiadm -m node -o delete
killall iscsid
cp initiatorname.orig /etc/iscsi/initiatorname.iscsi
ra 0 iSCSILogicalUnit stop "${LU[@]}"
ra 0 iSCSITarget stop "${TGT[@]}"
kitt_unload
rm -f /etc/modprobe.d/kitt.conf
