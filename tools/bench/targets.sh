# SPDX-License-Identifier: GPL-2.0
# timeout: 7000
# (guest time, which runs ahead of the wall clock in an icount guest: the
# scaling steps of -s take much of it; run-guest -t bounds the wall time)
#
# Guest side of tools/bench/run: the same fio jobs over kitt and
# iscsi_target_mod (open-iscsi) and over nvmet-tcp (the kernel's NVMe/TCP
# host), all on one null_blk device, in one boot. Writes one line per
# target and job to logs/bench-raw.txt:
#   TARGET JOB IOPS MiB/s IOS CTXT MARK0 MARK1 SEGS IDLE CPUTIME
# IOPS and MiB/s are fio's. The rest is of a window of SECS seconds
# inside fio's run, once its I/O is under way and its ramp is over, with
# no start-up or exit of a process in it (see run_job): IOS are the I/Os
# of the job's size that the initiator's disks completed (sectors moved
# over block size: the block layer may split them), CTXT the context
# switches of the whole guest (/proc/stat), MARK0 and MARK1 the
# instruction-count snapshots at its ends when run-guest -p loaded a
# counting plugin ("-" otherwise), SEGS the TCP segments sent (on
# loopback: by both ends), IDLE the CPUs' idle time (with iowait;
# /proc/stat, all CPUs) and CPUTIME the window's length times the number
# of CPUs, both in USER_HZ ticks (1/100 s).
# A benchmark: nothing fails on speed.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:bench
NQN=nqn.2014-08.org.example.lab:bench
NVMET=/sys/kernel/config/nvmet
BACKEND=/dev/nullb0
SECS=4
TARGETS="kitt lio nvmet"
# Session scaling: for each N, N sessions (NVMe/TCP: controllers with one
# I/O queue), one LUN each, QD4 each, 4k random reads. Empty: none.
SESSIONS=""
# LUN scaling: one session (NVMe/TCP: one controller) to LUNS LUNs (namespaces),
# one fio job over all of them, QD32 in all, 4k random reads. Empty: none.
LUNS=""
# TPG parameters set on kitt's and iscsi_target_mod's target alike
# ("MaxRecvDataSegmentLength=262144 ..."). Empty: the defaults.
TPG_PARAMS=""
# 1: kitt's trace events on (into the ring buffer) while it runs.
TRACE=""
# More null_blk parameters ("memory_backed=1"). Empty: none.
NULLB_PARAMS=""
# The I/O scheduler of the initiator's disks ("none", "mq-deadline").
# Empty: the kernel's default (mq-deadline for iSCSI disks, none for NVMe).
SCHED=""
# Job names ("randread-4k-qd1 sessions-8"): while such a job runs, the
# scheduler's switches and the work items run are traced, into
# logs/switches-TARGET-JOB.txt (tools/bench/switches.py reads them).
# Tracing costs instructions: such a job's figures are not the benchmark's.
SWITCHES=""
# Idle sessions logged in (from user space, tools/bench/memory.py) to
# measure kernel memory per connection and per session; adds the line
#   TARGET memory CONN_BYTES SESS_BYTES COUNT
MEMSESS=32
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
	: > "$INSN/mark-$MARK"
	while [ ! -e "$INSN/done-$MARK" ]; do
		nap 0.05
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

# ---- which tasks run (SWITCHES) ----

SWEV="sched/sched_switch workqueue/workqueue_execute_start
workqueue/workqueue_execute_end"
TRACEFS=/sys/kernel/tracing
SWBUF=

# tracefs_mount: tracefs at TRACEFS (the guest does not mount it).
tracefs_mount() {
	[ -d $TRACEFS/events ] || mount -t tracefs nodev $TRACEFS
}

# switches_wanted JOB: whether SWITCHES names JOB.
switches_wanted() {
	case " $SWITCHES " in *" $1 "*) return 0 ;; esac
	return 1
}

