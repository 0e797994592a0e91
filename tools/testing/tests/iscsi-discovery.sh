# SPDX-License-Identifier: GPL-2.0
# timeout: 360
#
# SendTargets discovery with open-iscsi and libiscsi; a login and logout;
# discovery sessions are capped per portal (max_discovery_sessions_per_portal:
# the idlest makes room, or the new one is refused) and closed when idle
# (discovery_idle_timeout), and 400 of them held open stop neither discovery
# nor a normal login; an answer longer than its 64 KiB limit is cut between
# targets, and SendTargets goes on while targets are removed.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:disc
IQN2=iqn.2003-01.org.example.lab:disc2

kitt_load
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=rd0 size=16M >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/ramdisk/rd0 >/dev/null
targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$IQN/tpg1/portals" create ::1 3260 >/dev/null
targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null
targetcli /iscsi create "$IQN2" >/dev/null
targetcli "/iscsi/$IQN2/tpg1/portals" create 127.0.0.1 3261 >/dev/null
targetcli "/iscsi/$IQN2/tpg1" set attribute authentication=0 demo_mode_discovery=0 >/dev/null
wait_listen 127.0.0.1:3260 || die "not listening"

log "libiscsi discovery"
iscsi-ls -i iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test iscsi://127.0.0.1/ > ls.out 2>&1 || { cat ls.out; die "iscsi-ls failed"; }
cat ls.out
grep -q "Target:$IQN Portal:127.0.0.1:3260,1" ls.out || die "iscsi-ls: $IQN missing"
grep -q "Target:$IQN Portal:\[::1\]:3260,1" ls.out || die "iscsi-ls: IPv6 portal missing"
grep -q "$IQN2" ls.out && die "iscsi-ls: $IQN2 listed: no ACL for us, demo_mode_discovery=0"
targetcli "/iscsi/$IQN2/tpg1" set attribute demo_mode_discovery=1 >/dev/null
iscsi-ls -i iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test iscsi://127.0.0.1/ > ls.out 2>&1
grep -q "Target:$IQN2 Portal:127.0.0.1:3261,1" ls.out || die "iscsi-ls: $IQN2 not listed with demo_mode_discovery=1"
targetcli "/iscsi/$IQN2/tpg1" disable >/dev/null
iscsi-ls -i iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test iscsi://127.0.0.1/ > ls.out 2>&1
grep -q "$IQN2" ls.out && die "iscsi-ls: disabled $IQN2 listed"

log "open-iscsi discovery"
iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 > disc.out 2>&1 || { cat disc.out; die "discovery failed"; }
cat disc.out
grep -q "^127.0.0.1:3260,1 $IQN\$" disc.out || die "discovery: $IQN missing"

log "open-iscsi login and logout"
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login || die "login failed"
iscsiadm -m session || die "no session listed"
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout || die "logout failed"
iscsiadm -m node -o delete || true
killall iscsid 2>/dev/null || true

log "discovery sessions: capped per portal, idle ones closed, logins go on"
P=/sys/module/kitt/parameters
expect_fail "max_discovery_sessions_per_portal=0" sh -c "echo 0 > $P/max_discovery_sessions_per_portal"
expect_fail "max_discovery_sessions_per_portal=4097" sh -c "echo 4097 > $P/max_discovery_sessions_per_portal"
expect_fail "discovery_idle_timeout=0" sh -c "echo 0 > $P/discovery_idle_timeout"
expect_fail "max_logins_per_portal=0" sh -c "echo 0 > $P/max_logins_per_portal"
expect_fail "max_logins_per_portal=65537" sh -c "echo 65537 > $P/max_logins_per_portal"
expect_eq "default max_discovery_sessions_per_portal" "$(cat $P/max_discovery_sessions_per_portal)" 64
expect_eq "default discovery_idle_timeout" "$(cat $P/discovery_idle_timeout)" 30
PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" <<'PY'
import resource, select, subprocess, sys, time
from iscsi_peer import *

