# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# A hostile peer in every phase (tools/testing/iscsi_peer.py): each of the
# 64 opcodes as the first PDU of a login and in the full feature phase,
# PDUs behind a Logout; truncated and oversize headers and data segments;
# Data-Out for a finished command; an ITT reused while its command is
# outstanding; expected data lengths disagreeing with the CDB, with
# immediate data larger than either; resets during a TMF and a logout,
# and NOP-In timers firing on dying connections; a peer that sends and
# never reads, and max_session_data_mib. Each gets a Reject, a
# login reject, a SCSI status or a dropped connection; afterwards a normal
# session works, no session is left, and rmmod finds nothing leaked.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:phases
PEER=iqn.2003-01.org.example.lab:phases-peer

kitt_load
demo_target "$IQN"
targetcli "/iscsi/$IQN/tpg1/acls" create "$PEER" >/dev/null
targetcli "/iscsi/$IQN/tpg1/acls/$PEER" set attribute nopin_timeout=3 \
	nopin_response_timeout=3 >/dev/null

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$PEER" <<'PY'
import socket, struct, sys, time
from iscsi_peer import *

iqn, peer = sys.argv[1:3]
demo = 'iqn.2003-01.org.example.lab:phases-demo'
GOOD, CHECK = 0, 2
pattern = bytes((i * 13 + 5) & 0xff for i in range(8192))
other = bytes((i * 7 + 1) & 0xff for i in range(8192))
isid = [0]

def session(name=demo, keys=()):
    p = Peer('127.0.0.1')
    isid[0] += 1
    p.isid = bytes([0x80, 0, 0, 0x20, isid[0] >> 8, isid[0] & 0xff])
    p.login(name, iqn, keys)
    return p

def read(p, lba, blocks=16):
    pdus = p.scsi_read(0, rw10(0x28, lba, blocks), blocks * 512)
    check(scsi_status(pdus)[0] == GOOD, 'read of LBA %d: GOOD' % lba)
    return b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)

def alive(p, what):
    check(p.nop_out().opcode == OP_NOOP_IN, '%s: the session still answers' % what)

def works(what):
    p = session()
    check(read(p, 100) == pattern, '%s: a new session reads the pattern' % what)
    p.logout()
    p.close()

p = session()
check(scsi_status(p.scsi_write(0, rw10(0x2a, 100, 16), pattern))[0] == GOOD, 'pattern written')

# ---- login phase: each opcode as the first PDU ----
answers = {}
for op in range(64):
    if op == OP_LOGIN:
        continue
    s = Peer('127.0.0.1')
    bhs = bytearray(48)
    bhs[0] = 0x40 | op
    bhs[1] = 0x80
    s.send(bhs, b'x' * 100 if op in (OP_TEXT, OP_DATA_OUT, OP_SCSI_CMD) else b'')
    try:
        r = s.recv()
        ok = r.opcode == OP_LOGIN_RSP and r.bhs[36] == 2 and s.closed(5)
    except ConnectionError:
        ok = True
    except socket.timeout:
        ok = False
    answers[op] = ok
    s.close()
bad = [hex(op) for op, ok in answers.items() if not ok]
check(not bad, 'login phase: 63 opcodes refused and the connection closed (%s)' % bad)

# ---- full feature phase: each opcode kitt does not take from initiators ----
served = (OP_NOOP_OUT, OP_SCSI_CMD, OP_TMF, OP_LOGIN, OP_TEXT, OP_DATA_OUT, OP_LOGOUT)
for op in range(64):
    if op in served:
        continue
    bhs = p._hdr(op, 0x80, immediate=True)
    p.send(bhs)
    r = p.recv()
    if not (r.opcode == OP_REJECT and r.bhs[2] in (0x03, 0x04, 0x05) and
            r.data[:1] == bytes([bhs[0]])):
        check(False, 'opcode 0x%02x in the full feature phase: %r' % (op, r))
alive(p, 'after 57 opcodes nobody may send')
print('ok: 57 opcodes in the full feature phase: each rejected')

# ---- truncated and oversize ----
t = session()
t.sock.sendall(p._hdr(OP_SCSI_CMD, 0x81)[:20])
t.reset()
t = session(peer)
t.sock.sendall(t._hdr(OP_SCSI_CMD, 0x81)[:20])
start = time.monotonic()
check(t.closed(20), 'half a header, then silence: the NOP-In timer drops it')
print('    after %.1f s' % (time.monotonic() - start))
t.close()
def oversize(t, ahs, dlen):
    bhs = t._hdr(OP_SCSI_CMD, 0xc1)
    bhs[4] = ahs
    bhs[5:8] = dlen.to_bytes(3, 'big')
    struct.pack_into('>I', bhs, 20, 512)
    bhs[32:42] = rw10(0x28, 0, 1)
    t.cmd_sn += 1
    t.sock.sendall(bytes(bhs) + b'\xee' * (ahs * 4))

