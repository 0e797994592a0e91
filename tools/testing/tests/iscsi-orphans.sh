# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Commands whose connection goes away before their answer does.
#
# A read another session's LUN RESET aborts (TAS): its TASK ABORTED
# status is queued behind 16 MiB of Data-In the initiator never reads, so
# the LUN RESET, which waits for the command to be released, waits too.
# Then the connection is reset: the command must still end, so that the
# LUN RESET completes and the session ends.
#
# Queued submission (a device's submit_type=2, 6.12): write_pending runs
# on the core's workqueue and can meet the connection's release. Sessions
# reset with writes and reads in every state must all end, and open-iscsi
# must pass fio verify through queued submission.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:orphans
DELAY_S=1

kitt_load
demo_target "$IQN"
# LUN 1: every I/O completes DELAY_S seconds late (null_blk's timer mode),
# one at a time (no I/O scheduler to queue more).
modprobe null_blk nr_devices=1 gb=1 irqmode=2 completion_nsec=${DELAY_S}000000000 \
	hw_queue_depth=1 no_sched=1
targetcli /backstores/block create name=slow dev=/dev/nullb0 >/dev/null
targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/block/slow >/dev/null
# The two sessions of the TAS case stay idle for seconds: no NOP-In pings.
for i in 1 2; do
	targetcli "/iscsi/$IQN/tpg1/acls" create "$IQN-$i" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/acls/$IQN-$i" set attribute nopin_timeout=0 >/dev/null
done
SUBMIT=$(echo $CFS/core/rd_mcp_*/rd0/attrib/submit_type)
SLOW_SUBMIT=$(echo $CFS/core/iblock_*/slow/attrib/submit_type)
[ -e "$SUBMIT" ] || SUBMIT=""

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$SUBMIT" "$SLOW_SUBMIT" <<'PY'
import os, socket, struct, subprocess, sys, time
from iscsi_peer import *

iqn, submit, slow_submit = sys.argv[1:4]
GOOD = 0
isid = [0]

def session(keys=()):
    p = Peer('127.0.0.1')
    isid[0] += 1
    p.isid = bytes([0x80, 0, 0, 0x21, isid[0] >> 8, isid[0] & 0xff])
    p.login('%s-%d' % (iqn, isid[0]), iqn, keys)
    return p

def sessions():
    with open('/sys/kernel/config/target/iscsi/%s/fabric_statistics/'
              'iscsi_instance/sessions' % iqn) as f:
        return int(f.read())

def wait_sessions(n, within=20):
    end = time.monotonic() + within
    while sessions() != n and time.monotonic() < end:
        time.sleep(0.1)
    return sessions() == n

def inflight():
    with open('/sys/block/nullb0/inflight') as f:
        return sum(int(x) for x in f.read().split())

def send_read(p, lun, lba, blocks):
    bhs = p._hdr(OP_SCSI_CMD, 0x80 | 0x40 | 0x01)
    bhs[8:16] = struct.pack('>Q', lun << 48)
    struct.pack_into('>I', bhs, 20, blocks * 512)
    bhs[32:42] = rw10(0x28, lba, blocks)
    p.cmd_sn += 1
    p.send(bhs)
    return p.itt

def unsent_bytes():
    """Bytes the target has queued on its sockets and not yet sent."""
    out = subprocess.run(['ss', '-tnH', 'state', 'established', 'sport', '= :3260'],
                         capture_output=True, text=True).stdout
    return sum(int(line.split()[1]) for line in out.splitlines() if line.strip())

def ready(p, lun):
    """TEST UNIT READY until GOOD: a new nexus has unit attentions to report."""
    for _ in range(4):
        if scsi_status(p.scsi_read(lun, bytes(6), 0))[0] == GOOD:
            return True
    return False

# ---- TAS: the status of an aborted read, queued behind unread Data-In ----
a = session()
b = session()
check(wait_sessions(2), 'two sessions')
check(ready(a, 1) and ready(b, 1), 'LUN 1 ready in both sessions')
send_read(a, 0, 0, 32768)           # 16 MiB: more than both socket buffers
end = time.monotonic() + 10
while unsent_bytes() == 0 and time.monotonic() < end:
    time.sleep(0.1)
check(unsent_bytes() > 0, 'the 16 MiB read fills the connection (%d bytes unsent)' % unsent_bytes())
send_read(a, 1, 0, 8)               # LUN 1: completes DELAY_S s late
end = time.monotonic() + 5
while inflight() == 0 and time.monotonic() < end:
    time.sleep(0.05)
