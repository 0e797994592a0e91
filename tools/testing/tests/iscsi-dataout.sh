# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Data-Out validation seen from a scriptable initiator (tools/testing/
# iscsi_peer.py): Data-Out for an unknown ITT or TTT is rejected; one with
# the wrong DataSN, a BufferOffset outside its burst, or more data than
# the burst asked for fails its command with CHECK CONDITION; unsolicited
# data beyond FirstBurstLength likewise. Bad data is never written: the
# blocks read back as they were, and the session goes on working. PDUs
# that may not come in the full feature phase are rejected; unsolicited
# data of several writes that failed before it came is dropped without a
# Reject. Connections reset in the middle of a write or a read leave
# nothing behind.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:dataout

kitt_load
demo_target "$IQN"
targetcli "/iscsi/$IQN/tpg1" set parameter InitialR2T=No >/dev/null

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import socket, struct, sys
from iscsi_peer import *

iqn = sys.argv[1]

p = Peer('127.0.0.1')
p.login('iqn.2003-01.org.example.lab:peer', iqn,
        [('InitialR2T', 'Yes'), ('ImmediateData', 'No'),
         ('MaxBurstLength', '8192'), ('FirstBurstLength', '8192')])

def read(lba):
    pdus = p.scsi_read(0, rw10(0x28, lba, 16), 8192)
    check(pdus[-1].bhs[3] == 0, 'read of LBA %d: GOOD' % lba)
    return b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)

def status_of(pdus):
    rsp = [x for x in pdus if x.opcode == OP_SCSI_RSP]
    return rsp[0].bhs[3] if rsp else None

def write_ok(lba, data):
    itt = p.scsi_write_cmd(0, rw10(0x2a, lba, 16), 8192)
    r2t = p.recv()
    check(r2t.opcode == OP_R2T, 'R2T for a write')
    p.data_out(0, itt, r2t.u32(20), 0, data)
    check(status_of([p.recv()]) == 0, 'a good write: GOOD')

pattern = bytes((i * 13 + 5) & 0xff for i in range(8192))
other = bytes((i * 7 + 1) & 0xff for i in range(8192))
write_ok(300, pattern)
check(read(300) == pattern, 'the pattern is written')

# Unknown ITT, then unknown TTT of a known command: Reject, data dropped.
p.data_out(0, 0xdead0001, 0x00001234, 0, other)
rej = p.recv()
check(rej.opcode == OP_REJECT and rej.bhs[2] == 0x09,
      'Data-Out for an unknown ITT: Reject (invalid PDU field)')
itt = p.scsi_write_cmd(0, rw10(0x2a, 300, 16), 8192)
r2t = p.recv()
p.data_out(0, itt, r2t.u32(20) ^ 0x5a5a0000, 0, other)
rej = p.recv()
check(rej.opcode == OP_REJECT and rej.bhs[2] == 0x09,
      'Data-Out with an unknown TTT: Reject (invalid PDU field)')
p.data_out(0, itt, r2t.u32(20), 0, pattern)
check(status_of([p.recv()]) == 0, 'the command still completes with its own data')

def bad_burst(what, data_sn=0, offset=0, data=other, blocks=16):
    itt = p.scsi_write_cmd(0, rw10(0x2a, 300, blocks), blocks * 512)
    r2t = p.recv()
    check(r2t.opcode == OP_R2T, '%s: R2T' % what)
    p.data_out(0, itt, r2t.u32(20), offset, data, data_sn=data_sn)
    pdus = p.recv_quiet()
    check(status_of(pdus) == 2, '%s: CHECK CONDITION' % what)
    check(read(300) == pattern, '%s: nothing written' % what)

bad_burst('wrong DataSN', data_sn=3)
bad_burst('BufferOffset outside the burst', offset=4096)
bad_burst('more data than the R2T asked for', data=other[:4608], blocks=8)

# COMPARE AND WRITE whose data goes wrong, or whose connection goes while
# it is being aborted, never ran: the device's COMPARE AND WRITE lock
# stays as it was (a WARN otherwise), and the next one works.
def caw(lba):
    return struct.pack('>BBQBBBBBB', 0x89, 0, lba, 0, 0, 0, 1, 0, 0)

write_ok(500, pattern)
itt = p.scsi_write_cmd(0, caw(500), 1024)
r2t = p.recv()
p.data_out(0, itt, r2t.u32(20), 0, pattern[:512] + other[:512], data_sn=5)
check(status_of(p.recv_quiet()) == 2, 'COMPARE AND WRITE with a bad DataSN: CHECK CONDITION')
c = Peer('127.0.0.1')
c.isid = b'\x80\x00\x00\x00\x00\x44'
c.login('iqn.2003-01.org.example.lab:peer', iqn,
        [('InitialR2T', 'Yes'), ('ImmediateData', 'No')])
itt = c.scsi_write_cmd(0, caw(500), 1024)
check(c.recv().opcode == OP_R2T, 'COMPARE AND WRITE on a second session: R2T')
bhs = c._hdr(OP_TMF, 0x81, immediate=True)
struct.pack_into('>I', bhs, 20, itt)
struct.pack_into('>I', bhs, 32, c.cmd_sn - 1)
c.send(bhs)
c.reset()
for i in range(2):
    itt = p.scsi_write_cmd(0, caw(500), 1024)
    r2t = p.recv()
    old, new = (pattern, other) if i == 0 else (other, pattern)
    p.data_out(0, itt, r2t.u32(20), 0, old[:512] + new[:512])
    check(status_of([p.recv()]) == 0, 'COMPARE AND WRITE %d after them: GOOD' % i)
