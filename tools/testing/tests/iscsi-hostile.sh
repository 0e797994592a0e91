# SPDX-License-Identifier: GPL-2.0
# timeout: 420
#
# A hostile peer against a live kitt (tools/testing/iscsi_peer.py): at
# max_logins_per_portal a new connection closes the login silent longest,
# the rest close at the login timeout, and so do logins trickling a byte
# at a time; a thousand half-open connections cost no more than the cap,
# and with a thousand idle or trickling connections held open a real
# initiator still logs in within seconds;
# thousands of unknown keys, login text of
# 8189-8192 bytes without a NUL, non-Login PDUs during login, an empty
# extended-CDB AHS, a Text PDU continued with no data. Each gets its
# answer (a login reject, a Reject, a dropped connection) and afterwards
# a normal initiator logs in and does I/O, and open-iscsi passes fio
# verify; nothing is left at rmmod.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:hostile

kitt_load
demo_target "$IQN"
echo 40 > /sys/module/kitt/parameters/max_logins_per_portal

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import socket, struct, sys, time
from iscsi_peer import *

iqn = sys.argv[1]
name = 'iqn.2003-01.org.example.lab:hostile-peer'

def first(pairs=()):
    return [('InitiatorName', name), ('SessionType', 'Normal'),
            ('AuthMethod', 'None'), ('TargetName', iqn)] + list(pairs)

def works(what):
    p = Peer('127.0.0.1')
    p.login(name, iqn)
    pdus = p.scsi_read(0, rw10(0x28, 0, 8), 4096)
    check(pdus[-1].bhs[3] == 0, '%s: a normal login and read still work' % what)
    p.logout()
    p.close()

def closed_within(s, secs):
    s.settimeout(secs)
    try:
        return s.recv(1) == b''
    except ConnectionError:
        return True
    except socket.timeout:
        return False

# Idle connections: 40 may wait in login; the 41st closes the one silent
# longest (the first), not itself.
idle = [socket.create_connection(('127.0.0.1', 3260)) for _ in range(40)]
time.sleep(1.5)
extra = socket.create_connection(('127.0.0.1', 3260))
check(closed_within(idle[0], 5), 'connection 41: the first idle login is closed')
check(not closed_within(extra, 1), 'connection 41 itself stays')
check(not any(closed_within(s, 0.01) for s in idle[1:]), 'the other idle logins stay')
idle = idle[1:] + [extra]
start = time.monotonic()
for s in idle:
    s.settimeout(25)
    try:
        check(s.recv(1) == b'', 'an idle connection is closed')
    except ConnectionError:
        pass
took = time.monotonic() - start
check(took < 24, 'the idle ones closed at the login timeout (%.1f s)' % took)
for s in idle:
    s.close()
works('after idle connections')

# Thousands of unknown keys: a bounded answer, then the login ends.
p = Peer('127.0.0.1')
keys = text(first([('X-kitt.k%d' % i, 'v') for i in range(3000)]))
chunks = [keys[i:i + 8192] for i in range(0, len(keys), 8192)]
for c in chunks[:-1]:
    rsp = p.login_step(0, 1, None, transit=False, cont=True, raw=c)
    if rsp.bhs[36]:
        break
else:
    rsp = p.login_step(0, 1, None, raw=chunks[-1])
check(rsp.bhs[36] == 2 and len(rsp.data) <= 8192,
      '3000 unknown keys: login refused (%d/%d), answer bounded' % (rsp.bhs[36], rsp.bhs[37]))
check(p.closed(5), 'then the connection closes')
p.close()

# Login text of 8189-8192 bytes with no NUL at the end.
for n in range(8189, 8193):
    p = Peer('127.0.0.1')
    raw = text(first())
    raw = raw + b'X-kitt.pad=' + b'a' * (n - len(raw) - 11)
    check(len(raw) == n and raw[-1] != 0, 'a login text of %d bytes without its NUL' % n)
    rsp = p.login_step(0, 1, None, raw=raw)
    check(rsp.bhs[36] == 2, '%d bytes: refused (%d/%d)' % (n, rsp.bhs[36], rsp.bhs[37]))
    check(p.closed(5), '%d bytes: connection closed' % n)
    p.close()