check(inflight() > 0, 'the LUN 1 read is at the device')
tmf = b._hdr(OP_TMF, 0x80 | 5, immediate=True)        # LOGICAL UNIT RESET
tmf[8:16] = struct.pack('>Q', 1 << 48)
struct.pack_into('>I', tmf, 20, 0xffffffff)
b.send(tmf)
end = time.monotonic() + 10
while inflight() and time.monotonic() < end:
    time.sleep(0.05)
check(inflight() == 0, 'the aborted read left the device')
# The core's LUN RESET waits until the aborted command is released, and
# the fabric releases it once its TASK ABORTED status is sent: behind data
# the initiator does not read.
check(not b.recv_quiet(2), 'the LUN RESET waits for the TASK ABORTED status to go out')
check(unsent_bytes() > 0, 'which is queued behind unread data')
a.reset()
b.sock.settimeout(20)
r = b.recv()
check(r.opcode == OP_TMF_RSP and r.bhs[2] == 0,
      'once that connection is reset, the LUN RESET completes (%r)' % r)
check(wait_sessions(1), 'and the reset session ends')
b.logout()
b.close()
check(wait_sessions(0), 'no session left')
print('ok: a TAS orphan ended')

# ---- queued submission: resets with commands in every state ----
if not submit:
    print('skip: this kernel has no submit_type (queued submission is 6.12)')
    sys.exit(0)
with open(submit, 'w') as f:
    f.write('2')
pattern = bytes((i * 29 + 3) & 0xff for i in range(65536))
for i in range(30):
    t = session([('InitialR2T', 'No'), ('ImmediateData', 'Yes'),
                 ('FirstBurstLength', '65536'), ('MaxBurstLength', '262144')])
    for j in range(4):
        lba = 2048 + 128 * j
        # All data immediate; some immediate and some unsolicited owed;
        # some asked for by R2T; and a read.
        t.scsi_write_cmd(0, rw10(0x2a, lba, 16), 8192, immediate=pattern[:8192])
        t.scsi_write_cmd(0, rw10(0x2a, lba + 16, 128), 65536,
                         immediate=pattern[:8192], final=False)
        t.scsi_write_cmd(0, rw10(0x2a, lba + 16, 512), 262144,
                         immediate=pattern[:8192])
        send_read(t, 0, lba, 128)
    if i % 3 == 1:
        time.sleep(0.01 * (i % 7))
    t.reset()
check(wait_sessions(0), 'queued submission: 30 sessions reset with writes in every state all end')
with open(submit, 'w') as f:
    f.write('0')

# Writes the release finds not yet submitted. LUN 1 takes one I/O at a
# time: one read holds the device, the next holds the submission work, and
# writes from another session queue behind it (on the same CPU: this
# process is pinned, and so the connections' io_work) when that session's
# connection is reset. They are submitted after the release.
with open(slow_submit, 'w') as f:
    f.write('2')
os.sched_setaffinity(0, {0})
for i in range(8):
    a = session()
    b = session()
    check(ready(a, 1) and ready(b, 1), 'LUN 1 ready in both sessions')
    for j in range(3):
        send_read(a, 1, 2048 * j, 8)    # apart: the block layer may not merge them
        time.sleep(0.05)
    time.sleep(0.3)
    b.scsi_write_cmd(1, rw10(0x2a, 64, 16), 8192)
    b.scsi_write_cmd(1, rw10(0x2a, 80, 16), 8192, immediate=pattern[:8192])
    time.sleep(0.2)
    b.reset()
    a.sock.settimeout(20)
    done = 0
    while done < 3:
        r = a.recv()
        done += r.opcode == OP_SCSI_RSP or (r.opcode == OP_DATA_IN and r.flags & 1)
    a.logout()
    a.close()
check(wait_sessions(0), 'queued submission: writes submitted after their connection went end')
with open(slow_submit, 'w') as f:
    f.write('0')
print('ok: queued submission, resets')
PY
wait_no_sessions "$IQN"
# LUN 1 would only slow the kernel initiator's scan down.
targetcli "/iscsi/$IQN/tpg1/luns" delete lun1 >/dev/null
# open-iscsi through queued submission, where the kernel has it.
[ -z "$SUBMIT" ] || echo 2 > "$SUBMIT"
open_iscsi_verify "$IQN"
[ -z "$SUBMIT" ] || echo 0 > "$SUBMIT"
kitt_unload
rmmod null_blk
