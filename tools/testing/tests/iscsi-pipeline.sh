# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Many PDUs in one write, from a scriptable initiator (tools/testing/
# iscsi_peer.py): reads, NOP-Outs with ping data needing padding, writes
# with immediate and unsolicited data, and ORDERED reads of what they
# wrote, without and with CRC32C digests. kitt reads headers ahead of the
# piece it needs (drivers/conn.c, kitt_conn_recv()), so PDUs end up split
# across what it read ahead and what it reads next. Then such batches go
# in two parts, the second 20 ms later, split at every 29th byte and in
# each digest, data and padding: kitt stops in the middle of any of them,
# and must go on when the rest comes; and 24 pings in one write. Every
# command must answer GOOD with the right data, each ping its own data,
# and the blocks read back as written. Then reads of 7.5 MiB go to a peer with a small receive buffer that
# starts reading late, so that kitt's sends stop short anywhere in a
# Data-In header (which goes out with its data on 6.12, drivers/cmd.c)
# or its data.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:pipeline

kitt_load
demo_target "$IQN"
targetcli "/iscsi/$IQN/tpg1" set parameter InitialR2T=No >/dev/null

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import socket, struct, sys, time
from iscsi_peer import *

iqn = sys.argv[1]
SIMPLE, ORDERED = 1, 2
PING = b'ping data, not a multiple of four'


def block(lba, seed):
    return bytes((lba * 31 + i * seed) & 0xff for i in range(512))


def stamped(lba, blocks):
    """@blocks blocks from @lba, each its LBA over and over."""
    return b''.join(struct.pack('>Q', x) * 64
                    for x in range(lba, lba + blocks))


def answers(p, n):
    """The next @n commands' and pings' answers, by ITT: their PDUs."""
    got, done = {}, 0
    while done < n:
        pdu = p.recv()
        if pdu.opcode == OP_NOOP_IN and pdu.u32(16) == 0xffffffff:
            if pdu.u32(20) != 0xffffffff:
                p.nop_answer(pdu)       # the target's own ping
            continue
        got.setdefault(pdu.u32(16), []).append(pdu)
        done += pdu.opcode in (OP_SCSI_RSP, OP_NOOP_IN) or \
            (pdu.opcode == OP_DATA_IN and pdu.flags & 0x01)
    return got


def data_in(pdus):
    return b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)


def status(pdus):
    return pdus[-1].bhs[3]