# A non-Login PDU during login: the connection ends.
for op in (OP_SCSI_CMD, OP_TEXT, OP_NOOP_OUT, OP_LOGOUT, OP_DATA_OUT):
    p = Peer('127.0.0.1')
    p.send(p._hdr(op, 0x80))
    check(p.closed(5), 'opcode 0x%02x during login: connection closed' % op)
    p.close()

# Slow logins (slowloris): a byte every half second does not keep a
# login alive past the login timeout.
slow = [Peer('127.0.0.1') for _ in range(20)]
login = bytearray(48)
login[0] = 0x40 | OP_LOGIN
start = time.monotonic()
open_ = list(slow)
sent = 0
while open_ and time.monotonic() - start < 30:
    for q in list(open_):
        try:
            q.sock.sendall(bytes(login[sent % 48:sent % 48 + 1]))
        except OSError:
            open_.remove(q)
    sent += 1
    time.sleep(0.5)
took = time.monotonic() - start
check(not open_, '20 logins trickling a byte every 0.5 s: all closed (%.1f s)' % took)
check(took < 22, 'at the login timeout')
for q in slow:
    q.close()

# A thousand half-open connections (connected, never logging in): at
# most max_logins_per_portal are kept, so kitt holds no more than that.
import resource, subprocess
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))

def target_side_conns():
    """Connections kitt holds open: established, from port 3260."""
    out = subprocess.run(['ss', '-Htn', 'state', 'established', '( sport = :3260 )'],
                         check=True, capture_output=True, text=True).stdout
    return len(out.splitlines())

half = []
for _ in range(1000):
    half.append(socket.create_connection(('127.0.0.1', 3260), timeout=20))
time.sleep(2)
held = target_side_conns()
check(held <= 40, '1000 half-open connections: kitt keeps %d open (the cap is 40)' % held)
for s in half:
    s.close()
works('after a thousand half-open connections')

# A flood held open: a thousand connections, idle or trickling a byte
# every half second, against the same portal; a real initiator still gets
# in within seconds, each time (every new connection closes the login
# silent longest).
flood, trickle = [], []
for i in range(1000):
    c = socket.create_connection(('127.0.0.1', 3260), timeout=20)
    (trickle if i % 10 == 0 else flood).append(c)
    if i % 100 == 99:
        for t in trickle:
            try:
                t.sendall(b'\x43')
            except OSError:
                pass
time.sleep(1.5)
for attempt in range(3):
    for t in trickle:
        try:
            t.sendall(b'\x00')
        except OSError:
            pass
    start = time.monotonic()
    try:
        works('with a thousand idle or slow connections held open (%d)' % attempt)
    except (ConnectionError, OSError, RuntimeError) as e:
        check(False, 'login through a flood of held connections: %r' % e)
    took = time.monotonic() - start
    check(took < 5, 'login and read through the flood in %.1f s' % took)
held = target_side_conns()
check(held <= 41, 'through the flood kitt keeps %d connections open (the cap is 40)' % held)
for c in flood + trickle:
    c.close()

# In the full feature phase.
p = Peer('127.0.0.1')
p.login(name, iqn)
# An extended-CDB AHS of length 0 (and of a reserved type).
for ahs in (struct.pack('>HBB', 0, 1, 0), struct.pack('>HBB', 5, 9, 0) + bytes(4)):
    bhs = p._hdr(OP_SCSI_CMD, 0xc1)
    bhs[4] = len(ahs) // 4
    struct.pack_into('>I', bhs, 20, 512)
    bhs[32:42] = rw10(0x28, 0, 1)
    p.cmd_sn += 1
    p.sock.sendall(bytes(bhs) + ahs)
    pdus = p.recv_quiet()
    check(len(pdus) == 1 and pdus[0].opcode == OP_REJECT and pdus[0].bhs[2] == 0x04,
          'a SCSI command with a malformed AHS: Reject, protocol error (%s)' % pdus)
# A Text Request continued (C bit) with no data.
bhs = p._hdr(OP_TEXT, 0x40, immediate=True)
struct.pack_into('>I', bhs, 20, 0xffffffff)
p.send(bhs)
pdus = p.recv_quiet()
check(len(pdus) == 1 and pdus[0].opcode == OP_REJECT,
      'an empty continued Text: Reject (%s)' % pdus)
p.close()
works('after malformed PDUs')
PY
open_iscsi_verify "$IQN"
kitt_unload