# switches_buffer_size: SWBUF, the ring buffer's size per CPU to restore
# after tracing ("7 (expanded: 1408)" until first used: 1408), or nothing
# when the CPUs' sizes differ ("X").
switches_buffer_size() {
	local size rest

	read -r size rest < $TRACEFS/buffer_size_kb
	case $rest in
	"(expanded: "*)
		size=${rest#"(expanded: "}
		size=${size%)} ;;
	esac
	case $size in
	'' | *[!0-9]*) SWBUF= ;;
	*) SWBUF=$size ;;
	esac
}

# switches_arm JOB: events on, the buffer empty, tracing still off (before
# the measured window: this starts processes).
switches_arm() {
	local e

	switches_wanted "$1" || return 0
	tracefs_mount
	echo 0 > $TRACEFS/tracing_on
	switches_buffer_size
	echo 32768 > $TRACEFS/buffer_size_kb
	: > $TRACEFS/trace
	for e in $SWEV; do
		echo 1 > "$TRACEFS/events/$e/enable"
	done
}

# switches_trace JOB 1|0: tracing on or off (builtins only).
switches_trace() {
	switches_wanted "$1" || return 0
	echo "$2" > $TRACEFS/tracing_on
}

# switches_save TARGET JOB: events off, the trace kept (after the window),
# the ring buffer as it was.
switches_save() {
	local e

	switches_wanted "$2" || return 0
	for e in $SWEV; do
		echo 0 > "$TRACEFS/events/$e/enable"
	done
	cat $TRACEFS/trace > "$KITT_OUT/logs/switches-$1-$2.txt"
	: > $TRACEFS/trace
	[ -z "$SWBUF" ] || echo "$SWBUF" > $TRACEFS/buffer_size_kb
	echo 1 > $TRACEFS/tracing_on
}

# ---- one fio job ----

# The measured window lies inside fio's run, and no process starts or
# ends in it: fio's own start-up and exit cost about 180M instructions
# (its libraries' relocations, page faults; 80M more in a boot's first
# job while the page cache fills), which once added 2k to 11k per I/O to
# kitt's 4 s jobs, and each other process (an awk, a sleep, a subshell) would
# add its fork, exec, page faults and exit; the sectors were once read by
# one per disk. So fio starts, its I/O is seen to begin, its ramp second
# passes, and only then the window opens, for SECS seconds of fio's
# SECS + FIO_MARGIN: what remains in it besides the I/O is small (the
# mark files and the polls after the first snapshot, a 9p lookup and a
# timed sleep each, their number set by the host's speed). The plugin
# takes a snapshot while the guest runs on, for as long as the host takes
# to write it (at 64 sessions, once more than fio's old 2 s margin of
# guest time, and fio had ended before the window's last snapshot was
# done): fio's run reaches far past the window, and fio is stopped
# (SIGINT, after which it still writes its report) once the window's
# figures are in.
FIO_MARGIN=60

# A FIFO that nobody writes to, open on NAPFD: "read -t" on it sleeps
# without starting a process.
NAP=$(mktemp -u /tmp/bench-nap.XXXXXX)
mkfifo "$NAP"
exec {NAPFD}<> "$NAP"
rm -f "$NAP"
nap() { read -r -t "$1" -u "$NAPFD" _ || true; }