def write_unsol(p, lba, data, imm):
    """A write of @data: @imm bytes immediate, the rest unsolicited."""
    itt = p.scsi_write_cmd(0, rw10(0x2a, lba, len(data) // 512), len(data),
                           immediate=data[:imm], final=imm == len(data))
    if imm < len(data):
        p.data_out(0, itt, 0xffffffff, imm, data[imm:])
    return itt


def ping(p, data):
    bhs = p._hdr(OP_NOOP_OUT, 0x80, immediate=True)
    struct.pack_into('>I', bhs, 20, 0xffffffff)
    p.send(bhs, data)
    return p.itt


def session(isid, keys):
    p = Peer('127.0.0.1')
    p.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    p.isid = bytes([0x80, 0, 0, 0, 0x71, isid])
    p.login('iqn.2003-01.org.example.lab:peer', iqn,
            [('InitialR2T', 'No'), ('ImmediateData', 'Yes'),
             ('FirstBurstLength', '65536')] + list(keys))
    return p


def window(p):
    """Commands the target takes at once: MaxCmdSN - ExpCmdSN + 1."""
    return p.login_rsp.u32(32) - p.login_rsp.u32(28) + 1


def write_blocks(p, lbas, seed, what):
    for lba in lbas:
        write_unsol(p, lba, block(lba, seed), 512)
    check(all(status(x) == 0 for x in answers(p, len(lbas)).values()),
          '%s: blocks written one by one' % what)


def batch(p, base, what):
    """Reads, pings and writes (immediate and unsolicited data) in one
    write, then ORDERED reads of what the writes wrote."""
    old = {lba: block(lba, 3) for lba in range(base, base + 16)}
    write_blocks(p, list(old), 3, what)
    p.start_batch()
    reads = {}
    for lba in range(base, base + 12):
        reads[p.scsi_read_cmd(0, rw10(0x28, lba, 1), 512)[0]] = old[lba]
    pings = {ping(p, PING): PING}
    new = {base + 12: block(base + 12, 5), base + 13: block(base + 13, 7)}
    writes = [write_unsol(p, base + 12, new[base + 12], 512),
              write_unsol(p, base + 13, new[base + 13], 200)]
    pings[ping(p, b'x')] = b'x'
    for lba in range(base + 11, base + 14):
        itt = p.scsi_read_cmd(0, rw10(0x28, lba, 1), 512, attr=ORDERED)[0]
        reads[itt] = new.get(lba, old[lba])
    p.flush()
    got = answers(p, len(reads) + len(pings) + len(writes))
    check(all(status(got[i]) == 0 and data_in(got[i]) == d
              for i, d in reads.items()),
          '%s: %d reads in one write: GOOD, each its own block' %
          (what, len(reads)))
    check(all(got[i][-1].data == d for i, d in pings.items()),
          '%s: both pings answered with their own data' % what)
    check(all(status(got[i]) == 0 for i in writes),
          '%s: writes with immediate and unsolicited data: GOOD' % what)
    bad = [lba for lba in range(base, base + 16)
           if data_in(p.scsi_read(0, rw10(0x28, lba, 1), 512)) !=
           new.get(lba, old[lba])]
    check(not bad, '%s: every block reads back as written' % what)
    # Pings alone, answered in the run that reads them: when what was read
    # ahead ends inside a header, only the socket has the rest.
    p.start_batch()
    pings = [ping(p, b'') for _ in range(24)]
    p.flush()
    got = answers(p, len(pings))
    check(all(got[i][-1].opcode == OP_NOOP_IN for i in pings),
          '%s: %d pings in one write: all answered' % (what, len(pings)))


def split_points(p, frames, size):
    """Where to split a batch of frames (start, data length): every 29th
    byte, and each of the first four bytes of every header digest, data,
    padding and data digest."""
    hl = 48 + 4 * p.hdigest
    points = set(range(1, size, 29))
    for start, dlen in frames:
        ends = [start + 48, start + hl]
        if dlen:
            ends += [start + hl + dlen, start + hl + pad4(dlen)]
        points |= {e + i for e in ends for i in range(4)}
    return sorted(x for x in points if 0 < x < size)


def splits(p, base, what):
    """The same kind of batch, sent in two parts, the second 20 ms later,
    split inside headers, digests, data and padding: kitt must wait for
    the rest wherever it stops, and lose nothing."""
    write_blocks(p, [base], 3, what)
    points, bad, n = None, [], 0
    while points is None or n < len(points):
        p.start_batch()
        frames = []
        r1 = p.scsi_read_cmd(0, rw10(0x28, base, 1), 512)[0]
        frames.append((len(p.batch), len(PING)))
        pi = ping(p, PING)
        data = block(base + 1, n + 1)
        frames.append((len(p.batch), 200))
        w = p.scsi_write_cmd(0, rw10(0x2a, base + 1, 1), 512,
                             immediate=data[:200], final=False)
        frames.append((len(p.batch), 312))
        p.data_out(0, w, 0xffffffff, 200, data[200:])
        r2 = p.scsi_read_cmd(0, rw10(0x28, base + 1, 1), 512, attr=ORDERED)[0]
        if points is None:
            points = split_points(p, frames, len(p.batch))
        p.flush(split=points[n])
        got = answers(p, 4)
        if not (data_in(got[r1]) == block(base, 3) and got[pi][-1].data == PING
                and status(got[w]) == 0 and data_in(got[r2]) == data):
            bad.append(points[n])
        n += 1
    check(not bad, '%s: batches split at %d places: all answered right%s' %
          (what, n, ' (not at %s)' % bad if bad else ''))


def stream(isid, keys, what):
    p = session(isid, keys)
    check(window(p) >= 64, '%s: a CmdSN window of %d' % (what, window(p)))
    batch(p, 64 * isid, what)
    splits(p, 64 * isid + 32, what)
    check(p.nop_out().opcode == OP_NOOP_IN, '%s: the session goes on' % what)
    p.logout()
    p.close()


def slow_reader(isid, keys, what):
    """Reads of 7.5 MiB in all, sent at once to a peer with a small
    receive buffer that starts reading only after a while: more than
    the target's socket holds, so that kitt's sends stop short, at any
    byte of a Data-In header or its data, and go on as the peer reads."""
    p = Peer('127.0.0.1', rcvbuf=4096)
    p.isid = bytes([0x80, 0, 0, 0, 0x71, isid])
    p.login('iqn.2003-01.org.example.lab:peer', iqn, list(keys), mrdsl=4096)
    check(window(p) >= 60, '%s: a CmdSN window of %d' % (what, window(p)))
    base = 1024 * isid
    for lba in range(base, base + 736, 16):
        write_unsol(p, lba, stamped(lba, 16), 8192)
    check(all(status(x) == 0 for x in answers(p, 46).values()),
          '%s: blocks written' % what)
    want = {}
    p.start_batch()
    for i in range(60):
        lba = base + 8 * i
        itt = p.scsi_read_cmd(0, rw10(0x28, lba, 256), 256 * 512)[0]
        want[itt] = stamped(lba, 256)
    p.flush()
    time.sleep(2)
    got = answers(p, len(want))
    check(all(status(got[i]) == 0 and data_in(got[i]) == d
              for i, d in want.items()),
          '%s: %d reads of 128 KiB to a slow reader: GOOD, each its own data'
          % (what, len(want)))
    check(p.nop_out().opcode == OP_NOOP_IN, '%s: the session goes on' % what)
    p.logout()
    p.close()


DIGESTS = [('HeaderDigest', 'CRC32C'), ('DataDigest', 'CRC32C')]
stream(1, [], 'no digests')
stream(2, DIGESTS, 'CRC32C digests')
slow_reader(3, [], 'slow reader')
slow_reader(4, DIGESTS[:1], 'slow reader, header digests')
PY
kitt_unload