t = session()
oversize(t, 0, 0xffffff)
check(t.closed(10), 'DataSegmentLength 16 MiB - 1: the connection is dropped')
t.close()
# It can be framed: the command is rejected, the session goes on.
t = session()
oversize(t, 255, 0)
rej = t.recv()
check(rej.opcode == OP_REJECT and rej.bhs[2] == 0x04,
      'TotalAHSLength 1020 of garbage: Reject (protocol error)')
alive(t, 'after it')
t.logout()
t.close()
works('after truncated and oversize PDUs')

# ---- Data-Out for a finished command ----
itt = p.scsi_write_cmd(0, rw10(0x2a, 200, 16), 8192)
r2t = p.recv()
check(r2t.opcode == OP_R2T, 'a write: R2T')
p.data_out(0, itt, r2t.u32(20), 0, pattern)
check(scsi_status([p.recv()])[0] == GOOD, 'its data: GOOD')
p.data_out(0, itt, r2t.u32(20), 0, other)
rej = p.recv()
check(rej.opcode == OP_REJECT and rej.bhs[2] == 0x09, 'Data-Out for the finished write: Reject')
check(read(p, 200) == pattern, 'and nothing written')

# ---- an ITT reused while its command is outstanding ----
itt = p.scsi_write_cmd(0, rw10(0x2a, 200, 16), 8192)
r2t = p.recv()
bhs = p._hdr(OP_SCSI_CMD, 0xc1)
struct.pack_into('>I', bhs, 16, itt)
struct.pack_into('>I', bhs, 20, 8192)
bhs[32:42] = rw10(0x28, 100, 16)
p.cmd_sn += 1
p.send(bhs)
p.data_out(0, itt, r2t.u32(20), 0, other)
pdus = p.recv_quiet(2)
rsps = [x for x in pdus if x.opcode == OP_SCSI_RSP or
        (x.opcode == OP_DATA_IN and x.flags & 0x01)]
got = b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)
check(len(rsps) == 2 and all(x.u32(16) == itt for x in rsps) and got == pattern,
      'a read reusing the ITT of a write awaiting data: both served on their own')
check(read(p, 200) == other, 'the write has its own data')
itt = p.scsi_write_cmd(0, rw10(0x2a, 200, 16), 8192)
r2t = p.recv()
bhs = p._hdr(OP_TMF, 0x81, immediate=True)
struct.pack_into('>I', bhs, 20, itt)
struct.pack_into('>I', bhs, 32, p.cmd_sn - 1)
p.send(bhs)
bhs = p._hdr(OP_SCSI_CMD, 0xc1)
struct.pack_into('>I', bhs, 16, itt)
bhs[32:42] = rw10(0x28, 100, 1)
struct.pack_into('>I', bhs, 20, 512)
p.cmd_sn += 1
p.send(bhs)
p.data_out(0, itt, r2t.u32(20), 0, pattern)
print('answers:', p.recv_quiet(2))
alive(p, 'ABORT TASK and a read reusing the ITT of a pending write')

# ---- expected length against the CDB ----
def edtl_cmd(flags, cdb, edtl, imm=b''):
    bhs = p._hdr(OP_SCSI_CMD, flags)
    struct.pack_into('>I', bhs, 20, edtl)
    bhs[32:32 + len(cdb)] = cdb
    p.cmd_sn += 1
    p.send(bhs, imm)
    return p.recv_quiet(1)

pdus = edtl_cmd(0xa1, rw10(0x2a, 300, 1), 1024, other[:4096])
check(pdus and pdus[0].opcode == OP_REJECT and pdus[0].bhs[2] == 0x04,
      'immediate data above both EDTL and the CDB: Reject (protocol error)')
alive(p, 'after it')
pdus = edtl_cmd(0xa1, rw10(0x2a, 300, 8), 2048, other[:2048])
check(scsi_status(pdus)[0] in (GOOD, CHECK), 'EDTL 2 KiB for a 4 KiB write: answered (%s)' % (scsi_status(pdus),))
check(read(p, 304, 4) == bytes(2048), 'nothing past the EDTL written')
pdus = edtl_cmd(0xc1, rw10(0x28, 100, 8), 1024)
last = pdus[-1]
data = b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)
check(data == pattern[:1024] and last.flags & 0x04 and last.u32(44) == 3072,
      'EDTL 1 KiB for a 4 KiB read: 1 KiB and residual overflow 3072')
pdus = edtl_cmd(0xc1, rw10(0x28, 100, 1), 4096)
last = pdus[-1]
check(last.flags & 0x02 and last.u32(44) == 3584,
      'EDTL 4 KiB for a 512-byte read: residual underflow 3584')
alive(p, 'after the EDTL cases')

