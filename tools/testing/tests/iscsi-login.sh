# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# The login phase seen from a scriptable initiator (tools/testing/
# iscsi_peer.py): the Login Response status of each refusal, then the
# connection closes; a request continued over two PDUs; the TPG's
# login_timeout; session reinstatement while a write waits for data; the
# command window of default_cmdsn_depth; CHAP answers (each CHAP_A, the
# target's mutual response, reflection and wrong credentials refused
# alike); NOP-In pings dropping an initiator that never answers; a
# SendTargets answer spanning several Text Responses.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:login
ACLD=iqn.2003-01.org.example.lab:acl-only
AUTH=iqn.2003-01.org.example.lab:auth
PEER=iqn.2003-01.org.example.lab:peer

kitt_load
demo_target "$IQN"
targetcli "/iscsi/$IQN/tpg1" set attribute default_cmdsn_depth=16 login_timeout=5 >/dev/null
targetcli /iscsi create "$ACLD" >/dev/null
targetcli "/iscsi/$ACLD/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$ACLD/tpg1" set attribute generate_node_acls=0 authentication=0 >/dev/null
targetcli "/iscsi/$ACLD/tpg1/acls" create iqn.2003-01.org.example.lab:someone-else >/dev/null
targetcli /iscsi create "$AUTH" >/dev/null
targetcli "/iscsi/$AUTH/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$AUTH/tpg1" set attribute generate_node_acls=0 authentication=1 >/dev/null
targetcli "/iscsi/$AUTH/tpg1/acls" create "$PEER" >/dev/null
targetcli "/iscsi/$AUTH/tpg1/acls/$PEER" set auth userid=peeruser \
	password=peer-secret-01 mutual_userid=tgtuser mutual_password=tgt-secret-001 >/dev/null
# A pinged initiator (nopin_timeout 3 s, 3 s to answer) ...
targetcli "/iscsi/$IQN/tpg1/acls" create iqn.2003-01.org.example.lab:pinged >/dev/null
targetcli "/iscsi/$IQN/tpg1/acls/iqn.2003-01.org.example.lab:pinged" set attribute \
	nopin_timeout=3 nopin_response_timeout=3 >/dev/null
# ... and enough targets that SendTargets spans several 512-byte PDUs.
for i in $(seq 1 12); do
	d=$ISCSI/iqn.2003-01.org.example.lab:many-$i/tpgt_1
	mkdir -p "$d"
	mkdir "$d/np/127.0.0.1:3260"
	echo 1 > "$d/enable"
done
wait_listen 127.0.0.1:3260 || die "not listening"

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$ACLD" "$AUTH" "$PEER" <<'PY'
import hashlib, struct, sys, time
from iscsi_peer import *

iqn, acld, auth, peer = sys.argv[1:5]

def first(target=None, name=peer, method='None'):
    pairs = [('InitiatorName', name)] if name else []
    pairs += [('SessionType', 'Normal'), ('AuthMethod', method)]
    if target:
        pairs.append(('TargetName', target))
    return pairs

def refused(what, cls, detail, **kw):
    p = Peer('127.0.0.1')
    if 'tsih' in kw:
        p.tsih = kw.pop('tsih')
    rsp = p.login_step(0, 1, first(**kw.pop('first', {})), **kw)
    check(rsp.bhs[36:38] == bytes([cls, detail]),
          '%s: status %d/%d (got %d/%d)' % (what, cls, detail, rsp.bhs[36], rsp.bhs[37]))
    check(p.closed(5), '%s: then the connection closes' % what)
    p.close()

refused('unknown target', 2, 3, first={'target': iqn + '-nosuch'})
refused('initiator without an ACL', 2, 2, first={'target': acld})
refused('version-min 1', 2, 5, first={'target': iqn}, version_min=1)
refused('no InitiatorName', 2, 7, first={'target': iqn, 'name': None})
refused('TSIH of no session', 2, 10, first={'target': iqn}, tsih=0x1234)
refused('AuthMethod=None where CHAP is required', 2, 1, first={'target': auth})

# Skipping the security stage does not skip authentication.
p = Peer('127.0.0.1')
rsp = p.login_step(1, 3, [('InitiatorName', peer), ('SessionType', 'Normal'),
                          ('TargetName', auth)])
check(rsp.bhs[36:38] == b'\x02\x01',
      'operational stage first where CHAP is required: authentication failure')
check(p.closed(5), 'then the connection closes')
p.close()
p = Peer('127.0.0.1')
rsp = p.login_step(1, 3, [('InitiatorName', peer), ('SessionType', 'Normal'),
                          ('TargetName', iqn)])
check(rsp.bhs[36] == 0, 'operational stage first where None is allowed: accepted')
p.close()

# A request continued over two PDUs (C bit), split inside a key.
p = Peer('127.0.0.1')
whole = text(first(target=iqn))
rsp = p.login_step(0, 1, None, transit=False, cont=True, raw=whole[:20])
check(rsp.bhs[36] == 0 and not rsp.data and not rsp.flags & 0x80,
      'continued request: acknowledged with an empty response')
rsp = p.login_step(0, 1, None, raw=whole[20:])
check(rsp.bhs[36] == 0 and rsp.flags & 0x80, 'whole request answered, transit')
p.login_operational()
check(p.tsih != 0, 'continued login ends in a session')

# The window is default_cmdsn_depth wide.
nop = p.nop_out()
check(nop.u32(32) - nop.u32(28) + 1 == 16,
      'MaxCmdSN - ExpCmdSN + 1 = default_cmdsn_depth 16 (%d, %d)' % (nop.u32(28), nop.u32(32)))
p.logout()
p.close()

