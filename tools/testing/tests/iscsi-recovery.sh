# SPDX-License-Identifier: GPL-2.0
# timeout: 480
#
# Recovery and flow control seen from a scriptable initiator (tools/testing/
# iscsi_peer.py), in seven independent parts; each prints
# "PART n: PASS" or "PART n: FAIL: why", and any failure fails the test.
#
#  1. R2Ts leave at once: 40 writes of 8 KiB at queue depth 1 with
#     InitialR2T=Yes, ImmediateData=No take under 4 s (an R2T held back
#     as a partial segment waits ~200 ms for the delayed ACK).
#  2. Task management in a full window: with cmdsn_depth 16 and 16 writes
#     waiting for data, an immediate ABORT TASK completes (within 5 s) and
#     an immediate LOGICAL UNIT RESET completes (within 10 s); then the
#     session goes on (NOP-Out, write, read) and its window is 16 again.
#  3. Another session's LUN RESET: session A's 4 writes wait for data,
#     session B resets their LUN; B is answered within 10 s, A gets TASK
#     ABORTED (TAS) for each write within 10 s, and A goes on working.
#  4. Data-Out timeout: a write whose data never comes (the initiator
#     still answers NOP-In) ends the connection 2-12 s after its R2T
#     (dataout_timeout=3); a new session then logs in and writes.
#  5. An unsolicited burst ended early (F=1 at 8 KiB, FirstBurstLength
#     16 KiB): the target asks by R2T for everything from 8 KiB on, and
#     the write completes with the right data.
#  6. Reads sized by the Expected Data Transfer Length: 32 pipelined
#     READ(16)s of 100 MiB with EDTL 512 each return 512 bytes, GOOD,
#     residual overflow 100 MiB - 512, and do not take memory for the
#     100 MiB (MemAvailable drops by at most 64 MiB).
#  7. Window kept full: 3000 READ(10)s with exactly cmdsn_depth (8)
#     outstanding whenever MaxCmdSN allows: never a Reject, all GOOD.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:recovery
INI=iqn.2003-01.org.example.lab:rec
TPG=$ISCSI/$IQN/tpgt_1

kitt_load
# LUN 0: a 16 MiB ramdisk; LUN 1: 1 GiB that costs no memory (null_blk is
# not memory backed). The rest straight into configfs: each targetcli
# call costs seconds in the guest.
modprobe null_blk nr_devices=1 gb=1
targetcli /backstores/ramdisk create name=rd0 size=16M >/dev/null
targetcli /backstores/block create name=nb dev=/dev/nullb0 >/dev/null
mkdir -p "$TPG/lun/lun_0" "$TPG/lun/lun_1"
ln -s "$(echo $CFS/core/rd_mcp_*/rd0)" "$TPG/lun/lun_0/rd0"
ln -s "$(echo $CFS/core/iblock_*/nb)" "$TPG/lun/lun_1/nb"
mkdir "$TPG/np/127.0.0.1:3260"
# Explicit ACLs only; InitialR2T=No allowed (part 5; the others ask Yes).
echo 0 > "$TPG/attrib/authentication"
echo 0 > "$TPG/attrib/generate_node_acls"
echo No > "$TPG/param/InitialR2T"
# One ACL per initiator, with LUNs 0 and 1 mapped.
for n in p1 p2 p3a p3b p4 p5 p6 p7; do
	acl=$TPG/acls/$INI-$n
	mkdir "$acl" "$acl/lun_0" "$acl/lun_1"
	ln -s "$TPG/lun/lun_0" "$acl/lun_0/map0"
	ln -s "$TPG/lun/lun_1" "$acl/lun_1/map1"
	# Idle sessions are never pinged, and writes may wait for their
	# data for a minute, except in part 4.
	echo 0 > "$acl/attrib/nopin_timeout"
	echo 60 > "$acl/attrib/dataout_timeout"
done
echo 16 > "$TPG/acls/$INI-p2/cmdsn_depth"
echo 8 > "$TPG/acls/$INI-p7/cmdsn_depth"
echo 3 > "$TPG/acls/$INI-p4/attrib/dataout_timeout"
echo 5 > "$TPG/acls/$INI-p4/attrib/nopin_timeout"
echo 5 > "$TPG/acls/$INI-p4/attrib/nopin_response_timeout"
echo 1 > "$TPG/enable"
wait_listen 127.0.0.1:3260 || die "not listening"

