# SPDX-License-Identifier: GPL-2.0
# timeout: 2400
#
# Guest side of tools/bench/run: the same fio jobs over kitt and
# iscsi_target_mod (open-iscsi) and over nvmet-tcp (the kernel's NVMe/TCP
# host), all on one null_blk device, in one boot. Writes one line per
# target and job to logs/bench-raw.txt:
#   TARGET JOB IOPS MiB/s IOS CTXT MARK0 MARK1
# IOS and CTXT are the I/Os completed by the initiator's disk and the
# context switches of the whole guest (/proc/stat) while fio ran (ramp
# included); MARK0 and MARK1 name the instruction-count snapshots around
# the job when run-guest -p loaded a counting plugin ("-" otherwise).
# A benchmark: nothing fails on speed.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:bench
NQN=nqn.2014-08.org.example.lab:bench
NVMET=/sys/kernel/config/nvmet
BACKEND=/dev/nullb0
SECS=4
TARGETS="kitt lio nvmet"
# tools/bench/run's settings (KITT_BENCH_SECS, KITT_BENCH_TARGETS)
if [ -r "$KITT_TOP/build/guest/bench.env" ]; then
	. "$KITT_TOP/build/guest/bench.env"
fi
JOBS="randread-4k-qd32:randread:4k:32 randwrite-4k-qd32:randwrite:4k:32
randread-4k-qd1:randread:4k:1 randwrite-4k-qd1:randwrite:4k:1
read-128k-qd8:read:128k:8 write-128k-qd8:write:128k:8"
RAW=$KITT_OUT/logs/bench-raw.txt
INSN=$KITT_OUT/insn
MARK=0
MARKED=-

# ---- instruction counting (only when run-guest loaded the plugin) ----

# insn_mark: ask the plugin for a snapshot, wait until it is written, and
# leave its number in MARKED.
insn_mark() {
	MARKED=-
	[ -d "$INSN" ] || return 0
	touch "$INSN/mark-$MARK"
	while [ ! -e "$INSN/done-$MARK" ]; do
		sleep 0.05
	done
	MARKED=$MARK
	MARK=$((MARK + 1))
}

# insn_symbols TARGET: the addresses of the modules now loaded, so that
# ../shared/insn/attribute.py can split the counts by function.
insn_symbols() {
	[ -d "$INSN" ] || return 0
	cat /proc/kallsyms > "$INSN/kallsyms-$1"
}

# ---- one fio job ----

ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }

# ios_done DEV: reads plus writes completed by block device DEV.
ios_done() { awk '{ print $1 + $5 }' "/sys/block/${1#/dev/}/stat"; }

# fio_figures JSON RW: "IOPS MiB/s" of the job's read or write side.
fio_figures() {
	python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
side = "read" if "read" in sys.argv[2] else "write"
print(round(j[side]["iops"]), round(j[side]["bw_bytes"] / 2**20, 1))
PY
}

# run_job TARGET DEV SPEC: one fio job, one line in RAW.
run_job() {
	local job rw bs qd c0 c1 i0 i1 m0

	IFS=: read -r job rw bs qd <<< "$3"
	insn_mark
	m0=$MARKED
	c0=$(ctxt)
	i0=$(ios_done "$2")
	fio --name="$job" --filename="$2" --direct=1 --ioengine=libaio \
		--rw="$rw" --bs="$bs" --iodepth="$qd" --time_based \
		--runtime="$SECS" --ramp_time=1 --output-format=json \
		--output="$1-$job.json" >/dev/null 2>&1 || die "$1: fio $job failed"
	i1=$(ios_done "$2")
	c1=$(ctxt)
	insn_mark
	echo "$1 $job $(fio_figures "$1-$job.json" "$rw") $((i1 - i0)) $((c1 - c0)) $m0 $MARKED" >> "$RAW"
	# attribute.py's input: fio's KiB moved, the snapshot after the job
	[ "$MARKED" = - ] ||
		echo "$1 $job ios=$(( (i1 - i0) * ${bs%k} )) mark=$MARKED" >> "$INSN/out.log"
}

# run_jobs TARGET DEV
run_jobs() {
	local spec

	for spec in $JOBS; do
		run_job "$1" "$2" "$spec"
	done
	insn_symbols "$1"
}

