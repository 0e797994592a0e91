# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# kitt's trace events (system "kitt"), enabled through tracefs: a refused
# login, a login, a READ, a Reject, two task management functions, a
# logout and a connection reset from a scriptable initiator
# (tools/testing/iscsi_peer.py) each fire their events with the right
# fields; with the events off, nothing is traced.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:trace
T=/sys/kernel/tracing

kitt_load
demo_target "$IQN"
[ -d "$T/events" ] || mount -t tracefs nodev "$T"
[ -d "$T/events/kitt" ] || die "no kitt events in $T/events"
log "events: $(ls "$T/events/kitt" | grep -v -e enable -e filter | tr '\n' ' ')"

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$T" <<'PY'
import re, sys, time
from iscsi_peer import *

iqn, tr = sys.argv[1], sys.argv[2]
name = 'iqn.2003-01.org.example.lab:tracer'
failed = []


def check(cond, what):
    print('ok:' if cond else 'FAILED:', what)
    if not cond:
        failed.append(what)


def put(path, value):
    with open(tr + '/' + path, 'w') as f:
        f.write(value)


def events():
    """{event name: [dict of its fields]} from the trace buffer."""
    got = {}
    for line in open(tr + '/trace'):
        m = re.search(r' (kitt_\w+): (.*)$', line)
        if not m:
            continue
        # "why", which has spaces, comes last: the rest of the line
        body, has_why, why = m.group(2).partition(' why=')
        fields = dict(re.findall(r'(\w+)=(\S+)', body))
        if has_why:
            fields['why'] = why
        got.setdefault(m.group(1), []).append(fields)
    return got


def one(got, event, **want):
    """The events of that name whose fields have the wanted values."""
    return [e for e in got.get(event, [])
            if all(e.get(k) == str(v) for k, v in want.items())]


def session_actions():
    """A refused login, then a session with a READ, a SNACK (rejected),
    ABORT TASK of an unknown task, LUN RESET and a logout; and a second
    session, at the same time, reset by the initiator. Returns what the
    checks need."""
    bad = Peer('127.0.0.1')
    try:
        bad.login(name, iqn + '-none')
    except RuntimeError:
        pass
    bad.close()
    gone = Peer('127.0.0.1')
    gone.isid = b'\x80\x12\x34\x56\x00\x03'
    gone.login_step(0, 1, [('InitiatorName', name), ('SessionType', 'Normal'),
                           ('TargetName', iqn), ('AuthMethod', 'None')],
                    transit=False)
    gone.close()
    p = Peer('127.0.0.1')
    p.login(name, iqn)
    q = Peer('127.0.0.1')
    q.isid = b'\x80\x12\x34\x56\x00\x02'
    q.login(name, iqn)
    p.scsi_read(0, rw10(0x28, 0, 1), 512)	# a unit attention, if any
    pdus = p.scsi_read(0, rw10(0x28, 8, 1), 512)
    read_itt = p.itt
    check(scsi_status(pdus)[0] == 0, 'READ(10) works')
    pdus = p.scsi_read(0, rw10(0x28, 8, 1), 4096)
    short_itt = p.itt
    check(scsi_status(pdus)[0] == 0, 'READ(10) of 512 bytes, 4096 expected')
    snack = p._hdr(0x10, 0x80)
    p.send(snack)
    snack_itt = p.itt
    rej = p.recv()
    check(rej.opcode == OP_REJECT, 'SNACK: Reject (%r)' % rej)
    abort_itt = p.tmf(1, 0, ref_itt=0x7777, ref_cmd_sn=p.cmd_sn - 1)
    check(p.recv().opcode == OP_TMF_RSP, 'ABORT TASK answered')
    reset_itt = p.tmf(5, 0)
    rsp = p.recv()
    while rsp.opcode != OP_TMF_RSP:
        rsp = p.recv()
    check(rsp.bhs[2] == 0, 'LUN RESET: function complete')
    check(p.logout().opcode == OP_LOGOUT_RSP, 'logout')
    p.close()
    q.reset()
    return read_itt, short_itt, snack_itt, abort_itt, reset_itt


put('tracing_on', '1')		# another test may have left it off
put('trace', '')
put('events/kitt/enable', '1')
read_itt, short_itt, snack_itt, abort_itt, reset_itt = session_actions()
# The reset session ends in the release work: wait for it (up to 30 s).
for _ in range(300):
    if len(events().get('kitt_sess_end', [])) >= 2:
        break
    time.sleep(0.1)
put('events/kitt/enable', '0')
got = events()
print('events seen:', {k: len(v) for k, v in got.items()})

