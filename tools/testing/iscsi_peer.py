# SPDX-License-Identifier: GPL-2.0
"""A small scriptable iSCSI initiator (RFC 7143) for protocol tests.

It speaks only what tests need (login with or without CHAP, Text, SCSI
commands with Data-In and Data-Out, NOP-Out, Logout) and hands back every PDU it
receives, so that a test can check exactly what the target sent,
including things a real initiator hides (Reject, Async Message, PDU
sizes). Bad PDUs are built by patching bytes of good ones.
"""
import hashlib
import socket
import struct
import sys
import time

OP_NOOP_OUT, OP_SCSI_CMD, OP_TMF, OP_LOGIN, OP_TEXT, OP_DATA_OUT, OP_LOGOUT = \
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
OP_NOOP_IN, OP_SCSI_RSP, OP_TMF_RSP, OP_LOGIN_RSP, OP_TEXT_RSP, OP_DATA_IN, \
    OP_LOGOUT_RSP, OP_R2T, OP_ASYNC, OP_REJECT = \
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x31, 0x32, 0x3f


# Keys that are declared, not negotiated: never answered.
DECLARATIVE = {'TargetAlias', 'TargetPortalGroupTag', 'TargetAddress',
               'MaxRecvDataSegmentLength', 'InitiatorAlias'}


def check(cond, what):
    """A test's assertion: prints it, and ends the test if it is false."""
    if not cond:
        print('FAILED:', what)
        sys.exit(1)
    print('ok:', what)


def rw10(op, lba, blocks):
    """A READ(10) (0x28) or WRITE(10) (0x2a) CDB."""
    return struct.pack('>BBIBHB', op, 0, lba, 0, blocks, 0)


def scsi_status(pdus):
    """(status, sense key, ASC, ASCQ) of a command's last PDU; the sense
    parts are None without sense data."""
    last = pdus[-1]
    status = last.bhs[3]
    sense = last.data[2:] if last.opcode == OP_SCSI_RSP and len(last.data) > 2 else b''
    if len(sense) >= 14 and sense[0] & 0x7f in (0x70, 0x71):
        return status, sense[2] & 0x0f, sense[12], sense[13]
    if len(sense) >= 4 and sense[0] & 0x7f in (0x72, 0x73):
        return status, sense[1] & 0x0f, sense[2], sense[3]
    return status, None, None, None


def pad4(n):
    return (n + 3) & ~3


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def digest(data):
    """The CRC32C digest of @data as iSCSI sends it (RFC 7143 13.1)."""
    crc = 0xffffffff
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xff] ^ (crc >> 8)
    return struct.pack('<I', crc ^ 0xffffffff)


def text(pairs):
    """Encode [(key, value), ...] as iSCSI text."""
    return b''.join(('%s=%s' % kv).encode() + b'\0' for kv in pairs)


def parse_text(data):
    out = []
    for item in data.split(b'\0'):
        if item:
            k, _, v = item.decode().partition('=')
            out.append((k, v))
    return out


class Pdu:
    def __init__(self, bhs, data=b''):
        self.bhs = bytes(bhs)
        self.data = data

    @property
    def opcode(self):
        return self.bhs[0] & 0x3f

    @property
    def flags(self):
        return self.bhs[1]

    def u32(self, off):
        return struct.unpack_from('>I', self.bhs, off)[0]

    def __repr__(self):
        return 'Pdu(op=0x%02x flags=0x%02x dlen=%d)' % (
            self.opcode, self.flags, len(self.data))


