# SPDX-License-Identifier: GPL-2.0
# timeout: 400
#
# The tracing commands of Documentation/admin-guide.rst ("Tracing"), run
# as written there against kitt's trace events: perf record and trace-cmd
# record (each around one initiator run instead of "sleep 60") report the
# events with their fields, and the two bpftrace one-liners, running
# meanwhile, count the refused logins by initiator, class, detail and
# reason and make a histogram of command latency that counts every
# command once.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:bpf
NAME=iqn.2003-01.org.example.lab:bpf-host
READS=20
work=$(mktemp -d)
doc=$KITT_TOP/Documentation/admin-guide.rst
# On any exit: bpftrace, perf or trace-cmd left running would keep kitt's
# events, and so kitt, in use for the tests after this one.
cleanup() {
	local p

	for p in bpftrace perf trace-cmd; do
		pkill -x $p || true
	done
	for _ in $(seq 20); do
		pgrep -x bpftrace >/dev/null || pgrep -x perf >/dev/null ||
			pgrep -x trace-cmd >/dev/null || break
		sleep 0.5
	done
	rm -rf "$work"
}
trap cleanup EXIT

for t in bpftrace perf trace-cmd; do
	command -v $t >/dev/null || die "no $t (tools/setup.sh installs it)"
done
kitt_load
demo_target "$IQN"
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing

# The commands, copied from the admin guide's literal blocks.
awk '/^    bpftrace -e/ { n++; on = 1 } on && /^$/ { on = 0 }
     on { sub(/^    /, ""); print > (dir "/oneliner" n ".sh") }' \
	dir="$work" "$doc"
[ -s "$work/oneliner1.sh" ] && [ -s "$work/oneliner2.sh" ] ||
	die "the admin guide has no two bpftrace one-liners"
for t in perf trace-cmd; do
	grep -m1 "^    $t record .* sleep 60 && " "$doc" | sed 's/^    //' > "$work/$t.sh"
	[ -s "$work/$t.sh" ] || die "the admin guide has no $t record command"
done
for f in oneliner1 oneliner2 perf trace-cmd; do
	log "$f: $(cat "$work/$f.sh")"
done

# The initiator: two logins refused (no such target), then a session
# with READS reads of 512 bytes and a logout; with "refused-only", one
# refused login and nothing else.
cat > "$work/initiator.py" <<'PY'
import sys
from iscsi_peer import *

iqn, name, reads = sys.argv[1], sys.argv[2], int(sys.argv[3])
refused_only = sys.argv[4:] == ['refused-only']
for target in (iqn + '-none',) if refused_only else (iqn + '-none', iqn + '-gone'):
    bad = Peer('127.0.0.1')
    try:
        bad.login(name, target)
    except RuntimeError:
        pass
    bad.close()
if refused_only:
    sys.exit(0)
p = Peer('127.0.0.1')
p.login(name, iqn)
for i in range(reads):
    p.scsi_read(0, rw10(0x28, i, 1), 512)
assert p.logout().opcode == OP_LOGOUT_RSP
p.close()
PY
# It leaves initiator-ok behind when it worked: trace-cmd record does not
# pass on the exit status of the command it ran.
echo "PYTHONPATH=$KITT_TOP/tools/testing python3 $work/initiator.py $IQN $NAME $READS && touch $work/initiator-ok" \
	> "$work/initiator.sh"

# start_bpf N: runs one-liner N in the background until its probes are
# attached. The test adds two probes of its own: bpftrace says "Attaching"
# before it attaches, so a BEGIN probe (it fires once the others are
# attached) says when it is ready; and a refused login from the initiator
# name STOP makes it exit() (see stop_bpf).
STOP=iqn.2003-01.org.example.lab:bpf-stop
start_bpf() {
	sed '$ s/'"'"'$/ BEGIN { printf("bpftrace-ready\\n"); }\
tracepoint:kitt:kitt_login_result \/str(args->initiator) == "'"$STOP"'"\/ { exit(); }'"'"'/' \
		"$work/oneliner$1.sh" > "$work/run$1.sh"
	sh "$work/run$1.sh" > "$work/out$1" 2>&1 &
	echo $! > "$work/pid$1"
	for _ in $(seq 300); do
		grep -q '^bpftrace-ready' "$work/out$1" && return 0
		kill -0 "$(cat "$work/pid$1")" 2>/dev/null || break
		sleep 1
	done
	cat "$work/out$1"
	die "bpftrace one-liner $1 did not attach"
}

# bpf_gone N SECS: one-liner N has exited within SECS seconds.
bpf_gone() {
	for _ in $(seq "$2"); do
		kill -0 "$(cat "$work/pid$1")" 2>/dev/null || return 0
		sleep 1
	done
	return 1
}