iqn = sys.argv[1]
name = 'iqn.2003-01.org.example.lab:disc-hold'
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
P = '/sys/module/kitt/parameters/'

def param(p, v):
    with open(P + p, 'w') as f:
        f.write('%d\n' % v)

def held():
    # Connections kitt holds open on 127.0.0.1:3260.
    out = subprocess.run(['ss', '-Htn', 'state', 'established', '( sport = :3260 )'],
                         check=True, capture_output=True, text=True).stdout
    return len(out.splitlines())

def discovery(timeout=20):
    p = Peer('127.0.0.1', timeout=timeout)
    try:
        p.login(name)
    except RuntimeError:
        p.close()
        return None, p.last_pdu
    return p, p.last_pdu

def lists_target(p):
    pdus = p.text_all([('SendTargets', 'All')])
    return ('TargetName', iqn) in parse_text(b''.join(pdu.data for pdu in pdus))

def out_of_resources(rsp):
    return rsp.opcode == OP_LOGIN_RSP and rsp.bhs[36:38] == b'\x03\x02'

def is_closed(p):
    # The target closed it (what it may have sent before is dropped).
    try:
        while select.select([p.sock], [], [], 0)[0]:
            if not p.sock.recv(4096):
                return True
    except ConnectionError:
        return True
    return False

# At the cap, a new discovery session closes the one idle longest; while
# every one has been active within the last second, it is refused.
param('max_discovery_sessions_per_portal', 4)
four = [discovery()[0] for _ in range(4)]
check(all(four), 'four discovery sessions under a cap of 4')
check(all(p.tsih >= 0xc000 for p in four),
      'discovery TSIHs from their own range (%s)' % [hex(p.tsih) for p in four])
for q in four:
    q.nop_out()
p, rsp = discovery()
check(p is None and out_of_resources(rsp),
      'a fifth while all four are active: refused, out of resources (%r)' % rsp.bhs[36:38])
time.sleep(1.2)
for q in four[1:]:
    q.nop_out()
p, rsp = discovery()
check(p is not None, 'a fifth once one has been idle a second: admitted')
time.sleep(0.5)
check(is_closed(four[0]), 'the session idle longest was closed for it')
check(not any(is_closed(q) for q in four[1:]), 'the active ones stay')
check(lists_target(p), 'the new session answers SendTargets')
for q in four[1:] + [p]:
    q.close()
param('max_discovery_sessions_per_portal', 64)
time.sleep(0.5)

# 400 discovery sessions, opened as fast as they go and held: kitt keeps
# no more than the cap of 64, refusing or closing the rest, and
# discovery and normal logins still get through.
start = time.monotonic()
hold, refused, other = [], 0, []
for _ in range(400):
    p, rsp = discovery()
    if p:
        hold.append(p)
        continue
    refused += 1
    if not out_of_resources(rsp):
        other.append(rsp.bhs[36:38].hex())
took = time.monotonic() - start
check(not other, 'logins over the cap refused "out of resources" (others: %s)' % other)
time.sleep(1.5)
n = held()
print('    400 discovery logins in %.1f s: %d refused, kitt holds %d' % (took, refused, n))
check(n <= 64, '400 discovery sessions: kitt holds %d open (the cap is 64)' % n)
start = time.monotonic()
p, rsp = discovery(timeout=5)
check(p is not None and lists_target(p), 'a discovery session through 400 held ones')
p.logout()
p.close()
p = Peer('127.0.0.1', timeout=5)
p.login(name, iqn)
pdus = p.scsi_read(0, rw10(0x28, 0, 8), 4096)
check(pdus[-1].bhs[3] == 0 and p.tsih < 0xc000, 'a normal login and read')
p.logout()
p.close()
took = time.monotonic() - start
check(took < 5, 'both through 400 held discovery sessions in %.1f s' % took)
for q in hold:
    q.close()
time.sleep(0.5)