starts = one(got, 'kitt_login_start', isid='801234560001', tsih=0)
check(len(starts) >= 2 and all(s['peer'].startswith('127.0.0.1') for s in starts),
      'kitt_login_start: peer and ISID (%s)' % starts)
refused = one(got, 'kitt_login_result', initiator=name, target=iqn + '-none',
              tsih=0, **{'class': 2, 'detail': 3})
check(len(refused) == 1 and refused[0]['why'],
      'kitt_login_result of the refused login: class 2 detail 3, why (%s)'
      % got.get('kitt_login_result'))
ok = one(got, 'kitt_login_result', initiator=name, target=iqn,
         **{'class': 0, 'detail': 0})
check(len(ok) == 2 and all(int(x['tsih']) for x in ok) and
      ok[0]['tsih'] != ok[1]['tsih'],
      'kitt_login_result of the two logins: success, a TSIH each (%s)' % ok)
abandoned = one(got, 'kitt_login_result', initiator=name, tsih=0,
                why='closed by the initiator', **{'class': 255, 'detail': 255})
check(len(abandoned) == 1, 'kitt_login_result of a login the initiator '
      'dropped: 255/255, closed by the initiator (%s)' % got.get('kitt_login_result'))
tsih = ok[0]['tsih'] if ok else '?'
check(len(one(got, 'kitt_sess_create', tsih=tsih, initiator=name, target=iqn,
              type='normal')) == 1, 'kitt_sess_create with TSIH %s' % tsih)
check(len(one(got, 'kitt_conn_state', tsih=tsih, old=0, state=1)) == 1,
      'kitt_conn_state: login to full feature phase')
itt = '0x%08x' % read_itt
check(len(one(got, 'kitt_cmd_submit', tsih=tsih, itt=itt, lun=0,
              opcode='0x28', len=512)) == 1,
      'kitt_cmd_submit of the READ (%s)' % got.get('kitt_cmd_submit'))
check(len(one(got, 'kitt_cmd_complete', tsih=tsih, itt=itt, opcode='0x28',
              bytes=512, resid=0, status='0x00')) == 1,
      'kitt_cmd_complete of the READ (%s)' % got.get('kitt_cmd_complete'))
check(len(one(got, 'kitt_cmd_complete', tsih=tsih, itt='0x%08x' % short_itt,
              opcode='0x28', bytes=512, resid=3584, status='0x00')) == 1,
      'kitt_cmd_complete of the short READ: 512 bytes, residual 3584')
check(len(one(got, 'kitt_reject', tsih=tsih, reason='0x03', opcode='0x10',
              itt='0x%08x' % snack_itt)) == 1,
      'kitt_reject of the SNACK (%s)' % got.get('kitt_reject'))
check(len(one(got, 'kitt_tmf', tsih=tsih, itt='0x%08x' % abort_itt,
              function=1, lun=0, ref_itt='0x00007777')) == 1,
      'kitt_tmf: ABORT TASK and its task (%s)' % got.get('kitt_tmf'))
check(len(one(got, 'kitt_tmf', tsih=tsih, itt='0x%08x' % reset_itt,
              function=5)) == 1, 'kitt_tmf: LUN RESET')
check(len(one(got, 'kitt_tmf_rsp', tsih=tsih, itt='0x%08x' % reset_itt,
              response=0)) == 1,
      'kitt_tmf_rsp: LUN RESET complete (%s)' % got.get('kitt_tmf_rsp'))
check(len(one(got, 'kitt_tmf_rsp', tsih=tsih, itt='0x%08x' % abort_itt)) == 1,
      'kitt_tmf_rsp of the ABORT TASK')
check(len(one(got, 'kitt_conn_state', tsih=tsih, old=1, state=2)) == 1 and
      len(one(got, 'kitt_conn_state', tsih=tsih, old=2, state=3,
              why='logged out')) == 1,
      'kitt_conn_state: logging out, then closing (%s)'
      % got.get('kitt_conn_state'))
check(len(one(got, 'kitt_sess_end', tsih=tsih, logged_out=1)) == 1,
      'kitt_sess_end after the logout')
tsih2 = ok[1]['tsih'] if len(ok) > 1 else '?'
check(len(one(got, 'kitt_conn_state', tsih=tsih2, old=1, state=3,
              why='closed by the initiator')) == 1 and
      len(one(got, 'kitt_sess_end', tsih=tsih2, logged_out=0)) == 1,
      'the reset session: closed by the initiator, ended without logout')

# Off again: the same actions trace nothing.
put('trace', '')
session_actions()
time.sleep(2)
check(not events(), 'events off: nothing traced')
sys.exit(1 if failed else 0)
PY
kitt_unload