check(read(500) == pattern, 'and it compared and wrote')

# A data segment over our MaxRecvDataSegmentLength cannot be framed: the
# connection ends.
o = Peer('127.0.0.1')
o.isid = b'\x80\x00\x00\x00\x00\x43'
o.login('iqn.2003-01.org.example.lab:peer', iqn,
        [('InitialR2T', 'Yes'), ('ImmediateData', 'No')])
itt = o.scsi_write_cmd(0, rw10(0x2a, 300, 32), 16384)
r2t = o.recv()
try:
    o.data_out(0, itt, r2t.u32(20), 0, bytes(o.max_send + 512))
except OSError:
    pass	# closed before it had all of it
check(o.closed(5), 'Data-Out over MaxRecvDataSegmentLength (%d): connection closed' %
      o.max_send)
o.close()

# Unsolicited data (InitialR2T=No) beyond FirstBurstLength.
u = Peer('127.0.0.1')
u.isid = b'\x80\x00\x00\x00\x00\x42'
u.login('iqn.2003-01.org.example.lab:peer', iqn,
        [('InitialR2T', 'No'), ('ImmediateData', 'Yes'),
         ('MaxBurstLength', '65536'), ('FirstBurstLength', '4096')])
itt = u.scsi_write_cmd(0, rw10(0x2a, 300, 16), 8192, immediate=other[:4096], final=False)
u.data_out(0, itt, 0xffffffff, 4096, other[4096:], data_sn=0)
try:
    pdus = u.recv_quiet()
except ConnectionError:
    pdus = []
print('answered with', pdus)
check(status_of(pdus) != 0, 'unsolicited data past FirstBurstLength: no GOOD status')
u.close()
check(read(300) == pattern, 'after it, the blocks are unchanged')

# Several writes failing before their unsolicited data comes (past the
# end of the LUN): each one's data is dropped quietly, none is rejected.
u = Peer('127.0.0.1')
u.isid = b'\x80\x00\x00\x00\x00\x43'
u.login('iqn.2003-01.org.example.lab:peer', iqn,
        [('InitialR2T', 'No'), ('ImmediateData', 'No'),
         ('MaxBurstLength', '65536'), ('FirstBurstLength', '8192')])
itts = [u.scsi_write_cmd(0, rw10(0x2a, 0x7ffffff0, 16), 8192, final=False)
        for _ in range(4)]
pdus = [u.recv() for _ in itts]
check(all(x.opcode == OP_SCSI_RSP and x.bhs[3] == 2 for x in pdus),
      '4 writes past the end, their data not sent yet: CHECK CONDITION each')
for itt in itts:
    u.data_out(0, itt, 0xffffffff, 0, other)
pdus = u.recv_quiet()
check(not pdus, 'their unsolicited data then: dropped without a Reject (%s)' % pdus)
pdus = u.scsi_read(0, rw10(0x28, 300, 16), 8192)
check(pdus[-1].bhs[3] == 0, 'and the session reads on')
u.logout()
u.close()

# PDUs that may not come now: Reject with the reason of RFC 7143 11.17.1.
for op, reason, what in ((0x1d, 0x05, 'unknown opcode'),
                         (OP_LOGIN, 0x04, 'Login in the full feature phase'),
                         (0x10, 0x03, 'SNACK at ErrorRecoveryLevel 0')):
    bhs = p._hdr(op, 0x80, immediate=True)
    p.send(bhs)
    rej = p.recv()
    check(rej.opcode == OP_REJECT and rej.bhs[2] == reason,
          '%s: Reject reason 0x%02x (got 0x%02x)' % (what, reason, rej.bhs[2]))
    check(rej.data[:1] == bytes([bhs[0]]), '%s: the Reject carries its header' % what)

write_ok(400, other)
check(read(400) == other, 'the session still writes')

# Connections reset in the middle of a write's data, and of a read.
for i in range(5):
    d = Peer('127.0.0.1')
    d.isid = bytes([0x80, 0, 0, 0, 0x50, i])
    d.login('iqn.2003-01.org.example.lab:peer', iqn,
            [('InitialR2T', 'Yes'), ('ImmediateData', 'No'),
             ('MaxBurstLength', '8192'), ('FirstBurstLength', '8192')])
    itt = d.scsi_write_cmd(0, rw10(0x2a, 300, 16), 8192)
    r2t = d.recv()
    d.data_out(0, itt, r2t.u32(20), 0, other[:4096], final=False)
    d.reset()
    d = Peer('127.0.0.1')
    d.isid = bytes([0x80, 0, 0, 0, 0x60, i])
    d.login('iqn.2003-01.org.example.lab:peer', iqn)
    bhs = d._hdr(OP_SCSI_CMD, 0xc1)
    struct.pack_into('>I', bhs, 20, 2048 * 512)
    bhs[32:42] = rw10(0x28, 0, 2048)
    d.send(bhs)
    d.reset()
check(read(300) == pattern, 'half a write, then a reset: nothing written')
p.logout()
p.close()
PY
# Every session, reset or not, is gone.
wait_no_sessions "$IQN"
open_iscsi_verify "$IQN"
kitt_unload