# Idle sessions end after discovery_idle_timeout; one that keeps talking
# does not.
param('discovery_idle_timeout', 3)
t0 = time.monotonic()
idle = [discovery()[0] for _ in range(10)]
active, _ = discovery()
check(all(idle) and active, 'eleven discovery sessions')
closed = {}
while time.monotonic() - t0 < 10 and (len(closed) < len(idle) or
                                      time.monotonic() - t0 < 5):
    active.nop_out()
    time.sleep(0.25)
    for i, q in enumerate(idle):
        if i not in closed and is_closed(q):
            closed[i] = time.monotonic() - t0
check(len(closed) == len(idle), 'every idle discovery session closed (%d of %d)' % (len(closed), len(idle)))
first, last = min(closed.values(), default=0), max(closed.values(), default=0)
print('    closed after %.1f to %.1f s' % (first, last))
check(first > 2.9 and last < 7, 'at the idle limit of 3 s')
check(not is_closed(active) and lists_target(active), 'the active one stays, %.1f s on' % (time.monotonic() - t0))
active.logout()
for q in idle + [active]:
    q.close()
param('discovery_idle_timeout', 30)
PY

log "an answer over 64 KiB: cut between targets"
# 200 targets of 223-byte names with four addresses each: about 72 KiB.
LONG=iqn.2003-01.org.example.lab:$(printf 'x%.0s' $(seq 191))
start=$(date +%s)
dirs=()
for i in $(seq 200); do
	for a in 127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4; do
		dirs+=("$ISCSI/$LONG-$i/tpgt_1/np/$a:3260")
	done
done
mkdir -p "${dirs[@]}"
for i in $(seq 200); do
	echo 1 > "$ISCSI/$LONG-$i/tpgt_1/enable"
done
echo "    200 targets made in $(($(date +%s) - start)) s"
PYTHONPATH=$KITT_TOP/tools/testing python3 - <<'PY'
from iscsi_peer import *

d = Peer('127.0.0.1')
d.login('iqn.2003-01.org.example.lab:disc-peer')
pdus = d.text_all([('SendTargets', 'All')])
pairs = parse_text(b''.join(pdu.data for pdu in pdus))
size = sum(len(pdu.data) for pdu in pdus)
names = [i for i, (k, _) in enumerate(pairs) if k == 'TargetName']
print('    %d targets in %d bytes, %d PDUs' % (len(names), size, len(pdus)))
check(150 < len(names) < 201 and size <= 65536, 'the answer stops short of 64 KiB')
check(all(i + 1 < len(pairs) and pairs[i + 1][0] == 'TargetAddress' for i in names),
      'every target listed has its addresses')
d.logout()
d.close()
PY
dmesg | grep -q "SendTargets answer full" || die "no warning about the cut answer"

log "SendTargets over and over while the 200 targets go away"
rm -f st-loop.stop
PYTHONPATH=$KITT_TOP/tools/testing python3 - > st-loop.out 2>&1 <<'PY' &
import os
from iscsi_peer import *

d = Peer('127.0.0.1', timeout=20)
d.login('iqn.2003-01.org.example.lab:disc-loop')
n = 0
while not os.path.exists('st-loop.stop') or n < 3:
    pdus = d.text_all([('SendTargets', 'All')])
    if not all(p.opcode == OP_TEXT_RSP for p in pdus):
        check(False, 'answer %d: %r' % (n, pdus))
    n += 1
print('    %d SendTargets answers' % n)
d.logout()
d.close()
PY
loop=$!
for i in $(seq 200); do
	echo 0 > "$ISCSI/$LONG-$i/tpgt_1/enable"
done
rmdir "${dirs[@]}"
for i in $(seq 200); do
	rmdir "$ISCSI/$LONG-$i/tpgt_1" "$ISCSI/$LONG-$i"
done
touch st-loop.stop
wait $loop || { tail st-loop.out; die "SendTargets while targets went away"; }
tail -n 1 st-loop.out
kitt_unload
