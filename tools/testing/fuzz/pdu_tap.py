# SPDX-License-Identifier: GPL-2.0
"""Record real iSCSI traffic and cut it into fuzzer seeds.

  pdu_tap.py relay PORT HOST:PORT DIR
      Listen on 127.0.0.1:PORT and relay each connection to HOST:PORT,
      writing what each side sends to DIR/N.i2t and DIR/N.t2i.
  pdu_tap.py seeds DIR OUT
      Split the recorded streams into PDUs (following the digests the
      login agreed on) and write seeds for the fuzz targets under
      OUT/{pdu,text,nego,chap}: headers with their AHS, login and text
      data segments, and each login's request texts in the formats of
      fuzz_nego.c and fuzz_chap.c.
"""
import hashlib
import os
import socket
import sys
import threading

OP_LOGIN, OP_TEXT, OP_LOGIN_RSP, OP_TEXT_RSP = 0x03, 0x04, 0x23, 0x24


def pump(src, dst, path):
    with open(path, 'wb') as f:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b''
            if not data:
                break
            f.write(data)
            f.flush()
            try:
                dst.sendall(data)
            except OSError:
                break
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def relay(port, target, out):
    host, _, tport = target.rpartition(':')
    os.makedirs(out, exist_ok=True)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', int(port)))
    srv.listen(16)
    n = 0
    while True:
        ini, _ = srv.accept()
        tgt = socket.create_connection((host, int(tport)))
        n += 1
        base = os.path.join(out, str(n))
        for a, b, suffix in ((ini, tgt, '.i2t'), (tgt, ini, '.t2i')):
            threading.Thread(target=pump, args=(a, b, base + suffix),
                             daemon=True).start()


def split(stream, digests_after):
    """PDUs of one direction: (bhs, ahs, data). Digests (4 bytes after
    the header, 4 after padded data) start once @digests_after(pdus so
    far) says so."""
    pdus, pos, hd, dd = [], 0, False, False
    while pos + 48 <= len(stream):
        bhs = stream[pos:pos + 48]
        ahs_len = bhs[4] * 4
        dlen = int.from_bytes(bhs[5:8], 'big')
        pos += 48
        ahs = stream[pos:pos + ahs_len]
        pos += ahs_len + (4 if hd else 0)
        data = stream[pos:pos + dlen]
        pos += (dlen + 3) & ~3
        if dd and dlen:
            pos += 4
        pdus.append((bhs, ahs, data))
        hd, dd = digests_after(pdus)
    return pdus


def login_digests(rsps):
    """The digests a login agreed on, once its last response is in."""
    keys = {}
    for bhs, _, data in rsps:
        if bhs[0] & 0x3f != OP_LOGIN_RSP:
            continue
        for item in data.split(b'\0'):
            k, _, v = item.partition(b'=')
            keys[k] = v
    last = rsps[-1][0] if rsps else None
    done = last is not None and last[0] & 0x3f == OP_LOGIN_RSP and \
        last[1] & 0x80 and last[1] & 0x03 == 3
    if not done:
        return None
    return keys.get(b'HeaderDigest') == b'CRC32C', keys.get(b'DataDigest') == b'CRC32C'


def write_seed(out, kind, name, blob, seen):
    digest = hashlib.sha1(blob).hexdigest()
    if not blob or digest in seen:
        return
    seen.add(digest)
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    with open(os.path.join(out, kind, 'cap-%s-%s' % (name, digest[:12])), 'wb') as f:
        f.write(blob)


def seeds(src, out):
    seen = set()
    names = sorted({f.rsplit('.', 1)[0] for f in os.listdir(src)}, key=int)
    for n in names:
        i2t = open(os.path.join(src, n + '.i2t'), 'rb').read()
        t2i = open(os.path.join(src, n + '.t2i'), 'rb').read()
        # The target's side decides when digests start, for both sides.
        rsps = []
        agreed = [None]

        def t_digests(pdus):
            if agreed[0] is None:
                agreed[0] = login_digests(pdus)
            return agreed[0] or (False, False)
        rsps = split(t2i, t_digests)
        # Requests: digests start after the last Login Request.
        login_reqs = 0
        for bhs, _, _ in split(i2t, lambda p: (False, False)):
            if bhs[0] & 0x3f != OP_LOGIN:
                break
            login_reqs += 1
        final = agreed[0] or (False, False)
        reqs = split(i2t, lambda p: final if len(p) >= login_reqs else (False, False))

        shapes = set()
        for side, pdus in (('i', reqs), ('t', rsps)):
            for bhs, ahs, data in pdus:
                op = bhs[0] & 0x3f
                shape = (side, op, bhs[1], len(ahs), bhs[32] if op == 0x01 else 0)
                if shape not in shapes:
                    shapes.add(shape)
                    write_seed(out, 'pdu', '%s%s' % (side, n), bhs + ahs + data[:512], seen)
                if op in (OP_LOGIN, OP_TEXT, OP_LOGIN_RSP, OP_TEXT_RSP):
                    write_seed(out, 'text', '%s%s' % (side, n), data, seen)
        sec = [d for b, _, d in reqs if b[0] & 0x3f == OP_LOGIN and (b[1] >> 2) & 3 == 0]
        opn = [d for b, _, d in reqs if b[0] & 0x3f == OP_LOGIN and (b[1] >> 2) & 3 == 1]
        if sec or opn:
            write_seed(out, 'nego', n, b'\xff'.join(sec + [b''] + opn), seen)
        if len(sec) > 1:
            write_seed(out, 'chap', n, b'\xff'.join(sec[1:]), seen)


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == 'relay':
        relay(*sys.argv[2:5])
    elif len(sys.argv) == 4 and sys.argv[1] == 'seeds':
        seeds(*sys.argv[2:4])
    else:
        sys.exit(__doc__)