rc=0
PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$INI" <<'PY' || rc=$?
import os, signal, socket, struct, sys, threading, time, traceback
from iscsi_peer import *

iqn, ini = sys.argv[1:3]
GOOD, CHECK_CONDITION, TASK_ABORTED = 0x00, 0x02, 0x40
FUNC_ABORT_TASK, FUNC_LUN_RESET = 1, 5
TMF_COMPLETE = 0
TMF_NAMES = {0: 'function complete', 1: 'task does not exist', 2: 'LUN does not exist',
             5: 'function not supported', 255: 'function rejected'}
RSVD = 0xffffffff
SESSIONS = ('/sys/kernel/config/target/iscsi/%s/fabric_statistics/'
            'iscsi_instance/sessions' % iqn)
TIMEOUT = 10        # every socket's, outside rx()


class Fail(Exception):
    """Ends a part: what it checks cannot go on."""


class Budget(Exception):
    """A part ran past its time budget."""


peers = []          # the current part's connections, reset when it ends
problems = []       # the current part's failures


def say(msg):
    print('  ' + msg, flush=True)


def expect(cond, what):
    say(('ok: ' if cond else 'BAD: ') + what)
    if not cond:
        problems.append(what)
    return cond


def require(cond, what):
    if not expect(cond, what):
        raise Fail(None)


def session(name, n, keys=()):
    """A logged-in session of initiator ini-@name, ISID ending in @n,
    with the unit attentions of a new nexus (REPORTED LUNS DATA HAS
    CHANGED) cleared on both LUNs and its window full again."""
    p = Peer('127.0.0.1', timeout=TIMEOUT)
    p.isid = bytes([0x80, 0, 0, 0x52, 0, n])
    peers.append(p)
    p.answers = p.login('%s-%s' % (ini, name), iqn, keys)
    p.login_window = window(p.login_rsp)
    require(ready(p, 0) and ready(p, 1), '%s: LUNs 0 and 1 ready' % name)
    for _ in range(5):
        require(ping(p), '%s: NOP-Out answered' % name)
        if window(p.last_pdu) >= p.login_window:
            break
        time.sleep(0.1)
    return p


R2T_KEYS = [('InitialR2T', 'Yes'), ('ImmediateData', 'No')]


def sessions():
    with open(SESSIONS) as f:
        return int(f.read())


def desc(pdu):
    """A PDU in a few words, for the log."""
    names = {OP_NOOP_IN: 'NOP-In', OP_SCSI_RSP: 'SCSI Response',
             OP_TMF_RSP: 'TMF Response', OP_DATA_IN: 'Data-In', OP_R2T: 'R2T',
             OP_ASYNC: 'Async', OP_REJECT: 'Reject', OP_LOGOUT_RSP: 'Logout Response'}
    s = '%s ITT 0x%08x' % (names.get(pdu.opcode, 'op 0x%02x' % pdu.opcode), pdu.u32(16))
    if pdu.opcode in (OP_SCSI_RSP, OP_TMF_RSP, OP_REJECT):
        s += ' byte2 0x%02x byte3 0x%02x' % (pdu.bhs[2], pdu.bhs[3])
    if pdu.opcode == OP_R2T:
        s += ' offset %d length %d' % (pdu.u32(40), pdu.u32(44))
    return s


