# SPDX-License-Identifier: GPL-2.0
# timeout: 1500
#
# Guest side of tools/bench/run: the same fio jobs through open-iscsi over
# kitt and over iscsi_target_mod, on a null_blk LUN, in one boot. Prints
# IOPS, MB/s and the kitt/LIO ratio. A benchmark: nothing fails on speed.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:bench
SECS=${KITT_BENCH_SECS:-4}
JOBS="randread-4k-qd32:randread:4k:32 randwrite-4k-qd32:randwrite:4k:32
randread-4k-qd1:randread:4k:1 randwrite-4k-qd1:randwrite:4k:1 read-128k-qd8:read:128k:8 write-128k-qd8:write:128k:8"

configure() {
	targetcli set global auto_add_default_portal=false >/dev/null
	targetcli /backstores/block create name=nb dev=/dev/nullb0 >/dev/null
	targetcli /iscsi create "$IQN" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/block/nb >/dev/null
	targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
	targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 \
		authentication=0 demo_mode_write_protect=0 >/dev/null
}

# Discovery and login may time out in icount mode: try a few times.
login() {
	local i

	for i in 1 2 3 4 5; do
		iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null 2>&1 &&
			iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null 2>&1 &&
			return 0
		sleep 1
	done
	return 1
}

# bench NAME: run every job, results to NAME.res ("job iops MB/s")
bench() {
	local dev spec job rw bs qd

	login || die "$1: login failed"
	dev=$(iscsi_disk "$IQN") || die "$1: no disk"
	: > "$1.res"
	for spec in $JOBS; do
		IFS=: read -r job rw bs qd <<< "$spec"
		fio --name="$job" --filename="$dev" --direct=1 --ioengine=libaio \
			--rw="$rw" --bs="$bs" --iodepth="$qd" --time_based \
			--runtime="$SECS" --ramp_time=1 --output-format=json \
			--output="$1-$job.json" >/dev/null 2>&1 || die "$1: fio $job failed"
		python3 - "$1-$job.json" "$job" "$rw" >> "$1.res" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
side = "read" if "read" in sys.argv[3] else "write"
print(sys.argv[2], round(j[side]["iops"]), round(j[side]["bw_bytes"] / 1e6, 1))
PY
	done
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null
	iscsiadm -m node -o delete
}

modprobe sd_mod
modprobe null_blk nr_devices=1 gb=4
iscsid
sleep 1

kitt_load
configure
bench kitt
kitt_unload

lio_load
configure
bench lio
lio_unload
killall iscsid

{
	printf '%-20s %12s %12s %10s %10s %7s\n' job kitt-IOPS LIO-IOPS kitt-MB/s LIO-MB/s ratio
	join <(sort kitt.res) <(sort lio.res) | while read -r job ki km li lm; do
		printf '%-20s %12s %12s %10s %10s %7s\n' "$job" "$ki" "$li" "$km" "$lm" \
			"$(python3 -c "print(f'{$ki / max($li, 1):.2f}')")"
	done
} | tee "$KITT_OUT/logs/bench.txt"
