# SPDX-License-Identifier: GPL-2.0
# timeout: 400
#
# The perf command and the two bpftrace one-liners of
# Documentation/admin-guide.rst ("Tracing"), run as written there against
# kitt's trace events: perf trace prints the events, and the one-liners
# count refused logins by initiator, class, detail and reason, and make a
# histogram of command latency that counts every command once.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:bpf
NAME=iqn.2003-01.org.example.lab:bpf-host
READS=20
work=$(mktemp -d)

for t in bpftrace perf; do
	command -v $t >/dev/null || die "no $t (tools/setup.sh installs it)"
done
kitt_load
demo_target "$IQN"
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing

# The one-liners, copied from the admin guide's literal blocks.
doc=$KITT_TOP/Documentation/admin-guide.rst
awk '/^    bpftrace -e/ { n++; on = 1 } on && /^$/ { on = 0 }
     on { sub(/^    /, ""); print > (dir "/oneliner" n ".sh") }' \
	dir="$work" "$doc"
[ -s "$work/oneliner1.sh" ] && [ -s "$work/oneliner2.sh" ] ||
	die "the admin guide has no two bpftrace one-liners"
log "one-liner 1: $(cat "$work/oneliner1.sh")"
log "one-liner 2: $(cat "$work/oneliner2.sh")"
grep -m1 "^    perf trace -e 'kitt:\*'$" "$doc" | sed 's/^    //' > "$work/perf.sh"
[ -s "$work/perf.sh" ] || die "the admin guide has no perf trace command"

# start_bpf N: runs one-liner N in the background until its probes are
# attached. bpftrace says "Attaching" before it attaches: a BEGIN probe,
# which fires once all the others are attached, says when it is ready.
start_bpf() {
	sed '$ s/'"'"'$/ BEGIN { printf("bpftrace-ready\\n"); }'"'"'/' \
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

# stop_bpf N: SIGINT makes bpftrace print its maps and exit.
stop_bpf() {
	local sh_pid bpf_pid

	sh_pid=$(cat "$work/pid$1")
	bpf_pid=$(pgrep -P "$sh_pid" -x bpftrace) || bpf_pid=$sh_pid
	kill -INT "$bpf_pid"
	for _ in $(seq 60); do
		kill -0 "$sh_pid" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$sh_pid" 2>/dev/null; then
		ps -ef | grep -e bpftrace -e oneliner >&2
		cat "$work/out$1"
		die "bpftrace one-liner $1 did not end on SIGINT"
	fi
	log "one-liner $1 printed:"
	cat "$work/out$1"
}

# perf trace prints nothing when it starts: refused logins from another
# initiator name until it shows one tell when it traces.
start_perf() {
	sh "$work/perf.sh" > "$work/outp" 2>&1 &
	echo $! > "$work/pidp"
	for _ in $(seq 60); do
		grep -q 'kitt_login_result.*:warm-up' "$work/outp" && return 0
		kill -0 "$(cat "$work/pidp")" 2>/dev/null || break
		PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import sys
from iscsi_peer import Peer
bad = Peer('127.0.0.1')
try:
    bad.login(sys.argv[1] + ':warm-up', sys.argv[1] + '-none')
except RuntimeError:
    pass
bad.close()
PY
		sleep 1
	done
	cat "$work/outp"
	die "perf trace did not trace kitt's events"
}

start_bpf 1
start_bpf 2
start_perf

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$NAME" "$READS" <<'PY' || die "the initiator failed"
import sys
from iscsi_peer import *

iqn, name, reads = sys.argv[1], sys.argv[2], int(sys.argv[3])
for target in (iqn + '-none', iqn + '-gone'):
    bad = Peer('127.0.0.1')
    try:
        bad.login(name, target)
    except RuntimeError:
        pass
    bad.close()
p = Peer('127.0.0.1')
p.login(name, iqn)
for i in range(reads):
    p.scsi_read(0, rw10(0x28, i, 1), 512)
assert p.logout().opcode == OP_LOGOUT_RSP
p.close()
PY

stop_bpf 1
stop_bpf 2
kill -INT "$(pgrep -P "$(cat "$work/pidp")" -x perf || cat "$work/pidp")"
wait "$(cat "$work/pidp")" || true
log "perf trace printed, from its first line with $NAME:"
sed -n "/$NAME/,\$ p" "$work/outp"

# perf: every event of the session, with its fields (perf trace prints
# them in decimal and leaves out those that are 0: opcode 40 is READ(10)).
n=$(grep -c "kitt:kitt_cmd_submit(.*len: 512, tsih: [1-9][0-9]*, opcode: 40)" "$work/outp") || true
expect_eq "READs in perf trace's kitt_cmd_submit events" "$n" "$READS"
n=$(grep -c "kitt:kitt_cmd_complete(.*bytes: 512, tsih: [1-9][0-9]*, opcode: 40)" "$work/outp") || true
expect_eq "READs in perf trace's kitt_cmd_complete events" "$n" "$READS"
n=$(grep -c "kitt:kitt_login_result(.*initiator: \"$NAME\".*class: 2" "$work/outp") || true
expect_eq "refused logins in perf trace" "$n" 2

# Refused logins: both, as class 2 (initiator error) detail 3 (not found).
n=$(awk -v key="@[$NAME, 2, 3, " 'index($0, key) == 1 { s += $NF } END { print s + 0 }' "$work/out1")
expect_eq "refused logins counted by the one-liner (class 2 detail 3)" "$n" 2
grep -q "^@\[$NAME, 0, 0" "$work/out1" && die "a login that worked was counted as refused"

# The histogram counts each command once: the READs and whatever else the
# session sent (none here), so exactly READS.
# A bucket line: "[lo, hi)  COUNT |@@@ |" or "[n]  COUNT |...|".
total=$(awk '/^@usecs:/ { on = 1; next }
	on && /^\[/ { sub(/^[^])]*[])] */, ""); s += $1 } END { print s + 0 }' "$work/out2")
expect_eq "commands in the latency histogram" "$total" "$READS"
grep -q '^@t\[' "$work/out2" && die "submit events left without a completion in @t"

rm -rf "$work"
kitt_unload
