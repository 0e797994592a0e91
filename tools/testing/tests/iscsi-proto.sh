# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Protocol details seen from a scriptable initiator (tools/testing/
# iscsi_peer.py): Text in the full feature phase (unknown and
# non-renegotiable keys, a new MaxRecvDataSegmentLength taking effect),
# Data-In sizes, residuals, and the Async Message asking for a logout
# when the TPG is disabled.
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
check(parse_text(rsp.data) == [('SendTargets', 'Reject')],
      'SendTargets=All in a normal session: Reject')

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

before = int(open(stats + '/normal_logouts').read())
t = threading.Thread(target=lambda: subprocess.run(['targetcli', tpg, 'disable'],
                                                   stdout=subprocess.DEVNULL))
t.start()
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