def rx(p, deadline):
    """The next PDU before @deadline (time.monotonic()), answering the
    target's NOP-In pings on the way; socket.timeout after it."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout('deadline passed')
        p.sock.settimeout(left)
        try:
            pdu = p.recv()
        finally:
            p.sock.settimeout(TIMEOUT)
        if pdu.opcode == OP_NOOP_IN and pdu.u32(20) != RSVD:
            p.nop_answer(pdu)
            continue
        return pdu


def wait_for(p, pred, within):
    """PDUs until one matches @pred, for at most @within seconds: (the
    match or None, the others)."""
    deadline = time.monotonic() + within
    others = []
    try:
        while True:
            pdu = rx(p, deadline)
            if pred(pdu):
                return pdu, others
            others.append(pdu)
    except socket.timeout:
        return None, others


def tmf_rsp(pdu):
    return '%d (%s)' % (pdu.bhs[2], TMF_NAMES.get(pdu.bhs[2], '?'))


def is_status(pdu):
    return pdu.opcode == OP_SCSI_RSP or (pdu.opcode == OP_DATA_IN and pdu.flags & 0x01)


def window(pdu):
    """MaxCmdSN - ExpCmdSN + 1 of a PDU from the target."""
    return (pdu.u32(32) - pdu.u32(28) + 1) & 0xffffffff


def sn_lte(a, b):
    return ((b - a) & 0xffffffff) < 0x80000000


def ping(p, within=5):
    """An immediate NOP-Out; True if its NOP-In comes in time."""
    bhs = p._hdr(OP_NOOP_OUT, 0x80, immediate=True)
    struct.pack_into('>I', bhs, 20, RSVD)
    p.send(bhs)
    itt = p.itt
    rsp, others = wait_for(p, lambda x: x.opcode == OP_NOOP_IN and x.u32(16) == itt, within)
    for x in others:
        say('(meanwhile: %s)' % desc(x))
    return rsp is not None


def answer_r2t(p, lun, itt, r2t, data):
    """Data-Out for all that @r2t asks for."""
    ttt, pos = r2t.u32(20), r2t.u32(40)
    end = pos + r2t.u32(44)
    data_sn = 0
    while pos < end:
        n = min(p.max_send, end - pos)
        p.data_out(lun, itt, ttt, pos, data[pos:pos + n], data_sn=data_sn,
                   final=pos + n == end)
        pos += n
        data_sn += 1


def write(p, lun, lba, data, within=10):
    """A write whose data all goes by R2T; its SCSI Response."""
    itt = p.scsi_write_cmd(lun, rw10(0x2a, lba, len(data) // 512), len(data))
    deadline = time.monotonic() + within
    while True:
        pdu = rx(p, deadline)
        if pdu.u32(16) != itt:
            say('(meanwhile: %s)' % desc(pdu))
        elif pdu.opcode == OP_R2T:
            answer_r2t(p, lun, itt, pdu, data)
        elif pdu.opcode == OP_SCSI_RSP:
            return pdu


def read(p, lun, lba, blocks, within=10):
    """(data, status PDU) of a READ(10)."""
    itt, _ = p.scsi_read_cmd(lun, rw10(0x28, lba, blocks), blocks * 512)
    deadline = time.monotonic() + within
    data = []
    while True:
        pdu = rx(p, deadline)
        if pdu.u32(16) != itt:
            say('(meanwhile: %s)' % desc(pdu))
            continue
        if pdu.opcode == OP_DATA_IN:
            data.append(pdu.data)
        if is_status(pdu):
            return b''.join(data), pdu


def retry_ua(what, fn):
    """fn() -> status PDU (or a tuple ending with one); once more after a
    CHECK CONDITION (the UNIT ATTENTION a reset leaves)."""
    r = fn()
    st = r[-1] if isinstance(r, tuple) else r
    if st.bhs[3] == CHECK_CONDITION:
        say('%s: CHECK CONDITION %r first, once more' % (what, scsi_status([st])[1:]))
        r = fn()
    return r


def ready(p, lun):
    """TEST UNIT READY until GOOD: clears unit attentions."""
    for _ in range(4):
        if scsi_status(p.scsi_read(lun, bytes(6), 0))[0] == GOOD:
            return True
    return False


def wait_sessions(n, within=20):
    end = time.monotonic() + within
    while sessions() != n and time.monotonic() < end:
        time.sleep(0.1)
    return sessions() == n


# ---------------------------------------------------------------------------
def part1():
    """R2T stall: 40 writes of 8 KiB at QD1 in under 4 s."""
    p = session('p1', 1, R2T_KEYS)
    # A target may leave out the answer to InitialR2T=Yes (an OR) and to
    # ImmediateData=No (an AND): the outcome is known.
    ir2t = p.answers.get('InitialR2T', 'Yes')
    immd = p.answers.get('ImmediateData', 'No')
    require(ir2t == 'Yes' and immd == 'No',
            'negotiated InitialR2T=%s ImmediateData=%s' % (ir2t, immd))
    n, lba = 40, 1024
    datas = [os.urandom(8192) for _ in range(n)]
    t0 = time.monotonic()
    for i in range(n):
        st = write(p, 0, lba + 16 * i, datas[i])
        if st.bhs[3] != GOOD:
            require(False, 'write %d: GOOD (status 0x%02x)' % (i, st.bhs[3]))
    took = time.monotonic() - t0
    say('40 writes of 8 KiB at queue depth 1 took %.2f s' % took)
    expect(took < 4.0, '40 writes in under 4.0 s (took %.2f s)' % took)
    data, st = read(p, 0, lba, 16 * n)
    require(st.bhs[3] == GOOD, 'read back: GOOD')
    expect(data == b''.join(datas), 'the data reads back as written')
    p.logout()


def part2():
    """Full window + ABORT TASK + LUN RESET."""
    p = session('p2', 2, R2T_KEYS)
    w = window(p.login_rsp)
    expect(w == 16, 'login: window MaxCmdSN - ExpCmdSN + 1 = %d (cmdsn_depth 16)' % w)
    w = window(p.last_pdu)
    require(w == 16, 'before the writes: window %d' % w)
    cmds = []
    for i in range(16):
        itt = p.scsi_write_cmd(0, rw10(0x2a, 4096 + 16 * i, 16), 8192)
        cmds.append((itt, p.cmd_sn - 1))
    itts = {c[0] for c in cmds}
    got = set()
    deadline = time.monotonic() + 10
    last = None
    try:
        while len(got) < 16:
            pdu = rx(p, deadline)
            if pdu.opcode == OP_R2T and pdu.u32(16) in itts:
                got.add(pdu.u32(16))
                last = pdu
            else:
                say('(meanwhile: %s)' % desc(pdu))
    except socket.timeout:
        pass
    require(len(got) == 16, '16 writes: %d R2Ts' % len(got))
    say('last R2T: ExpCmdSN %d MaxCmdSN %d (window %d)' %
        (last.u32(28), last.u32(32), window(last)))

    itt5, sn5 = cmds[4]
    t0 = time.monotonic()
    titt = p.tmf(FUNC_ABORT_TASK, 0, ref_itt=itt5, ref_cmd_sn=sn5)
    rsp, others = wait_for(p, lambda x: x.opcode == OP_TMF_RSP and x.u32(16) == titt, 5)
    for x in others:
        say('(meanwhile: %s)' % desc(x))
    if expect(rsp is not None, 'ABORT TASK of the 5th write: answered within 5 s'):
        say('ABORT TASK answered after %.2f s' % (time.monotonic() - t0))
        expect(rsp.bhs[2] == TMF_COMPLETE,
               'ABORT TASK: response %s (want 0, function complete)' % tmf_rsp(rsp))

    t0 = time.monotonic()
    titt = p.tmf(FUNC_LUN_RESET, 0)
    rsp, others = wait_for(p, lambda x: x.opcode == OP_TMF_RSP and x.u32(16) == titt, 10)
    for x in others:
        say('(meanwhile: %s)' % desc(x))
    require(rsp is not None, 'LOGICAL UNIT RESET: answered within 10 s')
    say('LOGICAL UNIT RESET answered after %.2f s' % (time.monotonic() - t0))
    expect(rsp.bhs[2] == TMF_COMPLETE,
           'LOGICAL UNIT RESET: response %s (want 0, function complete)' % tmf_rsp(rsp))
    say('TMF Response: ExpCmdSN %d MaxCmdSN %d (window %d)' %
        (rsp.u32(28), rsp.u32(32), window(rsp)))

    require(ping(p), 'after the reset, a NOP-Out is answered')
    last = p.last_pdu
    require(sn_lte(p.cmd_sn, last.u32(32)),
            'the window is open again (CmdSN %d, MaxCmdSN %d)' % (p.cmd_sn, last.u32(32)))
    data = os.urandom(8192)
    st = retry_ua('write', lambda: write(p, 0, 6000, data))
    require(st.bhs[3] == GOOD, 'a write after the reset: GOOD (status 0x%02x)' % st.bhs[3])
    back, st = retry_ua('read', lambda: read(p, 0, 6000, 16))
    require(st.bhs[3] == GOOD, 'a read after the reset: GOOD (status 0x%02x)' % st.bhs[3])
    expect(back == data, 'it reads back as written')
    say('the read\'s status PDU: ExpCmdSN %d MaxCmdSN %d (window %d)' %
        (st.u32(28), st.u32(32), window(st)))
    # Nothing is outstanding now: the window must be the whole 16 again.
    # A command's slot may come back just after its own response left,
    # so the window is read from a NOP-In after it.
    for _ in range(3):
        require(ping(p), 'NOP-Out answered')
        w = window(p.last_pdu)
        if w == 16:
            break
        time.sleep(0.2)
    expect(w == 16, 'with nothing outstanding, the NOP-In\'s MaxCmdSN %d - ExpCmdSN %d + 1 '
           '= %d (want 16)' % (p.last_pdu.u32(32), p.last_pdu.u32(28), w))
    p.logout()


def part3():
    """Another session's LUN RESET aborts A's writes with TASK ABORTED."""
    a = session('p3a', 3, R2T_KEYS)
    b = session('p3b', 4, R2T_KEYS)
    itts = [a.scsi_write_cmd(1, rw10(0x2a, 64 * i, 16), 8192) for i in range(4)]
    got = set()
    deadline = time.monotonic() + 10
    try:
        while len(got) < 4:
            pdu = rx(a, deadline)
            if pdu.opcode == OP_R2T and pdu.u32(16) in itts:
                got.add(pdu.u32(16))
            else:
                say('(A meanwhile: %s)' % desc(pdu))
    except socket.timeout:
        pass
    require(len(got) == 4, 'A: 4 writes to LUN 1, %d R2Ts' % len(got))

    t0 = time.monotonic()
    titt = b.tmf(FUNC_LUN_RESET, 1)
    rsp, others = wait_for(b, lambda x: x.opcode == OP_TMF_RSP and x.u32(16) == titt, 10)
    for x in others:
        say('(B meanwhile: %s)' % desc(x))
    answered = expect(rsp is not None, "B's LOGICAL UNIT RESET of LUN 1: answered within 10 s")
    if answered:
        t_b = time.monotonic()
        say("B's reset answered after %.2f s" % (t_b - t0))
        expect(rsp.bhs[2] == TMF_COMPLETE,
               "B's LOGICAL UNIT RESET: response %s (want 0)" % tmf_rsp(rsp))
        deadline = t_b + 10
    else:
        deadline = time.monotonic() + 0.5      # 10 s have passed already

    statuses = {}
    try:
        while len(statuses) < 4:
            pdu = rx(a, deadline)
            if pdu.opcode == OP_SCSI_RSP and pdu.u32(16) in itts:
                statuses[pdu.u32(16)] = pdu.bhs[3]
                say('A: write ITT 0x%08x ended with status 0x%02x after %.2f s' %
                    (pdu.u32(16), pdu.bhs[3], time.monotonic() - t0))
            else:
                say('(A meanwhile: %s)' % desc(pdu))
    except socket.timeout:
        pass
    expect(len(statuses) == 4 and all(s == TASK_ABORTED for s in statuses.values()),
           'A: its 4 writes end with TASK ABORTED within 10 s (got %s)' %
           (['0x%02x' % s for s in statuses.values()] or 'nothing'))

    if not answered:
        # What the reset is waiting for: A's connection.
        t1 = time.monotonic()
        a.reset()
        peers.remove(a)
        rsp, others = wait_for(b, lambda x: x.opcode == OP_TMF_RSP and x.u32(16) == titt, 20)
        if rsp is not None:
            say("(once A's connection was reset, B's reset was answered %.2f s later: "
                "response %s)" % (time.monotonic() - t1, tmf_rsp(rsp)))
        else:
            say("(B's reset was still not answered 20 s after A's connection was reset)")
        raise Fail(None)
    expect(ping(a), "A's session goes on: NOP-Out answered")
    expect(ping(b), "B's session goes on: NOP-Out answered")
    a.logout()
    b.logout()


def part4():
    """A write whose data never comes ends the connection (dataout_timeout)."""
    p = session('p4', 5, R2T_KEYS)
    itt = p.scsi_write_cmd(0, rw10(0x2a, 7000, 16), 8192)
    r2t, others = wait_for(p, lambda x: x.opcode == OP_R2T and x.u32(16) == itt, 10)
    for x in others:
        say('(meanwhile: %s)' % desc(x))
    require(r2t is not None, 'one write: R2T')
    t0 = time.monotonic()
    pings = 0
    closed = None
    p.sock.settimeout(1)
    while time.monotonic() - t0 < 20:
        try:
            pdu = p.recv()
        except socket.timeout:
            continue
        except (ConnectionError, OSError) as e:
            closed = time.monotonic() - t0
            say('connection closed by the target %.2f s after the R2T (%s)' %
                (closed, type(e).__name__))
            break
        if pdu.opcode == OP_NOOP_IN and pdu.u32(20) != RSVD:
            pings += 1
            say('NOP-In ping at %.2f s: answered' % (time.monotonic() - t0))
            p.nop_answer(pdu)
        else:
            say('%s at %.2f s' % (desc(pdu), time.monotonic() - t0))
    if closed is None:
        expect(False, 'connection still open 20 s after the R2T (%d NOP-In pings answered)' % pings)
    else:
        expect(2 <= closed <= 12, 'connection closed 2-12 s after the R2T (%.2f s)' % closed)
    p.reset()
    peers.remove(p)
    q = session('p4', 6, R2T_KEYS)
    data = os.urandom(8192)
    st = retry_ua('write', lambda: write(q, 0, 7000, data))
    require(st.bhs[3] == GOOD, 'a new session writes: GOOD')
    back, st = retry_ua('read', lambda: read(q, 0, 7000, 16))
    expect(st.bhs[3] == GOOD and back == data, 'and reads it back')
    q.logout()


def part5():
    """Unsolicited burst ended at 8 KiB: R2Ts for [8192, 32768)."""
    p = session('p5', 7, [('InitialR2T', 'No'), ('ImmediateData', 'Yes'),
                          ('FirstBurstLength', '16384'), ('MaxBurstLength', '16384')])
    a = p.answers
    require(a.get('InitialR2T') == 'No' and a.get('ImmediateData') == 'Yes' and
            a.get('FirstBurstLength') == '16384' and a.get('MaxBurstLength') == '16384',
            'negotiated InitialR2T=%s ImmediateData=%s FirstBurstLength=%s MaxBurstLength=%s' %
            (a.get('InitialR2T'), a.get('ImmediateData'), a.get('FirstBurstLength'),
             a.get('MaxBurstLength')))
    lba = 8192
    data = os.urandom(32768)
    itt = p.scsi_write_cmd(0, rw10(0x2a, lba, 64), 32768, immediate=data[:4096], final=False)
    p.data_out(0, itt, RSVD, 4096, data[4096:8192], data_sn=0, final=True)
    r2ts = []
    st = None
    deadline = time.monotonic() + 10
    try:
        while st is None:
            pdu = rx(p, deadline)
            if pdu.u32(16) != itt:
                say('(meanwhile: %s)' % desc(pdu))
            elif pdu.opcode == OP_R2T:
                say('R2T: offset %d length %d' % (pdu.u32(40), pdu.u32(44)))
                r2ts.append((pdu.u32(40), pdu.u32(44)))
                answer_r2t(p, 0, itt, pdu, data)
            elif pdu.opcode == OP_SCSI_RSP:
                st = pdu
    except socket.timeout:
        pass
    expect(r2ts and r2ts[0][0] == 8192,
           'the first R2T asks from offset 8192 (got %s)' % (r2ts[0][0] if r2ts else 'no R2T'))
    asked = sorted(r2ts)
    pos = 8192
    for off, n in asked:
        if off != pos:
            break
        pos += n
    expect(pos >= 32768, 'R2Ts ask for all of [8192, 32768) (asked for %s)' %
           ', '.join('[%d, %d)' % (o, o + n) for o, n in asked))
    require(st is not None, 'the write completes within 10 s')
    require(st.bhs[3] == GOOD, 'the write: GOOD (status 0x%02x)' % st.bhs[3])
    back, st = read(p, 0, lba, 64)
    require(st.bhs[3] == GOOD, 'read back: GOOD')
    expect(back == data, 'the 32 KiB read back as written')
    p.logout()


def memavailable():
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemAvailable:'):
                return int(line.split()[1]) * 1024
    return 0


def part6():
    """32 READ(16)s of 100 MiB with EDTL 512: 512 bytes each, no 100 MiB buffers."""
    p = session('p6', 8)
    say('login window %d' % window(p.login_rsp))
    start = memavailable()
    low = [start]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            low[0] = min(low[0], memavailable())
            time.sleep(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    big = 100 * 1024 * 1024
    cdb = struct.pack('>BBQIBB', 0x88, 0, 0, big // 512, 0, 0)
    cmds = {}
    t0 = time.monotonic()
    for _ in range(32):
        itt, _ = p.scsi_read_cmd(1, cdb, 512)
        cmds[itt] = b''
    ends = {}
    deadline = t0 + 20
    try:
        while len(ends) < 32:
            pdu = rx(p, deadline)
            itt = pdu.u32(16)
            if itt not in cmds:
                say('(meanwhile: %s)' % desc(pdu))
                continue
            if pdu.opcode == OP_DATA_IN:
                cmds[itt] += pdu.data
            if is_status(pdu):
                ends[itt] = pdu
    except socket.timeout:
        pass
    took = time.monotonic() - t0
    time.sleep(0.1)
    stop.set()
    th.join()
    drop = start - low[0]
    say('%d of 32 ended, in %.2f s; MemAvailable %d MiB at the start, lowest %d MiB '
        '(drop %d MiB)' % (len(ends), took, start >> 20, low[0] >> 20, drop >> 20))
    statuses = {}
    for e in ends.values():
        statuses[e.bhs[3]] = statuses.get(e.bhs[3], 0) + 1
    say('statuses: %s' % ', '.join('0x%02x x%d' % kv for kv in sorted(statuses.items())))
    expect(len(ends) == 32, 'all 32 end within 20 s (%d did)' % len(ends))
    expect(statuses.get(GOOD, 0) == 32, 'all 32 GOOD (%d)' % statuses.get(GOOD, 0))
    good = [i for i, e in ends.items() if e.bhs[3] == GOOD]
    n512 = sum(len(cmds[i]) == 512 for i in good)
    expect(good and n512 == len(good), '512 bytes of Data-In each (%d of %d GOOD ones)' %
           (n512, len(good)))
    nover = sum(bool(ends[i].flags & 0x04) for i in good)
    nres = sum(ends[i].u32(44) == big - 512 for i in good)
    expect(good and nover == len(good), 'O bit on the status PDU (%d of %d)' % (nover, len(good)))
    expect(good and nres == len(good), 'residual count %d (%d of %d; e.g. %s)' %
           (big - 512, nres, len(good), ends[good[0]].u32(44) if good else '-'))
    expect(drop <= 64 << 20, 'MemAvailable dropped by %d MiB (at most 64)' % (drop >> 20))
    p.logout()


def part7():
    """cmdsn_depth 8 kept full for 3000 READ(10)s: no Reject."""
    p = session('p7', 9)
    say('login window %d' % window(p.login_rsp))
    max_sn = p.last_pdu.u32(32)
    require(window(p.last_pdu) == 8, 'before the reads: window %d (cmdsn_depth 8)' %
            window(p.last_pdu))
    total, depth = 3000, 8
    sent = done = bad = rejects = limited = stalls = 0
    backwards = 0
    after = {}      # outstanding after the refill that follows a status
    out = {}
    t0 = time.monotonic()

    def fill():
        nonlocal sent, limited
        while len(out) < depth and sent < total:
            if not sn_lte(p.cmd_sn, max_sn):
                limited += 1
                return
            itt, _ = p.scsi_read_cmd(0, rw10(0x28, (sent * 8) % 30000, 8), 4096)
            out[itt] = 0
            sent += 1

    fill()
    while done < total:
        if not out:
            # The window is shut with nothing outstanding: ask for news.
            stalls += 1
            bhs = p._hdr(OP_NOOP_OUT, 0x80, immediate=True)
            struct.pack_into('>I', bhs, 20, RSVD)
            p.send(bhs)
        pdu = rx(p, time.monotonic() + 10)
        if pdu.opcode == OP_REJECT:
            rejects += 1
            say('Reject: reason 0x%02x after %d sent' % (pdu.bhs[2], sent))
        if pdu.opcode in (OP_SCSI_RSP, OP_DATA_IN, OP_NOOP_IN, OP_R2T, OP_REJECT):
            if not sn_lte(pdu.u32(32), max_sn):
                max_sn = pdu.u32(32)
            elif pdu.u32(32) != max_sn:
                backwards += 1
        itt = pdu.u32(16)
        if itt in out:
            if pdu.opcode == OP_DATA_IN:
                out[itt] += len(pdu.data)
            if is_status(pdu):
                if pdu.bhs[3] != GOOD or out[itt] != 4096:
                    bad += 1
                    if bad <= 3:
                        say('ITT 0x%08x: status 0x%02x, %d bytes' % (itt, pdu.bhs[3], out[itt]))
                del out[itt]
                done += 1
                fill()
                after[len(out)] = after.get(len(out), 0) + 1
                continue
        fill()
    say('%d READ(10)s in %.2f s; sending held back by the window %d times, '
        'window shut with nothing outstanding %d times, MaxCmdSN went back %d times' %
        (total, time.monotonic() - t0, limited, stalls, backwards))
    say('commands outstanding right after each status and the refill it allowed: %s' %
        ', '.join('%d: %d times' % kv for kv in sorted(after.items(), reverse=True)))
    expect(rejects == 0, 'no Reject (%d)' % rejects)
    expect(bad == 0, 'all GOOD with 4 KiB (%d not)' % bad)
    expect(stalls == 0, 'the window never shut with nothing outstanding (%d)' % stalls)
    p.logout()


# (number, function, time budget in seconds)
PARTS = [(1, part1, 40), (2, part2, 45), (3, part3, 60), (4, part4, 45),
         (5, part5, 30), (6, part6, 40), (7, part7, 90)]
only = os.environ.get('RECOVERY_PARTS')


def on_alarm(signum, frame):
    raise Budget()


signal.signal(signal.SIGALRM, on_alarm)

results = []
for n, fn, budget in PARTS:
    if only and str(n) not in only.split(','):
        continue
    peers, problems = [], []
    print('=== PART %d: %s' % (n, fn.__doc__), flush=True)
    t0 = time.monotonic()
    signal.alarm(budget)
    try:
        fn()
    except Fail:
        pass
    except Budget:
        problems.append('ran past its %d s budget' % budget)
    except socket.timeout as e:
        where = [f for f in traceback.extract_tb(e.__traceback__) if f.name.startswith('part')]
        problems.append('timed out waiting for the target (line %s: %s)' %
                        (where[-1].lineno, where[-1].line) if where else
                        'timed out waiting for the target')
    except Exception as e:
        traceback.print_exc()
        problems.append('%s: %s' % (type(e).__name__, e))
    finally:
        signal.alarm(0)
    for p in peers:
        try:
            p.reset()
        except OSError:
            pass
    if not wait_sessions(0):
        problems.append('%d sessions still there 20 s after the part ended' % sessions())
    took = time.monotonic() - t0
    if problems:
        line = 'PART %d: FAIL: %s (%.1f s)' % (n, '; '.join(problems), took)
    else:
        line = 'PART %d: PASS (%.1f s)' % (n, took)
    print(line, flush=True)
    results.append(line)

print('=== summary')
for line in results:
    print(line)
sys.exit(1 if any('FAIL' in line for line in results) else 0)
PY
wait_no_sessions "$IQN"
kitt_unload
rmmod null_blk
[ $rc -eq 0 ] || die "some parts failed"