# ---- iSCSI: kitt or iscsi_target_mod, through open-iscsi ----

iscsi_configure() {
	targetcli set global auto_add_default_portal=false >/dev/null
	targetcli /backstores/block create name=nb dev="$BACKEND" >/dev/null
	targetcli /iscsi create "$IQN" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/block/nb >/dev/null
	targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
	targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 \
		authentication=0 demo_mode_write_protect=0 >/dev/null
}

# Discovery and login may time out in icount mode: try a few times.
iscsi_login() {
	local i

	for i in 1 2 3 4 5; do
		iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null 2>&1 &&
			iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null 2>&1 &&
			return 0
		sleep 1
	done
	return 1
}

iscsi_logout() {
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null
	iscsiadm -m node -o delete
}

# bench_iscsi TARGET: TARGET is kitt or lio (iscsi_target_mod).
bench_iscsi() {
	local dev

	"$1_load"
	iscsi_configure
	iscsi_login || die "$1: login failed"
	dev=$(iscsi_disk "$IQN") || die "$1: no disk"
	run_jobs "$1" "$dev"
	iscsi_logout
	"$1_unload"
}

# ---- NVMe/TCP: nvmet-tcp, through the kernel's nvme-tcp host ----

nvmet_configure() {
	local sub=$NVMET/subsystems/$NQN port=$NVMET/ports/1

	modprobe nvmet-tcp
	mkdir "$sub"
	echo 1 > "$sub/attr_allow_any_host"
	mkdir "$sub/namespaces/1"
	echo -n "$BACKEND" > "$sub/namespaces/1/device_path"
	echo 1 > "$sub/namespaces/1/enable"
	mkdir "$port"
	echo tcp > "$port/addr_trtype"
	echo ipv4 > "$port/addr_adrfam"
	echo 127.0.0.1 > "$port/addr_traddr"
	echo 4420 > "$port/addr_trsvcid"
	ln -s "$sub" "$port/subsystems/$NQN"
}

nvmet_unconfigure() {
	local sub=$NVMET/subsystems/$NQN port=$NVMET/ports/1

	rm "$port/subsystems/$NQN"
	rmdir "$port"
	echo 0 > "$sub/namespaces/1/enable"
	rmdir "$sub/namespaces/1" "$sub"
	rmmod nvmet_tcp nvmet
}

# The controller connected to NQN (nvmeN), if any.
nvme_ctrl() {
	local c

	for c in /sys/class/nvme/nvme*; do
		[ "$(cat "$c/subsysnqn" 2>/dev/null)" = "$NQN" ] && { echo "${c##*/}"; return 0; }
	done
	return 1
}

# Connect through /dev/nvme-fabrics (no nvme-cli needed); like an iSCSI
# login, this may time out in icount mode: try a few times.
nvme_login() {
	local i

	modprobe nvme-tcp
	for i in 1 2 3 4 5; do
		echo "transport=tcp,traddr=127.0.0.1,trsvcid=4420,nqn=$NQN" \
			> /dev/nvme-fabrics 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

nvme_logout() {
	echo 1 > "/sys/class/nvme/$(nvme_ctrl)/delete_controller"
	rmmod nvme_tcp nvme_fabrics
}

# The namespace's block device (the multipath node when there is one),
# waiting up to 30 s for it.
nvme_disk() {
	local n=300 d

	while [ $n -gt 0 ]; do
		for d in /sys/block/nvme*n*; do
			case ${d##*/} in *c*) continue ;; esac
			[ "$(cat "$d/device/subsysnqn" 2>/dev/null)" = "$NQN" ] &&
				{ echo "/dev/${d##*/}"; return 0; }
		done
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

bench_nvmet() {
	local dev

	nvmet_configure
	nvme_login || die "nvmet: connect failed"
	dev=$(nvme_disk) || die "nvmet: no disk"
	run_jobs nvmet "$dev"
	nvme_logout
	nvmet_unconfigure
}

modprobe sd_mod
modprobe null_blk nr_devices=1 gb=4
iscsid
sleep 1
: > "$RAW"
for t in $TARGETS; do
	case $t in
	kitt|lio) bench_iscsi "$t" ;;
	nvmet) bench_nvmet ;;
	*) die "unknown target $t" ;;
	esac
done
killall iscsid
echo end >> "$RAW"