class Peer:
    def __init__(self, host, port=3260, timeout=10, rcvbuf=None):
        """@rcvbuf: a receive buffer this small (SO_RCVBUF, set before
        connecting, so that the window stays small too)."""
        if rcvbuf:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.settimeout(timeout)
            self.sock.connect((host, port))
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        self.itt = 0x1000
        self.cmd_sn = 1
        self.exp_stat_sn = 0
        self.isid = b'\x80\x12\x34\x56\x00\x01'
        self.tsih = 0
        # CRC32C digests, on once the login has negotiated them.
        self.hdigest = self.ddigest = False
        # The target's MaxRecvDataSegmentLength: our Data-Out size.
        self.max_send = 8192
        # PDUs sent while batching, sent together by flush().
        self.batch = None

    # ---- framing ----
    def frame(self, bhs, data=b''):
        """The bytes of a PDU, with digests if they are on."""
        bhs = bytearray(bhs)
        bhs[5:8] = len(data).to_bytes(3, 'big')
        out = bytes(bhs)
        if self.hdigest:
            out += digest(out)
        padded = data + b'\0' * (pad4(len(data)) - len(data))
        out += padded
        if self.ddigest and data:
            out += digest(padded)
        return out

    def send(self, bhs, data=b''):
        if self.batch is not None:
            self.batch += self.frame(bhs, data)
        else:
            self.sock.sendall(self.frame(bhs, data))

    def start_batch(self):
        """Hold the PDUs sent from now on, to go in one write."""
        self.batch = b''

    def flush(self, split=None, pause=0.02):
        """Send the PDUs held since start_batch() in one write, or in
        two, the first @split bytes, then the rest @pause seconds later."""
        if self.batch is None:
            raise RuntimeError('flush() without start_batch()')
        out, self.batch = self.batch, None
        if split is None:
            self.sock.sendall(out)
            return
        self.sock.sendall(out[:split])
        time.sleep(pause)
        self.sock.sendall(out[split:])

    def _recv_exact(self, n):
        buf = b''
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError('connection closed by the target')
            buf += chunk
        return buf

    def recv(self):
        if self.batch is not None:
            raise RuntimeError('recv() while PDUs are held (flush() first)')
        bhs = self._recv_exact(48)
        ahs = bhs[4] * 4
        dlen = int.from_bytes(bhs[5:8], 'big')
        ahs_data = self._recv_exact(ahs) if ahs else b''
        if self.hdigest and self._recv_exact(4) != digest(bhs + ahs_data):
            raise RuntimeError('bad header digest from the target')
        padded = self._recv_exact(pad4(dlen))
        if self.ddigest and dlen and self._recv_exact(4) != digest(padded):
            raise RuntimeError('bad data digest from the target')
        data = padded[:dlen]
        pdu = Pdu(bhs, data)
        if pdu.opcode in (OP_SCSI_RSP, OP_TEXT_RSP, OP_LOGIN_RSP, OP_LOGOUT_RSP,
                          OP_NOOP_IN, OP_TMF_RSP, OP_ASYNC, OP_REJECT) or \
                (pdu.opcode == OP_DATA_IN and pdu.flags & 0x01):
            stat_sn = pdu.u32(24)
            if pdu.opcode != OP_NOOP_IN or pdu.u32(16) != 0xffffffff:
                self.exp_stat_sn = stat_sn + 1
        if pdu.opcode == OP_REJECT:
            self._plug(pdu)
        self.last_pdu = pdu
        return pdu

    def _plug(self, rej):
        """RFC 7143 11.17.1: a rejected non-immediate request's CmdSN is
        not received; plug the gap by sending the next request with it."""
        h = rej.data
        if len(h) >= 48 and not h[0] & 0x40 and \
                h[0] & 0x3f not in (OP_DATA_OUT, 0x10):
            self.cmd_sn = struct.unpack_from('>I', h, 24)[0]

    def next_itt(self):
        self.itt += 1
        return self.itt

    def _hdr(self, op, flags, immediate=False):
        bhs = bytearray(48)
        bhs[0] = op | (0x40 if immediate else 0)
        bhs[1] = flags
        struct.pack_into('>I', bhs, 16, self.next_itt())
        struct.pack_into('>I', bhs, 24, self.cmd_sn)
        struct.pack_into('>I', bhs, 28, self.exp_stat_sn)
        return bhs

    def closed(self, within=10):
        """True if the target closes the connection within @within seconds
        (whatever it sends before that is read and dropped)."""
        old = self.sock.gettimeout()
        self.sock.settimeout(within)
        try:
            while True:
                self.recv()
        except ConnectionError:
            return True
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(old)

    # ---- login ----
    def login_step(self, csg, nsg, pairs, transit=True, cont=False,
                   version_min=0, raw=None):
        bhs = bytearray(48)
        bhs[0] = 0x40 | OP_LOGIN
        bhs[1] = (0x80 if transit else 0) | (0x40 if cont else 0) | (csg << 2) | nsg
        bhs[3] = version_min
        bhs[8:14] = self.isid
        struct.pack_into('>H', bhs, 14, self.tsih)
        struct.pack_into('>I', bhs, 16, self.next_itt())
        struct.pack_into('>I', bhs, 24, self.cmd_sn)
        struct.pack_into('>I', bhs, 28, self.exp_stat_sn)
        self.send(bhs, text(pairs) if raw is None else raw)
        rsp = self.recv()
        if rsp.opcode != OP_LOGIN_RSP:
            raise RuntimeError('expected a Login Response, got %r' % rsp)
        return rsp

    def login(self, initiator, target=None, keys=(), mrdsl=8192):
        """Log in without authentication; returns the operational answers."""
        first = [('InitiatorName', initiator),
                 ('SessionType', 'Normal' if target else 'Discovery'),
                 ('AuthMethod', 'None')]
        if target:
            first.append(('TargetName', target))
        rsp = self.login_step(0, 1, first)
        if rsp.bhs[36]:
            raise RuntimeError('login refused: class %d detail %d' % (rsp.bhs[36], rsp.bhs[37]))
        return self.login_operational(keys, mrdsl)

    def login_operational(self, keys=(), mrdsl=8192):
        """The operational stage, up to the full feature phase."""
        sent = [('MaxRecvDataSegmentLength', str(mrdsl))] + list(keys)
        answers = {}
        for _ in range(4):
            rsp = self.login_step(1, 3, sent)
            if rsp.bhs[36]:
                raise RuntimeError('operational stage failed: class %d detail %d' %
                                   (rsp.bhs[36], rsp.bhs[37]))
            got = parse_text(rsp.data)
            answers.update(got)
            if rsp.flags & 0x80:
                self.login_rsp = rsp
                self.tsih = struct.unpack_from('>H', rsp.bhs, 14)[0]
                self.cmd_sn = rsp.u32(28)
                self.hdigest = answers.get('HeaderDigest') == 'CRC32C'
                self.ddigest = answers.get('DataDigest') == 'CRC32C'
                self.max_send = int(answers.get('MaxRecvDataSegmentLength', 8192))
                return answers
            # The target offered keys of its own: take its values.
            names = {k for k, _ in sent}
            sent = [(k, v) for k, v in got if k not in names and k not in DECLARATIVE]
        raise RuntimeError('the target never let the login end')

    def chap(self, user, secret, alg='5', mutual=None, reflect=False):
        """The CHAP exchange of the security stage, after AuthMethod=CHAP
        was agreed. @mutual is (identifier, challenge bytes) to ask the
        target to prove itself; @reflect sends the target's own challenge
        back as ours. Returns the last Login Response."""
        rsp = self.login_step(0, 1, [('CHAP_A', alg)], transit=False)
        if rsp.bhs[36]:
            return rsp
        got = dict(parse_text(rsp.data))
        ident = int(got['CHAP_I'])
        chal = bytes.fromhex(got['CHAP_C'][2:])
        name = {'5': 'md5', '6': 'sha1', '7': 'sha256', '8': 'sha3_256'}[got['CHAP_A']]
        digest = hashlib.new(name, bytes([ident]) + secret.encode() + chal).digest()
        pairs = [('CHAP_N', user), ('CHAP_R', '0x' + digest.hex())]
        if reflect:
            mutual = (ident, chal)
        if mutual:
            pairs += [('CHAP_I', str(mutual[0])), ('CHAP_C', '0x' + mutual[1].hex())]
        self.chap_alg = name
        return self.login_step(0, 1, pairs)

    # ---- full feature phase ----
    def text_request(self, pairs, ttt=0xffffffff, itt=None):
        bhs = self._hdr(OP_TEXT, 0x80, immediate=True)
        if itt is not None:
            struct.pack_into('>I', bhs, 16, itt)
        struct.pack_into('>I', bhs, 20, ttt)
        self.send(bhs, text(pairs))
        return self.recv()

    def text_all(self, pairs):
        """A Text exchange whose answer may span PDUs (C bit): asks for
        each next part with an empty request carrying the target's TTT.
        Returns the Text Response PDUs."""
        rsp = self.text_request(pairs)
        pdus = [rsp]
        itt = rsp.u32(16)
        while rsp.opcode == OP_TEXT_RSP and rsp.flags & 0x40:
            rsp = self.text_request([], ttt=rsp.u32(20), itt=itt)
            pdus.append(rsp)
        return pdus

    def scsi_read_cmd(self, lun, cdb, length, attr=1):
        """Send a read command without waiting for its answer; returns
        its (ITT, CmdSN). @attr: the task attribute (1 SIMPLE, 2 ORDERED)."""
        bhs = self._hdr(OP_SCSI_CMD, 0x80 | 0x40 | attr)
        bhs[8:16] = struct.pack('>Q', lun << 48)
        struct.pack_into('>I', bhs, 20, length)
        bhs[32:32 + len(cdb)] = cdb
        cmd_sn = self.cmd_sn
        self.cmd_sn += 1
        self.send(bhs)
        return self.itt, cmd_sn

    def scsi_read(self, lun, cdb, length):
        """A read command; returns (Data-In PDUs, final PDU with status)."""
        self.scsi_read_cmd(lun, cdb, length)
        pdus = []
        while True:
            pdu = self.recv()
            pdus.append(pdu)
            if pdu.opcode == OP_SCSI_RSP or (pdu.opcode == OP_DATA_IN and pdu.flags & 0x01):
                return pdus

    def scsi_write_cmd(self, lun, cdb, length, immediate=b'', final=True):
        """Send a write command (with immediate data); returns its ITT."""
        bhs = self._hdr(OP_SCSI_CMD, (0x80 if final else 0) | 0x20 | 0x01)
        bhs[8:16] = struct.pack('>Q', lun << 48)
        struct.pack_into('>I', bhs, 20, length)
        bhs[32:32 + len(cdb)] = cdb
        self.cmd_sn += 1
        self.send(bhs, immediate)
        return self.itt

    def scsi_write(self, lun, cdb, data, immediate=0):
        """A whole write: @immediate bytes of @data go with the command,
        the rest in answer to R2Ts. Returns the PDUs up to the SCSI
        Response."""
        itt = self.scsi_write_cmd(lun, cdb, len(data), immediate=data[:immediate])
        pdus = []
        while True:
            pdu = self.recv()
            pdus.append(pdu)
            if pdu.opcode == OP_SCSI_RSP:
                return pdus
            if pdu.opcode != OP_R2T:
                continue
            ttt, pos = pdu.u32(20), pdu.u32(40)
            end = pos + pdu.u32(44)
            data_sn = 0
            while pos < end:
                n = min(self.max_send, end - pos)
                self.data_out(lun, itt, ttt, pos, data[pos:pos + n],
                              data_sn=data_sn, final=pos + n == end)
                pos += n
                data_sn += 1

    def data_out(self, lun, itt, ttt, offset, data, data_sn=0, final=True):
        bhs = bytearray(48)
        bhs[0] = OP_DATA_OUT
        bhs[1] = 0x80 if final else 0
        bhs[8:16] = struct.pack('>Q', lun << 48)
        struct.pack_into('>IIIIII', bhs, 16, itt, ttt, 0, self.exp_stat_sn, 0, 0)
        struct.pack_into('>II', bhs, 36, data_sn, offset)
        self.send(bhs, data)

    def tmf(self, function, lun=0, ref_itt=0xffffffff, ref_cmd_sn=0,
            immediate=True):
        """Send a Task Management Function Request (RFC 7143 11.5) without
        waiting for its answer; returns its ITT. An immediate one carries
        the current CmdSN and does not advance it."""
        bhs = self._hdr(OP_TMF, 0x80 | function, immediate=immediate)
        bhs[8:16] = struct.pack('>Q', lun << 48)
        struct.pack_into('>I', bhs, 20, ref_itt)
        struct.pack_into('>I', bhs, 32, ref_cmd_sn)
        if not immediate:
            self.cmd_sn += 1
        self.send(bhs)
        return self.itt

    def nop_answer(self, nop_in):
        """Answer a NOP-In that asks for one (TTT not 0xffffffff): an
        immediate NOP-Out with its TTT and LUN, ITT 0xffffffff."""
        bhs = bytearray(48)
        bhs[0] = 0x40 | OP_NOOP_OUT
        bhs[1] = 0x80
        bhs[8:16] = nop_in.bhs[8:16]
        struct.pack_into('>IIII', bhs, 16, 0xffffffff, nop_in.u32(20),
                         self.cmd_sn, self.exp_stat_sn)
        self.send(bhs)

    def recv_quiet(self, quiet=1.0):
        """Every PDU that arrives until none has for @quiet seconds."""
        pdus = []
        old = self.sock.gettimeout()
        self.sock.settimeout(quiet)
        try:
            while True:
                pdus.append(self.recv())
        except socket.timeout:
            pass
        finally:
            self.sock.settimeout(old)
        return pdus

    def nop_out(self):
        """An immediate NOP-Out asking for an answer; returns the NOP-In."""
        bhs = self._hdr(OP_NOOP_OUT, 0x80, immediate=True)
        struct.pack_into('>I', bhs, 20, 0xffffffff)
        self.send(bhs)
        while True:
            pdu = self.recv()
            if pdu.opcode == OP_NOOP_IN and pdu.u32(16) != 0xffffffff:
                return pdu

    def logout(self):
        bhs = self._hdr(OP_LOGOUT, 0x80, immediate=True)
        self.send(bhs)
        return self.recv()

    def close(self):
        self.sock.close()

    def reset(self):
        """Drop the connection with a TCP reset, no FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.sock.close()
