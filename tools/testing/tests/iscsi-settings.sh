# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Every setting kitt accepts does something; the rest are refused.
# cpus_allowed_list: a connection's io_work runs on the CPUs it names
# (seen in the workqueue_execute_start trace event), also after a change
# under a live connection, whatever CPU the peer sends from; lists that
# are empty, malformed or name impossible CPUs are refused.
# login_keys_workaround: with 1 an offered FirstBurstLength needs no
# answer before the login ends, with 0 it does. The random_* ACL
# attributes, t10_pi and fabric_prot_type take only 0, and say why.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:settings
TPG=$ISCSI/$IQN/tpgt_1
ACL=$TPG/acls/iqn.2003-01.org.example.lab:init-s

# refused FILE VALUE WHY: the write fails, the value stays, and kitt logs WHY.
refused() {
	local before

	before=$(cat "$1")
	dmesg -C
	if (echo "$2" > "$1") 2>/dev/null; then
		die "writing '$2' to ${1#"$ISCSI"/} succeeded"
	fi
	expect_eq "${1#"$ISCSI"/} after refusing '$2'" "$(cat "$1")" "$before"
	dmesg | grep -q "kitt: $3" || die "no 'kitt: $3' in the log for '$2'"
}

kitt_load
demo_target "$IQN"
targetcli "/iscsi/$IQN/tpg1/acls" create iqn.2003-01.org.example.lab:init-s >/dev/null

log "values kitt cannot honour are refused"
for a in random_datain_pdu_offsets random_datain_seq_offsets random_r2t_offsets; do
	echo 0 > "$ACL/attrib/$a" || die "$a=0 refused"
	refused "$ACL/attrib/$a" 1 "random_"
done
echo 0 > "$TPG/attrib/t10_pi" || die "t10_pi=0 refused"
refused "$TPG/attrib/t10_pi" 1 "t10_pi"
echo 0 > "$TPG/attrib/fabric_prot_type" || die "fabric_prot_type=0 refused"
refused "$TPG/attrib/fabric_prot_type" 1 "fabric_prot_type"
refused "$TPG/attrib/fabric_prot_type" 3 "fabric_prot_type"
refused "$ISCSI/cpus_allowed_list" abc "cpus_allowed_list"
refused "$ISCSI/cpus_allowed_list" "" "cpus_allowed_list"
refused "$ISCSI/cpus_allowed_list" "$(nproc --all)" "cpus_allowed_list"
refused "$ISCSI/cpus_allowed_list" 0-4095 "cpus_allowed_list"

log "cpus_allowed_list places io_work"
[ "$(nproc)" -ge 2 ] || die "the guest needs two CPUs"
echo 1 > "$ISCSI/cpus_allowed_list"
expect_eq cpus_allowed_list "$(cat "$ISCSI/cpus_allowed_list")" 1
[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import os, re, sys, time
from iscsi_peer import *

iqn = sys.argv[1]
T = '/sys/kernel/tracing'
ALLOWED = '/sys/kernel/config/target/iscsi/cpus_allowed_list'

def put(path, value):
    with open(path, 'w') as f:
        f.write(value)

def traffic(p):
    """NOP-Out pings and reads, all answered."""
    bad = []
    for i in range(40):
        p.nop_out()
        pdus = p.scsi_read(0, rw10(0x28, i, 8), 4096)
        if scsi_status(pdus)[0] != 0:
            bad.append(i)
    check(not bad, '40 pings and reads answered, GOOD (failed: %s)' % bad)

def io_work_cpus(run):
    """The CPUs kitt_conn_io_work started on while run() ran."""
    put(T + '/trace', '')
    put(T + '/tracing_on', '1')
    run()
    put(T + '/tracing_on', '0')
    cpus = {}
    with open(T + '/trace') as f:
        for line in f:
            if 'kitt_conn_io_work' in line:
                cpu = int(re.search(r'\[(\d+)\]', line).group(1))
                cpus[cpu] = cpus.get(cpu, 0) + 1
    return cpus

put(T + '/tracing_on', '0')
put(T + '/buffer_size_kb', '4096')
put(T + '/events/workqueue/workqueue_execute_start/enable', '1')

# The peer sends from CPU 0; its connection is served on CPU 1.
os.sched_setaffinity(0, {0})
p = Peer('127.0.0.1')
p.login('iqn.2003-01.org.example.lab:init-s', iqn)
cpus = io_work_cpus(lambda: traffic(p))
print('cpus_allowed_list=1, peer on CPU 0: io_work runs on', cpus)
check(cpus.get(1, 0) >= 40 and set(cpus) == {1},
      'io_work on CPU 1 only (%s)' % cpus)

# A change moves the live connection at its next run.
put(ALLOWED, '0')
os.sched_setaffinity(0, {1})
p.nop_out()
time.sleep(0.5)
cpus = io_work_cpus(lambda: traffic(p))
print('cpus_allowed_list=0, peer on CPU 1: io_work runs on', cpus)
check(cpus.get(0, 0) >= 40 and set(cpus) == {0},
      'io_work on CPU 0 only (%s)' % cpus)

# Every CPU: served where queued, and still served.
put(ALLOWED, '0-%d' % (os.cpu_count() - 1))
traffic(p)
p.logout()
p.close()
put(T + '/events/workqueue/workqueue_execute_start/enable', '0')
put(T + '/trace', '')
put(T + '/tracing_on', '1')	# as a fresh boot has it, for the tests after
PY
expect_eq cpus_allowed_list "$(cat "$ISCSI/cpus_allowed_list")" "0-$(($(nproc --all) - 1))"

log "login_keys_workaround"
echo 4096 > "$TPG/param/FirstBurstLength"
PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$TPG" <<'PY'
import sys
from iscsi_peer import *

iqn, tpg = sys.argv[1:3]
FIRST = [('InitiatorName', 'iqn.2003-01.org.example.lab:init-s'),
         ('SessionType', 'Normal'), ('AuthMethod', 'None'), ('TargetName', iqn)]

def put(path, value):
    with open(path, 'w') as f:
        f.write(value)

def operational(workaround):
    """The first operational response when FirstBurstLength is not sent."""
    put(tpg + '/attrib/login_keys_workaround', workaround)
    p = Peer('127.0.0.1')
    rsp = p.login_step(0, 1, FIRST)
    check(rsp.bhs[36] == 0, 'security stage passed')
    rsp = p.login_step(1, 3, [('MaxRecvDataSegmentLength', '8192')])
    check(rsp.bhs[36] == 0, 'operational stage answered')
    got = dict(parse_text(rsp.data))
    check(got.get('FirstBurstLength') == '4096',
          'workaround=%s: FirstBurstLength=4096 offered (%s)' % (workaround, got))
    return p, rsp

# 1: the boot-client workaround: the login ends without an answer.
p, rsp = operational('1')
check(rsp.flags & 0x80 and (rsp.flags & 0x03) == 3,
      'workaround=1: full feature phase without answering FirstBurstLength')
p.cmd_sn = rsp.u32(28)
p.nop_out()
p.close()

# 0: the offer must be answered first.
p, rsp = operational('0')
check(not rsp.flags & 0x80, 'workaround=0: the login waits for the answer')
rsp = p.login_step(1, 3, [('FirstBurstLength', '4096')])
check(rsp.bhs[36] == 0 and rsp.flags & 0x80, 'workaround=0: answered, the login ends')
p.close()
PY
echo 1 > "$TPG/attrib/login_keys_workaround"

kitt_unload
log "every accepted setting took effect"