# login_timeout (5 s here, 15 by default) bounds a login that stalls.
p = Peer('127.0.0.1')
rsp = p.login_step(0, 0, first(target=iqn), transit=False)
start = time.monotonic()
check(rsp.bhs[36] == 0, 'a login that stays in the security stage')
check(p.closed(14), 'a stalled login is closed')
took = time.monotonic() - start
check(3 <= took <= 11, 'after the TPG login_timeout of 5 s (%.1f s)' % took)
p.close()

# Reinstatement: the same initiator and ISID while a write waits for data.
a = Peer('127.0.0.1')
a.isid = b'\x80\x00\x00\x00\x77\x01'
a.login(peer, iqn, [('InitialR2T', 'Yes'), ('ImmediateData', 'No')])
old_tsih = a.tsih
a.scsi_write_cmd(0, rw10(0x2a, 100, 16), 8192)
r2t = a.recv()
check(r2t.opcode == OP_R2T, 'the old session waits for write data')
b = Peer('127.0.0.1')
b.isid = a.isid
b.login(peer, iqn)
check(b.tsih != old_tsih, 'reinstated: a new session (TSIH %d, was %d)' % (b.tsih, old_tsih))
check(a.closed(5), 'the old session connection is closed')
pdus = b.scsi_read(0, rw10(0x28, 100, 16), 8192)
check(pdus[-1].bhs[3] == 0 and sum(len(x.data) for x in pdus) == 8192,
      'the new session reads')
b.logout()
b.close()
a.close()

# NOP-In pings: an initiator that never answers is dropped.
p = Peer('127.0.0.1')
p.login('iqn.2003-01.org.example.lab:pinged', iqn)
start = time.monotonic()
pings = 0
p.sock.settimeout(20)
try:
    while True:
        pdu = p.recv()
        check(pdu.opcode == OP_NOOP_IN and pdu.u32(16) == 0xffffffff and
              pdu.u32(20) != 0xffffffff, 'a NOP-In ping asking for an answer')
        pings += 1
except ConnectionError:
    pass
took = time.monotonic() - start
check(pings >= 1 and 4 <= took <= 15,
      'unanswered pings drop the connection (%d ping(s), %.1f s)' % (pings, took))
p.close()

# SendTargets=All over several Text Responses of at most 512 bytes.
p = Peer('127.0.0.1')
p.login(peer, mrdsl=512)
pdus = p.text_all([('SendTargets', 'All')])
check(len(pdus) > 1 and all(x.opcode == OP_TEXT_RSP for x in pdus),
      'a long SendTargets answer spans %d Text Responses' % len(pdus))
check(all(len(x.data) <= 512 for x in pdus), 'each within MaxRecvDataSegmentLength 512')
check(pdus[-1].flags & 0x80 and not pdus[-1].flags & 0x40, 'the last one final')
names = [v for k, v in parse_text(b''.join(x.data for x in pdus)) if k == 'TargetName']
check(all('iqn.2003-01.org.example.lab:many-%d' % i in names for i in range(1, 13)) and
      iqn in names, 'every target listed once (%d)' % len(names))
check(len(names) == len(set(names)), 'no target twice')
p.logout()
p.close()

# CHAP, answered per RFC 7143 section 12.1.3.
def chap_login(user, secret, alg='5', mutual=None, reflect=False):
    p = Peer('127.0.0.1')
    rsp = p.login_step(0, 1, first(target=auth, method='CHAP'), transit=False)
    check(rsp.bhs[36] == 0 and ('AuthMethod', 'CHAP') in parse_text(rsp.data),
          'AuthMethod=CHAP agreed')
    return p, p.chap(user, secret, alg, mutual, reflect)

for alg in '5', '6', '7', '8':
    p, rsp = chap_login('peeruser', 'peer-secret-01', alg)
    check(rsp.bhs[36] == 0 and rsp.flags & 0x80, 'CHAP_A=%s: authenticated' % alg)
    p.login_operational()
    p.logout()
    p.close()

p, rsp = chap_login('peeruser', 'peer-secret-01', '9,7,5')
check(rsp.bhs[36] == 0 and p.chap_alg == 'sha256', 'CHAP_A=9,7,5: SHA-256 picked')
p.close()

ichal = bytes(range(40, 72))
p, rsp = chap_login('peeruser', 'peer-secret-01', '8', mutual=(42, ichal))
got = dict(parse_text(rsp.data))
want = hashlib.sha3_256(bytes([42]) + b'tgt-secret-001' + ichal).hexdigest()
check(rsp.bhs[36] == 0 and got.get('CHAP_N') == 'tgtuser', 'mutual: the target names itself')
check(got.get('CHAP_R') == '0x' + want, 'mutual: the target proves its secret')
p.close()

answers = []
for what, user, secret, kw in (
        ('wrong secret', 'peeruser', 'peer-secret-02', {}),
        ('wrong name', 'peeruseR', 'peer-secret-01', {}),
        ('reflected challenge', 'peeruser', 'peer-secret-01', {'reflect': True})):
    p, rsp = chap_login(user, secret, **kw)
    check(rsp.bhs[36:38] == b'\x02\x01' and not rsp.data,
          '%s: authentication failure' % what)
    answers.append(rsp.bhs[36:38] + rsp.data)
    check(p.closed(5), '%s: connection closed' % what)
    p.close()
check(len(set(answers)) == 1, 'every CHAP failure answered alike')

p = Peer('127.0.0.1')
p.login_step(0, 1, first(target=auth, method='CHAP'), transit=False)
rsp = p.login_step(0, 1, [('CHAP_A', '4,99')], transit=False)
check(rsp.bhs[36:38] == b'\x02\x01', 'no acceptable CHAP_A: authentication failure')
p.close()
PY
kitt_unload