# ---- resets during a TMF, during a logout ----
for i in range(5):
    t = session()
    itt = t.scsi_write_cmd(0, rw10(0x2a, 400, 16), 8192)
    t.recv()
    bhs = t._hdr(OP_TMF, 0x81, immediate=True)
    struct.pack_into('>I', bhs, 20, itt)
    t.send(bhs)
    t.reset()
    t = session()
    t.send(t._hdr(OP_LOGOUT, 0x80, immediate=True))
    t.reset()
    # Logout with PDUs behind it: the response, then the close.
    t = session()
    behind = [t.frame(t._hdr(OP_NOOP_OUT, 0x80, immediate=True)),
              t.frame(t._hdr(OP_TEXT, 0x80, immediate=True), text([('X-kitt', 'a')])),
              t.frame(t._hdr(0x1d, 0x80, immediate=True)),
              t.frame(t._hdr(OP_SCSI_CMD, 0xa1), other[:4096])]
    t.sock.sendall(t.frame(t._hdr(OP_LOGOUT, 0x80, immediate=True)) + b''.join(behind))
    got = []
    try:
        while True:
            got.append(t.recv())
    except ConnectionError:
        pass
    check(OP_LOGOUT_RSP in [x.opcode for x in got],
          'logout with PDUs behind it: Logout Response, then closed')
    t.close()

# ---- NOP-In timers on dying connections ----
for delay in (2.8, 3.0, 3.2, 5.9, 6.1):
    t = session(peer)
    time.sleep(delay)
    t.reset()
t = session(peer)
start = time.monotonic()
check(t.closed(20), 'a peer that never answers NOP-In is dropped')
print('    after %.1f s' % (time.monotonic() - start))
t.close()

# ---- limits: answers a peer never reads, data buffers a session holds ----
t = session()
t.sock.settimeout(3)
ping = bytes(range(256)) * 32
sent = 0
try:
    for sent in range(5000):
        bhs = t._hdr(OP_NOOP_OUT, 0x80, immediate=True)
        struct.pack_into('>I', bhs, 20, 0xffffffff)
        t.send(bhs, ping)
except socket.timeout:
    pass
print('    %d pings of 8 KiB went in before the target stopped reading' % sent)
check(sent < 4999, 'a peer that sends and never reads is held back')
t.sock.settimeout(10)
echoes = 0
while echoes < sent:
    r = t.recv()
    if r.opcode == OP_NOOP_IN and r.data == ping:
        echoes += 1
check(echoes == sent, 'once it reads, every ping is answered')
alive(t, 'after it')
t.logout()
t.close()

with open('/sys/module/kitt/parameters/max_session_data_mib', 'w') as f:
    f.write('1')
def feed(t, itt, pdu, data):
    """Answer R2Ts of write @itt (the first is @pdu) until its status."""
    while pdu.opcode != OP_SCSI_RSP:
        if pdu.opcode == OP_R2T and pdu.u32(16) == itt:
            ttt, pos = pdu.u32(20), pdu.u32(40)
            end = pos + pdu.u32(44)
            data_sn = 0
            while pos < end:
                n = min(t.max_send, end - pos)
                t.data_out(0, itt, ttt, pos, data[pos:pos + n],
                           data_sn=data_sn, final=pos + n == end)
                pos += n
                data_sn += 1
        pdu = t.recv()
    return pdu

base = 8192     # clear of the blocks the other cases use
t = session(keys=[('InitialR2T', 'Yes'), ('ImmediateData', 'No')])
writes = []
for i in range(2):
    itt = t.scsi_write_cmd(0, rw10(0x2a, base + 1024 * i, 1024), 512 * 1024)
    r2t = t.recv()
    check(r2t.opcode == OP_R2T, 'write %d of 512 KiB: R2T' % i)
    writes.append((itt, r2t))
t.scsi_write_cmd(0, rw10(0x2a, base + 4096, 8), 4096)
st = scsi_status([t.recv()])
check(st[0] == 0x28, 'a third write past the 1 MiB: TASK SET FULL (%s)' % (st,))
pdus = t.scsi_read(0, rw10(0x28, base, 4096), 2 << 20)
st = scsi_status(pdus)
check(st[:3] == (CHECK, 5, 0x24), 'a 2 MiB read: INVALID FIELD IN CDB (%s)' % (st,))
st = scsi_status([feed(t, writes[0][0], writes[0][1], other * 64)])
check(st[0] == GOOD, 'the first write gets its data: GOOD')
itt = t.scsi_write_cmd(0, rw10(0x2a, base + 4096, 8), 4096)
r2t = t.recv()
check(r2t.opcode == OP_R2T, 'then the third fits: R2T')
t.reset()
t = session()
pdus = t.scsi_read(0, rw10(0x28, base, 2048), 1 << 20)
check(scsi_status(pdus)[0] == GOOD and
      b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)[:512 * 1024] == other * 64,
      'a 1 MiB read in a new session: GOOD, with the first write\'s data')
t.logout()
t.close()
with open('/sys/module/kitt/parameters/max_session_data_mib', 'w') as f:
    f.write('1024')

works('at the end')
p.logout()
p.close()
PY
# Every session is gone.
wait_no_sessions "$IQN"
open_iscsi_verify "$IQN"
kitt_unload