# stop_bpf N...: a refused login from STOP makes each one-liner exit()
# and print its maps. One that has not exited after 30 s gets SIGINT, as
# from a terminal (it, too, prints the maps), and the test fails if that
# does not end it either.
stop_bpf() {
	local n bpf_pid

	PYTHONPATH=$KITT_TOP/tools/testing python3 "$work/initiator.py" "$IQN" "$STOP" 0 refused-only
	for n in "$@"; do
		if ! bpf_gone "$n" 30; then
			log "one-liner $n did not exit(): SIGINT"
			bpf_pid=$(pgrep -P "$(cat "$work/pid$n")" -x bpftrace) || true
			grep -E '^(State|SigIgn|SigCgt)' "/proc/$bpf_pid/status" || true
			kill -INT "$bpf_pid" 2>/dev/null || true
			bpf_gone "$n" 30 || {
				cat "$work/out$n"
				die "bpftrace one-liner $n ended neither by exit() nor on SIGINT"
			}
		fi
		log "one-liner $n printed:"
		cat "$work/out$n"
	done
}

# record TOOL: the guide's TOOL command with the initiator for "sleep 60";
# its report goes to out-TOOL.
record() {
	sed "s|sleep 60|sh $work/initiator.sh|" "$work/$1.sh" > "$work/run-$1.sh"
	rm -f "$work/initiator-ok"
	if ! (cd "$work" && sh "run-$1.sh") > "$work/out-$1" 2> "$work/err-$1" ||
	   [ ! -e "$work/initiator-ok" ]; then
		cat "$work/err-$1"
		die "$1, or the initiator it ran, failed"
	fi
	log "$1 reported, from its first line with $NAME:"
	sed -n "/$NAME/,\$ p" "$work/out-$1"
}

# check_report TOOL: the session's events, with the fields as kitt prints
# them.
check_report() {
	local n

	n=$(grep -c "kitt_login_result: *.* initiator=$NAME target=$IQN-[a-z]* tsih=0 class=2 detail=3 why=no such target on this portal$" "$work/out-$1") || true
	expect_eq "$1: the refused logins' kitt_login_result" "$n" 2
	n=$(grep -c "kitt_login_start: *peer=127.0.0.1:[0-9]* isid=801234560001 tsih=0 cid=0$" "$work/out-$1") || true
	expect_eq "$1: kitt_login_start of each login, with its ISID" "$n" 3
	n=$(grep -c "kitt_sess_create: *tsih=[1-9][0-9]* initiator=$NAME target=$IQN type=normal" "$work/out-$1") || true
	expect_eq "$1: kitt_sess_create" "$n" 1
	n=$(grep -c "kitt_cmd_submit: *tsih=[1-9][0-9]* itt=0x[0-9a-f]* lun=0 opcode=0x28 len=512$" "$work/out-$1") || true
	expect_eq "$1: the READs' kitt_cmd_submit" "$n" "$READS"
	n=$(grep -c "kitt_cmd_complete: *tsih=[1-9][0-9]* itt=0x[0-9a-f]* opcode=0x28 bytes=512 resid=0 status=0x00$" "$work/out-$1") || true
	expect_eq "$1: the READs' kitt_cmd_complete" "$n" "$READS"
	n=$(grep -c "kitt_conn_state: *conn=[0-9a-fx]* tsih=[1-9][0-9]* old=2 state=3 why=logged out$" "$work/out-$1") || true
	expect_eq "$1: kitt_conn_state, logging out to closing, why" "$n" 1
	n=$(grep -c "kitt_sess_end: *tsih=[1-9][0-9]* initiator=$NAME target=$IQN type=normal logged_out=1" "$work/out-$1") || true
	expect_eq "$1: kitt_sess_end after the logout" "$n" 1
}

start_bpf 1
start_bpf 2
record perf
record trace-cmd
stop_bpf 1 2
check_report perf
check_report trace-cmd

# Refused logins: four (two per run), class 2 (initiator error) detail 3
# (not found).
n=$(awk -v key="@[$NAME, 2, 3, " 'index($0, key) == 1 { s += $NF } END { print s + 0 }' "$work/out1")
expect_eq "refused logins counted by the one-liner (class 2 detail 3)" "$n" 4
# Its /args->class/ filter leaves out the logins that worked.
grep -q "^@\[$NAME, 0, 0" "$work/out1" && die "one-liner 1 counted a login that worked"

# The histogram counts each command once: the READs of both runs, as the
# sessions sent nothing else. A bucket line: "[lo, hi)  COUNT |@@@ |" or
# "[n]  COUNT |...|".
total=$(awk '/^@usecs:/ { on = 1; next }
	on && /^\[/ { sub(/^[^])]*[])] */, ""); s += $1 } END { print s + 0 }' "$work/out2")
expect_eq "commands in the latency histogram" "$total" $((2 * READS))
grep -q '^@t\[' "$work/out2" && die "submit events left without a completion in @t"

kitt_unload
