# SPDX-License-Identifier: GPL-2.0
# timeout: 360
#
# SendTargets discovery with open-iscsi and libiscsi; a login and logout;
# an answer longer than its 64 KiB limit is cut between targets.
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
for i in $(seq 200); do
	echo 0 > "$ISCSI/$LONG-$i/tpgt_1/enable"
done
rmdir "${dirs[@]}"
for i in $(seq 200); do
	rmdir "$ISCSI/$LONG-$i/tpgt_1" "$ISCSI/$LONG-$i"
done
kitt_unload
