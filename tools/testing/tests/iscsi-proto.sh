# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Protocol details seen from a scriptable initiator (tools/testing/
# iscsi_peer.py): Text in the full feature phase (unknown and
# non-renegotiable keys, a new MaxRecvDataSegmentLength taking effect),
# Data-In sizes, residuals, MaxOutstandingR2T 4 and 1 (open-iscsi's TCP
# transport only does 1), and the Async Message asking for a logout when
# the TPG is disabled.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:proto
TPG=/iscsi/$IQN/tpg1

kitt_load
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=rd0 size=16M >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "$TPG/luns" create /backstores/ramdisk/rd0 >/dev/null
targetcli "$TPG/portals" create 127.0.0.1 3260 >/dev/null
targetcli "$TPG" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null
targetcli "$TPG" set parameter MaxOutstandingR2T=4 >/dev/null
wait_listen 127.0.0.1:3260 || die "not listening"
stats=$ISCSI/$IQN/fabric_statistics/iscsi_logout_stats

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$TPG" "$stats" <<'PY'
import struct, subprocess, sys, threading, time
from iscsi_peer import *

iqn, tpg, stats = sys.argv[1:4]

def check(cond, what):
    if not cond:
        print('FAILED:', what)
        sys.exit(1)
    print('ok:', what)

def read10(lba, blocks):
    return struct.pack('>BBIBHB', 0x28, 0, lba, 0, blocks, 0)

p = Peer('127.0.0.1')
p.login('iqn.2003-01.org.example.lab:peer', iqn)

rsp = p.text_request([('X-org.example.lab.Probe', '1'), ('MaxBurstLength', '512'),
                      ('InitiatorAlias', 'peer')])
ans = dict(parse_text(rsp.data))
check(rsp.opcode == OP_TEXT_RSP and rsp.flags & 0x80, 'Text answered in one final PDU')
check(ans.get('X-org.example.lab.Probe') == 'NotUnderstood', 'unknown key: NotUnderstood')
check(ans.get('MaxBurstLength') == 'Reject', 'leading-only key in FFP: Reject')
check('InitiatorAlias' not in ans, 'declaration taken without an answer')

rsp = p.text_request([('SendTargets', '')])
check(('TargetName', iqn) in parse_text(rsp.data), 'SendTargets= in a normal session: its target')
rsp = p.text_request([('SendTargets', 'All')])
check(('TargetName', iqn) in parse_text(rsp.data),
      'SendTargets=All in a normal session: answered as in discovery')

pdus = p.scsi_read(0, read10(0, 32), 16384)
sizes = [len(x.data) for x in pdus if x.opcode == OP_DATA_IN]
check(sizes == [8192, 8192], 'Data-In PDUs of the declared 8192 bytes: %s' % sizes)
check(pdus[-1].bhs[3] == 0 and pdus[-1].flags & 0x01, 'status in the last Data-In')

rsp = p.text_request([('MaxRecvDataSegmentLength', '1024')])
check(rsp.opcode == OP_TEXT_RSP and not parse_text(rsp.data), 'new MaxRecvDataSegmentLength taken')
pdus = p.scsi_read(0, read10(0, 32), 16384)
sizes = [len(x.data) for x in pdus if x.opcode == OP_DATA_IN]
check(sizes == [1024] * 16, 'Data-In PDUs of 1024 bytes after it: %d PDUs' % len(sizes))
offs = [x.u32(40) for x in pdus if x.opcode == OP_DATA_IN]
check(offs == list(range(0, 16384, 1024)), 'BufferOffsets in order')
check([x.u32(36) for x in pdus] == list(range(16)), 'DataSN 0..15')

pdus = p.scsi_read(0, read10(0, 1), 200)
last = pdus[-1]
check(sum(len(x.data) for x in pdus) == 200, 'EDTL 200 of a 512-byte read: 200 bytes sent')
check(last.flags & 0x04 and last.u32(44) == 312, 'residual overflow of 312')
pdus = p.scsi_read(0, read10(0, 1), 4096)
last = pdus[-1]
check(sum(len(x.data) for x in pdus) == 512, 'EDTL 4096 of a 512-byte read: 512 bytes sent')
check(last.flags & 0x02 and last.u32(44) == 3584, 'residual underflow of 3584')

def write_with_r2ts(max_r2t):
    """64 KiB through R2Ts of 8 KiB: how many the target keeps outstanding."""
    w = Peer('127.0.0.1')
    w.isid = bytes([0x80, 0, 0, 0, 0, max_r2t])
    w.login('iqn.2003-01.org.example.lab:peer', iqn,
            [('InitialR2T', 'Yes'), ('ImmediateData', 'No'),
             ('MaxBurstLength', '8192'), ('FirstBurstLength', '8192'),
             ('MaxOutstandingR2T', str(max_r2t))])
    data = bytes((i * 7 + max_r2t) & 0xff for i in range(65536))
    lba = 1000 + max_r2t * 200
    itt = w.scsi_write_cmd(0, struct.pack('>BBIBHB', 0x2a, 0, lba, 0, 128, 0), 65536)
    most, sn, rsp = 0, [], None
    pending = w.recv_quiet()
    while rsp is None:
        r2ts = [x for x in pending if x.opcode == OP_R2T]
        check(len(r2ts) == len(pending), 'only R2Ts while data is due')
        most = max(most, len(r2ts))
        for r in r2ts:
            check(r.u32(16) == itt and r.u32(44) == 8192, 'R2T for 8192 bytes')
            sn.append(r.u32(36))
            off = r.u32(40)
            w.data_out(0, itt, r.u32(20), off, data[off:off + 8192])
        pending = w.recv_quiet()
        rsp = next((x for x in pending if x.opcode == OP_SCSI_RSP), None)
        pending = [x for x in pending if x.opcode != OP_SCSI_RSP]
    check(rsp.bhs[3] == 0 and not pending, 'write completes with GOOD')
    check(sn == list(range(8)), 'R2TSN 0..7: %s' % sn)
    pdus = w.scsi_read(0, read10(lba, 128), 65536)
    check(b''.join(x.data for x in pdus) == data, 'the data reads back')
    w.logout()
    w.close()
    return most

check(write_with_r2ts(4) == 4, 'MaxOutstandingR2T=4: four R2Ts outstanding')
check(write_with_r2ts(1) == 1, 'MaxOutstandingR2T=1: one at a time')

before = int(open(stats + '/normal_logouts').read())
t = threading.Thread(target=lambda: subprocess.run(['targetcli', tpg, 'disable'],
                                                   stdout=subprocess.DEVNULL))
t.start()
pdu = p.recv()
while pdu.opcode == OP_NOOP_IN:	# idle meanwhile: pinged
    pdu = p.recv()
check(pdu.opcode == OP_ASYNC and pdu.bhs[36] == 1, 'Async Message: logout requested')
check(struct.unpack_from('>H', pdu.bhs, 42)[0] > 0, 'with time to do it (Parameter3)')
rsp = p.logout()
check(rsp.opcode == OP_LOGOUT_RSP and rsp.bhs[2] == 0, 'logout after the request succeeds')
t.join()
time.sleep(0.5)
check(int(open(stats + '/normal_logouts').read()) == before + 1, 'counted as a normal logout')
p.close()
PY
targetcli "$TPG" enable >/dev/null
kitt_unload