# now_us: NOW, the guest's clock in microseconds (a builtin variable).
now_us() { NOW=${EPOCHREALTIME//[!0-9]/}; }

# nap_until US: sleep until the guest's clock reads US microseconds;
# false if it is past already.
nap_until() {
	local left frac

	now_us
	left=$(($1 - NOW))
	[ "$left" -gt 0 ] || return 1
	printf -v frac '%06d' $((left % 1000000))
	nap "$((left / 1000000)).$frac"
}

# read_ctxt: CTXT, the guest's context switches since boot, and its
# CPU time (read_cpu_time).
read_ctxt() {
	local key val f

	CTXT=
	IDLE=
	NCPU=0
	while read -r key val f; do
		[ "$key" != cpu ] || read_idle "$val" $f
		[ "${key#cpu[0-9]}" = "$key" ] || NCPU=$((NCPU + 1))
		[ "$key" != ctxt ] || { CTXT=$val; return 0; }
	done < /proc/stat
	die "no context switch count in /proc/stat"
}

# read_idle USER NICE SYSTEM IDLE IOWAIT ...: of /proc/stat's "cpu" line
# (all CPUs, USER_HZ ticks), IDLE: idle and iowait. (The busy fields are
# counted in whole ticks and miss short runs; idle time is exact, so the
# idle share is taken over the window's length.)
read_idle() {
	IDLE=$(($4 + $5))
}

# read_sectors DISK...: SECTORS, the sectors read and written on them all.
read_sectors() {
	local d f

	SECTORS=0
	for d in "$@"; do
		read -r -a f < "/sys/block/${d#/dev/}/stat" ||
			die "no statistics for $d"
		SECTORS=$((SECTORS + f[2] + f[6]))
	done
}

# read_segs: SEGS, the TCP segments sent by every socket (on loopback
# both ends count): the OutSegs column of /proc/net/snmp's second Tcp:
# line, found by its heading in the first.
read_segs() {
	local f i col=

	SEGS=
	while read -r -a f; do
		[ "${f[0]}" = Tcp: ] || continue
		if [ -n "$col" ]; then
			SEGS=${f[col]}
			return 0
		fi
		for i in "${!f[@]}"; do
			[ "${f[i]}" != OutSegs ] || col=$i
		done
		[ -n "$col" ] || break
	done < /proc/net/snmp
	die "no OutSegs in /proc/net/snmp"
}

# disks_move SECS DISK...: whether the disks moved data within SECS.
disks_move() {
	local s

	read_sectors "${@:2}"
	s=$SECTORS
	nap "$1"
	read_sectors "${@:2}"
	[ "$SECTORS" != "$s" ]
}

# fio_figures JSON RW: "IOPS MiB/s" of the job's read or write side.
fio_figures() {
	python3 - "$1" "$2" <<'PY'
import json, sys
# Stopped by a signal, fio puts a line of its own before the JSON.
text = open(sys.argv[1]).read()
lines = text.splitlines(True)
first = next(i for i, line in enumerate(lines) if line.startswith("{"))
j = json.JSONDecoder().raw_decode("".join(lines[first:]))[0]["jobs"][0]
side = "read" if "read" in sys.argv[2] else "write"
print(round(j[side]["iops"]), round(j[side]["bw_bytes"] / 2**20, 1))
PY
}

# The fio of the job under way, stopped if the bench dies meanwhile (the
# guest runner then logs out and unloads the target under it otherwise).
FIO_PID=
# The window's start of the job under way, in microseconds, for fio_diag.
T0=

# fio_running: whether fio is still there.
fio_running() { kill -0 "$FIO_PID" 2>/dev/null; }

fio_stop() {
	[ -z "$FIO_PID" ] || { kill "$FIO_PID"; wait "$FIO_PID"; } 2>/dev/null || :
}
trap fio_stop EXIT

# fio_end TARGET JOB: stop fio, whose run reaches past the window. On
# SIGINT it ends its jobs, writes its report and exits with 128.
fio_end() {
	local rc=0

	kill -INT "$FIO_PID" 2>/dev/null || :
	wait "$FIO_PID" || rc=$?
	FIO_PID=
	[ "$rc" = 0 ] || [ "$rc" = 128 ] ||
		die "$1: fio $2 failed, exit status $rc (logs/fio-$1-$2.err)"
}

# io_started TARGET JOB DISK...: wait until the disks move data (fio's
# I/O has begun); dies if fio ends first.
io_started() {
	until disks_move 0.01 "${@:3}"; do
		fio_running || die "$1: fio $2 ended before any I/O (logs/fio-$1-$2.err)"
	done
}

# fio_diag TARGET JOB DISK...: what the guest looked like when fio's I/O
# stopped, in logs/diag-TARGET-JOB.txt: the clock, whether fio runs, each
# disk's in-flight count and statistics, fio's JSON and the kernel's log.
fio_diag() {
	local d f=$KITT_OUT/logs/diag-$1-$2.txt

	{
		now_us
		echo "clock $NOW us, window from ${T0:-?}, fio $(fio_running && echo runs || echo ended)"
		for d in "${@:3}"; do
			echo "$d inflight $(< "/sys/block/${d#/dev/}/inflight")" \
			     "stat $(< "/sys/block/${d#/dev/}/stat")"
		done
		echo "--- $1-$2.json"
		cat "$1-$2.json" 2>&1
		echo "--- dmesg"
		dmesg | tail -n 200
	} > "$f" 2>&1
}

# fio_alive TARGET JOB WHEN DISK...: die unless fio still runs and moves data.
fio_alive() {
	if ! disks_move 0.02 "${@:4}" || ! fio_running; then
		fio_diag "$1" "$2" "${@:4}" || :
		die "$1: fio $2 stopped $3 (logs/fio-$1-$2.err, logs/diag-$1-$2.txt)"
	fi
}

# run_job TARGET SPEC DEV...: one fio job (QD per device, one fio job per
# device, reported together), one line in RAW. With ONE_JOB=1, one fio
# job over all the devices instead (QD in all, each I/O to a random one).
run_job() {
	local t=$1 job rw bs qd c0 c1 s0 s1 m0 d kib g0 g1 t0 t1 i0 i1 figs
	local args files

	IFS=: read -r job rw bs qd <<< "$2"
	shift 2
	# --disk_util=0: fio would read every disk's sysfs statistics again
	# and again, whose path walks grew with the disks to 1.4M of 1.5M
	# instructions per I/O at 256 LUNs (read_sectors counts the I/Os).
	args=(--direct=1 --ioengine=libaio --rw="$rw" --bs="$bs" --iodepth="$qd"
	      --time_based --runtime=$((SECS + FIO_MARGIN)) --ramp_time=1 --group_reporting
	      --disk_util=0 --output-format=json --output="$t-$job.json")
	if [ "${ONE_JOB:-}" = 1 ]; then
		files=$(IFS=:; echo "$*")
		args+=(--name="$job" --filename="$files" --file_service_type=random)
	else
		for d in "$@"; do
			args+=(--name="$job" --filename="$d")
		done
	fi
	if [ -n "$SCHED" ]; then
		for d in "$@"; do
			echo "$SCHED" > "/sys/block/${d#/dev/}/queue/scheduler" ||
				die "$t: no scheduler $SCHED for $d"
		done
	fi
	switches_arm "$job"
	fio "${args[@]}" >/dev/null 2>"$KITT_OUT/logs/fio-$t-$job.err" &
	FIO_PID=$!
	T0=
	io_started "$t" "$job" "$@"
	# fio's ramp: the window opens with the I/O in its stride. The I/O
	# goes on while the plugin takes a snapshot: the counters are read
	# in the same order at both ends, the snapshot last, so that both
	# windows are as long; the window's end is SECS after its start,
	# however long the first snapshot took.
	nap 1
	fio_alive "$t" "$job" "before its window" "$@"
	switches_trace "$job" 1
	now_us
	t0=$NOW
	T0=$t0
	read_ctxt
	c0=$CTXT
	i0=$IDLE
	read_sectors "$@"
	s0=$SECTORS
	read_segs
	g0=$SEGS
	insn_mark
	m0=$MARKED
	nap_until $((t0 + SECS * 1000000)) ||
		die "$t: the snapshot took longer than $job's window"
	switches_trace "$job" 0
	now_us
	t1=$NOW
	read_ctxt
	c1=$CTXT
	i1=$IDLE
	read_sectors "$@"
	s1=$SECTORS
	read_segs
	g1=$SEGS
	insn_mark
	# fio's end inside the window would make the window's figures wrong
	fio_alive "$t" "$job" "inside its window" "$@"
	fio_end "$t" "$job"
	switches_save "$t" "$job"
	kib=$(( (s1 - s0) / 2 ))
	figs=$(fio_figures "$t-$job.json" "$rw") ||
		die "$t: no figures in fio $job's report ($t-$job.json)"
	echo "$t $job $figs $((kib / ${bs%k})) $((c1 - c0)) $m0 $MARKED $((g1 - g0)) $((i1 - i0)) $((NCPU * (t1 - t0) / 10000))" >> "$RAW"
	# attribute.py's input: KiB moved, the snapshot after the job
	[ "$MARKED" = - ] || echo "$t $job ios=$kib mark=$MARKED" >> "$INSN/out.log"
}

# run_jobs TARGET DEV
run_jobs() {
	local spec

	for spec in $JOBS; do
		run_job "$1" "$spec" "$2"
	done
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
	[ -z "$TPG_PARAMS" ] ||
		targetcli "/iscsi/$IQN/tpg1" set parameter $TPG_PARAMS >/dev/null
}

# iscsi_login IQN: discover (unless IQN's node record exists) and log in.
# Either may time out in icount mode: try a few times.
iscsi_login() {
	local i

	for i in 1 2 3 4 5; do
		{ iscsiadm -m node -T "$1" >/dev/null 2>&1 ||
		  iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null 2>&1; } &&
			iscsiadm -m node -T "$1" -p 127.0.0.1:3260 --login >/dev/null 2>&1 &&
			return 0
		sleep 1
	done
	return 1
}

iscsi_logout_all() {
	iscsiadm -m session -u >/dev/null 2>&1 || true
	iscsiadm -m node -o delete 2>/dev/null || true
}

# iscsi_backstore I: iblock backstore sI over nullbI, written to configfs
# directly (targetcli is slow in an icount guest: up to 256 of them).
# With a unit serial number, as targetcli gives every backstore: without
# one the target core offers no VPD pages, so the initiator takes the LUN
# for a rotating disk and feeds each completion to the entropy pool
# (about 300 instructions per I/O).
iscsi_backstore() {
	local b=$CFS/core/iblock_$1/s$1

	mkdir -p "$b"
	echo "udev_path=/dev/nullb$1" > "$b/control"
	cat /proc/sys/kernel/random/uuid > "$b/wwn/vpd_unit_serial"
	echo 1 > "$b/enable"
}

iscsi_backstore_del() {
	rmdir "$CFS/core/iblock_$1/s$1" "$CFS/core/iblock_$1"
}

# iscsi_tpg_open TPG: portal 127.0.0.1:3260, demo mode, enabled.
iscsi_tpg_open() {
	mkdir "$1/np/127.0.0.1:3260"
	echo 1 > "$1/attrib/generate_node_acls"
	echo 0 > "$1/attrib/authentication"
	echo 0 > "$1/attrib/demo_mode_write_protect"
	echo 1 > "$1/enable"
}

# iscsi_tpg_del TPG N: disable TPG and remove it with its LUNs 0..N-1.
iscsi_tpg_del() {
	local i

	echo 0 > "$1/enable"
	for i in $(seq 0 $(($2 - 1))); do
		rm "$1/lun/lun_$i/nb"
		rmdir "$1/lun/lun_$i"
	done
	rmdir "$1/np/127.0.0.1:3260" "$1" "$(dirname "$1")"
}

# iscsi_scale_target I: target IQN-sI with backstore sI as LUN 0.
iscsi_scale_target() {
	local t=$ISCSI/$IQN-s$1/tpgt_1

	mkdir -p "$t/lun/lun_0"
	ln -s "$CFS/core/iblock_$1/s$1" "$t/lun/lun_0/nb"
	iscsi_tpg_open "$t"
}

# iscsi_luns_target N: target IQN-l with backstores s1..sN as LUNs 0..N-1.
iscsi_luns_target() {
	local t=$ISCSI/$IQN-l/tpgt_1 i

	mkdir -p "$t"
	for i in $(seq 1 "$1"); do
		mkdir "$t/lun/lun_$((i - 1))"
		ln -s "$CFS/core/iblock_$i/s$i" "$t/lun/lun_$((i - 1))/nb"
	done
	iscsi_tpg_open "$t"
}

# iscsi_disks IQN N: the N disks of IQN's session, waiting up to 5 minutes
# for the scan (slow in an icount guest).
iscsi_disks() {
	local n=3000 s d found

	while [ $n -gt 0 ]; do
		found=()
		for s in /sys/class/iscsi_session/session*; do
			grep -qx "$1" "$s/targetname" 2>/dev/null || continue
			for d in "$s"/device/target*/*:*/block/*; do
				[ -e "$d" ] && found+=("/dev/${d##*/}")
			done
		done
		[ ${#found[@]} -lt "$2" ] || { echo "${found[@]}"; return 0; }
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# iscsi_luns TARGET N: one session to N LUNs, one fio job over them all.
# A step that fails is left out of the table, not the whole run.
iscsi_luns() {
	local devs

	if ! iscsi_login "$IQN-l"; then
		echo "$1: login to $2 LUNs failed" >&2
	elif ! devs=$(iscsi_disks "$IQN-l" "$2"); then
		echo "$1: not all $2 LUNs appeared" >&2
	else
		# shellcheck disable=SC2086 # one word per disk
		ONE_JOB=1 run_job "$1" "luns-$2:randread:4k:32" $devs
	fi
	iscsi_logout_all
}

# iscsi_scale TARGET N: N sessions, one to each of N targets. A step that
# fails is left out of the table, not the whole run.
iscsi_scale() {
	local i devs=() ok=1

	for i in $(seq 1 "$2"); do
		iscsi_login "$IQN-s$i" || { ok=; echo "$1: login $i failed" >&2; break; }
		devs+=("$(iscsi_disk "$IQN-s$i")") || { ok=; echo "$1: no disk $i" >&2; break; }
	done
	[ -z "$ok" ] || run_job "$1" "sessions-$2:randread:4k:4" "${devs[@]}"
	iscsi_logout_all
}

# iscsi_memory TARGET: kernel memory per connection before its login and
# per idle session, its connection included (tools/bench/memory.py), as a
# "TARGET memory CONN SESS N" line.
iscsi_memory() {
	local m

	m=$(PYTHONPATH=$KITT_TOP/tools/testing python3 \
		"$KITT_TOP/tools/bench/memory.py" "$IQN" "$MEMSESS") ||
		{ echo "$1: memory not measured" >&2; return 0; }
	echo "$1 memory $m $MEMSESS" >> "$RAW"
}

# kitt_trace 1|0: kitt's trace events on or off.
kitt_trace() {
	tracefs_mount
	echo "$1" > $TRACEFS/events/kitt/enable
}

# bench_iscsi TARGET: TARGET is kitt, lio (iscsi_target_mod), kitt-trace
# (kitt with all its trace events on, as with TRACE=1) or kitt-nobuf (kitt
# keeping no data buffers: session_buffer_cache_mib=0).
bench_iscsi() {
	local dev n i mod=${1%-*} trace=$TRACE

	[ "$1" != kitt-trace ] || trace=1
	"${mod}_load"
	[ "$mod$trace" != kitt1 ] || kitt_trace 1
	[ "$1" != kitt-nobuf ] ||
		echo 0 > /sys/module/kitt/parameters/session_buffer_cache_mib
	iscsi_configure
	iscsi_login "$IQN" || die "$1: login failed"
	dev=$(iscsi_disk "$IQN") || die "$1: no disk"
	run_jobs "$1" "$dev"
	iscsi_logout_all
	iscsi_memory "$1"
	for i in $(seq 1 "$MAXDEV"); do
		iscsi_backstore "$i"
	done
	for i in $(seq 1 "$MAXSESS"); do
		iscsi_scale_target "$i"
	done
	for n in $SESSIONS; do
		iscsi_scale "$1" "$n"
	done
	for i in $(seq 1 "$MAXSESS"); do
		iscsi_tpg_del "$ISCSI/$IQN-s$i/tpgt_1" 1
	done
	if [ -n "$LUNS" ]; then
		iscsi_luns_target "$LUNS"
		iscsi_luns "$1" "$LUNS"
		iscsi_tpg_del "$ISCSI/$IQN-l/tpgt_1" "$LUNS"
	fi
	for i in $(seq 1 "$MAXDEV"); do
		iscsi_backstore_del "$i"
	done
	insn_symbols "$1"
	[ "$mod$trace" != kitt1 ] || kitt_trace 0
	"${mod}_unload"
}

# ---- NVMe/TCP: nvmet-tcp, through the kernel's nvme-tcp host ----

# nvmet_subsys NQN DEV...: a subsystem with the DEVs as namespaces 1, 2...,
# on port 1.
nvmet_subsys() {
	local sub=$NVMET/subsystems/$1 d i=0

	shift
	mkdir "$sub"
	echo 1 > "$sub/attr_allow_any_host"
	for d in "$@"; do
		i=$((i + 1))
		mkdir "$sub/namespaces/$i"
		echo -n "$d" > "$sub/namespaces/$i/device_path"
		echo 1 > "$sub/namespaces/$i/enable"
	done
	ln -s "$sub" "$NVMET/ports/1/subsystems/${sub##*/}"
}

nvmet_subsys_del() {
	local sub=$NVMET/subsystems/$1 ns

	rm "$NVMET/ports/1/subsystems/$1"
	for ns in "$sub"/namespaces/*; do
		echo 0 > "$ns/enable"
		rmdir "$ns"
	done
	rmdir "$sub"
}

nvmet_port() {
	local port=$NVMET/ports/1

	modprobe nvmet-tcp
	mkdir "$port"
	echo tcp > "$port/addr_trtype"
	echo ipv4 > "$port/addr_adrfam"
	echo 127.0.0.1 > "$port/addr_traddr"
	echo 4420 > "$port/addr_trsvcid"
}

nvmet_port_del() {
	rmdir "$NVMET/ports/1"
	rmmod nvmet_tcp nvmet
}

# Connect to subsystem $1 through /dev/nvme-fabrics (no nvme-cli needed),
# with extra options $2; like an iSCSI login, this may time out in icount
# mode: try a few times.
nvme_login() {
	local i

	for i in 1 2 3 4 5; do
		echo "transport=tcp,traddr=127.0.0.1,trsvcid=4420,nqn=$1${2:-}" \
			> /dev/nvme-fabrics 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

# Disconnect every controller.
nvme_logout_all() {
	local c

	for c in /sys/class/nvme/nvme*; do
		[ -e "$c/delete_controller" ] && echo 1 > "$c/delete_controller"
	done
	return 0
}

# nvme_disk NQN: the namespace's block device (the multipath node when
# there is one), waiting up to 30 s for it.
nvme_disk() {
	local n=300 d

	while [ $n -gt 0 ]; do
		for d in /sys/block/nvme*n*; do
			case ${d##*/} in *c*) continue ;; esac
			[ "$(cat "$d/device/subsysnqn" 2>/dev/null)" = "$1" ] &&
				{ echo "/dev/${d##*/}"; return 0; }
		done
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# nvme_disks NQN N: the N namespaces' block devices, waiting up to 5 minutes.
nvme_disks() {
	local n=3000 d found

	while [ $n -gt 0 ]; do
		found=()
		for d in /sys/block/nvme*n*; do
			case ${d##*/} in *c*) continue ;; esac
			[ "$(cat "$d/device/subsysnqn" 2>/dev/null)" = "$1" ] &&
				found+=("/dev/${d##*/}")
		done
		[ ${#found[@]} -lt "$2" ] || { echo "${found[@]}"; return 0; }
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# nvme_luns N: one controller to a subsystem of N namespaces, one fio job
# over them all.
nvme_luns() {
	local devs

	if ! nvme_login "$NQN-l"; then
		echo "nvmet: connect to $1 namespaces failed" >&2
	elif ! devs=$(nvme_disks "$NQN-l" "$1"); then
		echo "nvmet: not all $1 namespaces appeared" >&2
	else
		# shellcheck disable=SC2086 # one word per disk
		ONE_JOB=1 run_job nvmet "luns-$1:randread:4k:32" $devs
	fi
	nvme_logout_all
}

# nvme_scale N: N controllers with one I/O queue each, one subsystem each.
# A step that fails is left out of the table, not the whole run.
nvme_scale() {
	local i devs=() ok=1

	for i in $(seq 1 "$1"); do
		nvme_login "$NQN-s$i" ,nr_io_queues=1 || { ok=; echo "nvmet: connect $i failed" >&2; break; }
		devs+=("$(nvme_disk "$NQN-s$i")") || { ok=; echo "nvmet: no disk $i" >&2; break; }
	done
	[ -z "$ok" ] || run_job nvmet "sessions-$1:randread:4k:4" "${devs[@]}"
	nvme_logout_all
}

bench_nvmet() {
	local dev n i

	nvmet_port
	nvmet_subsys "$NQN" "$BACKEND"
	modprobe nvme-tcp
	nvme_login "$NQN" || die "nvmet: connect failed"
	dev=$(nvme_disk "$NQN") || die "nvmet: no disk"
	run_jobs nvmet "$dev"
	nvme_logout_all
	for i in $(seq 1 "$MAXSESS"); do
		nvmet_subsys "$NQN-s$i" "/dev/nullb$i"
	done
	for n in $SESSIONS; do
		nvme_scale "$n"
	done
	for i in $(seq 1 "$MAXSESS") ""; do
		nvmet_subsys_del "$NQN${i:+-s$i}"
	done
	if [ -n "$LUNS" ]; then
		# shellcheck disable=SC2046 # one word per device
		nvmet_subsys "$NQN-l" $(seq -f /dev/nullb%g 1 "$LUNS")
		nvme_luns "$LUNS"
		nvmet_subsys_del "$NQN-l"
	fi
	insn_symbols nvmet
	# Measured already: a module that will not go loses nothing.
	rmmod nvme_tcp nvme_fabrics || echo "nvmet: nvme_tcp stays loaded" >&2
	nvmet_port_del || echo "nvmet: nvmet stays loaded" >&2
}

# One null_blk device for the jobs, one more per session of the largest
# scaling step or per LUN of the LUN step, whichever is more.
MAXSESS=0
for n in $SESSIONS; do
	[ "$n" -le "$MAXSESS" ] || MAXSESS=$n
done
MAXDEV=$MAXSESS
[ "${LUNS:-0}" -le "$MAXDEV" ] || MAXDEV=$LUNS
modprobe sd_mod
# shellcheck disable=SC2086 # NULLB_PARAMS: several words
modprobe null_blk nr_devices=$((1 + MAXDEV)) gb=4 $NULLB_PARAMS
iscsid
sleep 1
: > "$RAW"
rm -f "$KITT_OUT"/logs/switches-*.txt
for t in $TARGETS; do
	case $t in
	kitt|kitt-trace|kitt-nobuf|lio) bench_iscsi "$t" ;;
	nvmet) bench_nvmet ;;
	*) die "unknown target $t" ;;
	esac
done
killall iscsid
echo end >> "$RAW"
