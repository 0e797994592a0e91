# SPDX-License-Identifier: GPL-2.0
# timeout: 300
#
# Authorisation: only initiators with an ACL log in; an ACL's mapped LUNs
# are all it sees (REPORT LUNS, access to others refused, the kernel
# initiator finds only them); write_protect turns writes into DATA
# PROTECT, and so does demo_mode_write_protect in demo mode; SendTargets
# lists a target only to initiators with an ACL on it (or in demo
# discovery) and follows tpg_enabled_sendtargets. Mapping changes, LUN
# removal and ACL removal under live sessions take effect at once.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:acl
IQN2=iqn.2003-01.org.example.lab:acl2
INIT_A=iqn.2003-01.org.example.lab:init-a
INIT_B=iqn.2003-01.org.example.lab:init-b
INIT_C=iqn.2003-01.org.example.lab:init-c
TPG=$ISCSI/$IQN/tpgt_1

modprobe sd_mod
kitt_load
targetcli set global auto_add_default_portal=false auto_add_mapped_luns=false >/dev/null
for i in 0 1 2; do
	targetcli /backstores/ramdisk create name=rd$i size=8M >/dev/null
done
targetcli /iscsi create "$IQN" >/dev/null
for i in 0 1 2; do
	targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/ramdisk/rd$i lun=$i >/dev/null
done
targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=0 authentication=0 \
	demo_mode_discovery=0 >/dev/null
# A: mapped LUN 0 is TPG LUN 1, mapped LUN 5 is TPG LUN 2 read-only.
targetcli "/iscsi/$IQN/tpg1/acls" create "$INIT_A" >/dev/null
targetcli "/iscsi/$IQN/tpg1/acls/$INIT_A" create mapped_lun=0 tpg_lun_or_backstore=1 >/dev/null
targetcli "/iscsi/$IQN/tpg1/acls/$INIT_A" create mapped_lun=5 tpg_lun_or_backstore=2 \
	write_protect=1 >/dev/null
# B: mapped LUN 3 is TPG LUN 1 too (to see A's writes).
targetcli "/iscsi/$IQN/tpg1/acls" create "$INIT_B" >/dev/null
targetcli "/iscsi/$IQN/tpg1/acls/$INIT_B" create mapped_lun=3 tpg_lun_or_backstore=1 >/dev/null
# A second target that only A may use.
targetcli /iscsi create "$IQN2" >/dev/null
targetcli "/iscsi/$IQN2/tpg1/luns" create /backstores/ramdisk/rd0 >/dev/null
targetcli "/iscsi/$IQN2/tpg1/portals" create 127.0.0.1 3261 >/dev/null
targetcli "/iscsi/$IQN2/tpg1" set attribute generate_node_acls=0 authentication=0 \
	demo_mode_discovery=0 >/dev/null
targetcli "/iscsi/$IQN2/tpg1/acls" create "$INIT_A" >/dev/null
wait_listen 127.0.0.1:3260 || die "not listening"
wait_listen 127.0.0.1:3261 || die "not listening on 3261"

log "kernel initiator: only the mapped LUNs"
cp /etc/iscsi/initiatorname.iscsi initiatorname.orig
trap 'cp initiatorname.orig /etc/iscsi/initiatorname.iscsi' EXIT
echo "InitiatorName=$INIT_A" > /etc/iscsi/initiatorname.iscsi
iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 > disc.out 2>&1 || { cat disc.out; die "discovery failed"; }
cat disc.out
grep -q " $IQN\$" disc.out || die "discovery: $IQN missing for A"
grep -q " $IQN2\$" disc.out || die "discovery: $IQN2 missing for A"
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login || die "login of A failed"
iscsi_disk "$IQN" 0 >/dev/null || die "mapped LUN 0 has no disk"
iscsi_disk "$IQN" 5 >/dev/null || die "mapped LUN 5 has no disk"
luns=$(for d in /sys/class/iscsi_session/session*/device/target*/*:*:*:*; do
	[ -e "$d/block" ] && echo "${d##*:}"; done | sort -n | tr '\n' ' ')
expect_eq "LUNs the kernel initiator found" "$luns" "0 5 "
sg_luns "$(iscsi_disk "$IQN" 0)" > luns.out || die "sg_luns failed"
cat luns.out
grep -c "^    000[05]000000000000\$" luns.out | grep -qx 2 || die "REPORT LUNS: not exactly LUNs 0 and 5"
disk5=$(iscsi_disk "$IQN" 5)
expect_fail "dd to the write-protected LUN" dd if=/dev/zero of="$disk5" bs=4096 count=1 oflag=direct
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout || die "logout failed"
iscsiadm -m node -o delete || true
killall iscsid 2>/dev/null || true

log "protocol peer"
PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$IQN2" "$INIT_A" "$INIT_B" "$INIT_C" <<'PY'
import os, struct, subprocess, sys, time
from iscsi_peer import *

iqn, iqn2, init_a, init_b, init_c = sys.argv[1:6]
tpg = '/sys/kernel/config/target/iscsi/%s/tpgt_1' % iqn
GOOD, CHECK = 0, 2
ILLEGAL_REQUEST, UNIT_ATTENTION, DATA_PROTECT = 5, 6, 7
LUN_NOT_SUPPORTED, WRITE_PROTECTED = 0x25, 0x27
REFUSED = 'login refused: class 2 detail 2'

def tcli(*args):
    subprocess.run(['targetcli'] + list(args), check=True, stdout=subprocess.DEVNULL)

def put(path, value):
    with open(path, 'w') as f:
        f.write(value)

def session(name, target=iqn, port=3260, isid=1):
    p = Peer('127.0.0.1', port)
    p.isid = bytes([0x80, 0, 0, 0, 0x10, isid])
    p.login(name, target)
    return p

def refused(name, target=iqn, port=3260):
    try:
        session(name, target, port).close()
    except RuntimeError as e:
        return str(e) == REFUSED
    return False

def command(run):
    """Run a command, again after a unit attention (a map change makes
    the core report one)."""
    for _ in range(3):
        pdus = run()
        st = scsi_status(pdus)
        if st[:2] != (CHECK, UNIT_ATTENTION):
            return pdus, st
    return pdus, st

def read(p, lun, lba, blocks=8):
    pdus, st = command(lambda: p.scsi_read(lun, rw10(0x28, lba, blocks), blocks * 512))
    return b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN), st

def write(p, lun, lba, data, immediate=None):
    imm = len(data) if immediate is None else immediate
    return command(lambda: p.scsi_write(lun, rw10(0x2a, lba, len(data) // 512), data, imm))[1]

def report_luns(p):
    cdb = struct.pack('>BBBBBBIBB', 0xa0, 0, 0, 0, 0, 0, 4096, 0, 0)
    pdus, st = command(lambda: p.scsi_read(0, cdb, 4096))
    check(st[0] == GOOD, 'REPORT LUNS: GOOD')
    data = b''.join(x.data for x in pdus if x.opcode == OP_DATA_IN)
    n = struct.unpack_from('>I', data)[0] // 8
    return sorted(struct.unpack_from('>H', data, 8 + 8 * i)[0] & 0x3fff for i in range(n))

pat_a = bytes((i * 11 + 3) & 0xff for i in range(4096))
pat_b = bytes((i * 5 + 9) & 0xff for i in range(4096))

# Who may log in.
check(refused(init_c), 'an initiator without an ACL is refused (authorisation failure)')
check(refused(init_b, iqn2, 3261), 'B, with no ACL on the second target, is refused there')
a2 = session(init_a, iqn2, 3261)
a2.logout()
a2.close()
print('ok: A logs in to the second target')

# LUN masking.
a = session(init_a)
b = session(init_b)
check(report_luns(a) == [0, 5], 'REPORT LUNS for A: 0 and 5 (%s)' % report_luns(a))
check(report_luns(b) == [3], 'REPORT LUNS for B: 3')
for lun in (1, 2, 3):
    st = read(a, lun, 0)[1]
    check(st[:3] == (CHECK, ILLEGAL_REQUEST, LUN_NOT_SUPPORTED),
          'A reads unmapped LUN %d: LOGICAL UNIT NOT SUPPORTED (%s)' % (lun, st))
check(write(a, 1, 0, pat_a)[:3] == (CHECK, ILLEGAL_REQUEST, LUN_NOT_SUPPORTED),
      'A writes unmapped LUN 1: LOGICAL UNIT NOT SUPPORTED')
check(write(a, 0, 64, pat_a)[0] == GOOD, 'A writes its LUN 0')
check(read(b, 3, 64) == (pat_a, (GOOD, None, None, None)),
      'B reads the same blocks through its LUN 3: A\'s LUN 0 is TPG LUN 1')
check(read(a, 5, 0)[1][0] == GOOD, 'A reads write-protected LUN 5')

# write_protect: DATA PROTECT, before any data is asked for.
st = write(a, 5, 0, pat_a)
check(st[:3] == (CHECK, DATA_PROTECT, WRITE_PROTECTED), 'a write to LUN 5: DATA PROTECT (%s)' % (st,))
big = pat_a * 16
itt = a.scsi_write_cmd(5, rw10(0x2a, 0, len(big) // 512), len(big), immediate=big[:8192])
pdus = a.recv_quiet()
check([x.opcode for x in pdus] == [OP_SCSI_RSP] and scsi_status(pdus)[1] == DATA_PROTECT,
      'a 64 KiB write with 8 KiB immediate to LUN 5: DATA PROTECT and no R2T')
check(read(a, 5, 0)[0] == bytes(4096), 'LUN 5 is unchanged')

# write_protect changed under a live session.
put(tpg + '/acls/%s/lun_0/write_protect' % init_a, '1')
check(write(a, 0, 64, pat_b)[:2] == (CHECK, DATA_PROTECT), 'LUN 0 made read-only: DATA PROTECT at once')
check(read(b, 3, 64)[0] == pat_a, 'and nothing was written')
put(tpg + '/acls/%s/lun_0/write_protect' % init_a, '0')
check(write(a, 0, 64, pat_b)[0] == GOOD, 'LUN 0 writable again')
check(read(b, 3, 64)[0] == pat_b, 'and the write is there')

# Mapping changes under a live session.
tcli('/iscsi/%s/tpg1/acls/%s' % (iqn, init_a), 'delete', '5')
check(read(a, 5, 0)[1][:3] == (CHECK, ILLEGAL_REQUEST, LUN_NOT_SUPPORTED),
      'mapped LUN 5 removed: LOGICAL UNIT NOT SUPPORTED at once')
check(report_luns(a) == [0], 'REPORT LUNS for A: 0 only')
tcli('/iscsi/%s/tpg1/acls/%s' % (iqn, init_a), 'create', 'mapped_lun=7', 'tpg_lun_or_backstore=2')
check(report_luns(a) == [0, 7], 'mapped LUN 7 added: REPORT LUNS shows it')
check(write(a, 7, 0, pat_a)[0] == GOOD, 'and A writes it (no write_protect)')

# A TPG LUN removed while both sessions use it.
tcli('/iscsi/%s/tpg1/luns' % iqn, 'delete', '1')
# LUN 0 always answers (SPC): the core puts a placeholder there.
inq = command(lambda: a.scsi_read(0, bytes([0x12, 0, 0, 0, 96, 0]), 96))[0]
check(inq[0].opcode == OP_DATA_IN and inq[0].data[0] == 0x3f,
      'TPG LUN 1 removed: A\'s LUN 0 is "not connected" (0x%02x)' % inq[0].data[0])
check(read(a, 0, 64)[0] != pat_b, 'and no longer reads the old data')
check(read(b, 3, 64)[1][:3] == (CHECK, ILLEGAL_REQUEST, LUN_NOT_SUPPORTED),
      'and B\'s LUN 3')
check(report_luns(b) == [0], 'REPORT LUNS for B: only the placeholder LUN 0')
check(read(a, 7, 0)[0] == pat_a, 'A\'s LUN 7 still reads back')

# An ACL removed: its session ends, and it may not log in again.
tcli('/iscsi/%s/tpg1/acls' % iqn, 'delete', init_b)
check(b.closed(10), 'B\'s ACL removed: its session is closed')
b.close()
check(refused(init_b), 'and B is refused afterwards')
check(read(a, 7, 0)[1][0] == GOOD, 'A is unaffected')
a.logout()
a.close()

# Demo mode: any initiator, read-only while demo_mode_write_protect=1.
put(tpg + '/attrib/demo_mode_write_protect', '1')
put(tpg + '/attrib/generate_node_acls', '1')
c = session(init_c, isid=2)
check(report_luns(c) == [0, 2], 'demo mode: C sees the TPG\'s LUNs (0 and 2)')
check(read(c, 0, 0)[1][0] == GOOD, 'demo mode: C reads')
check(write(c, 0, 0, pat_a)[:3] == (CHECK, DATA_PROTECT, WRITE_PROTECTED),
      'demo_mode_write_protect=1: DATA PROTECT')
c.logout()
c.close()
# The setting is taken when an initiator's dynamic ACL is made; C's stays
# cached (cache_dynamic_acls), so a new initiator shows the change.
put(tpg + '/attrib/demo_mode_write_protect', '0')
d = session(init_c + '-d', isid=3)
check(write(d, 0, 0, pat_a)[0] == GOOD, 'demo_mode_write_protect=0: a new initiator writes')
d.logout()
d.close()
put(tpg + '/attrib/generate_node_acls', '0')
check(refused(init_c), 'demo mode off: C\'s cached dynamic ACL no longer admits it')

# SendTargets: targets the initiator has an ACL on, or demo discovery.
def discover(name):
    d = Peer('127.0.0.1')
    d.login(name)
    got = [v for pdu in d.text_all([('SendTargets', 'All')])
           for k, v in parse_text(pdu.data) if k == 'TargetName']
    d.logout()
    d.close()
    return sorted(got)

check(discover(init_a) == sorted([iqn, iqn2]), 'SendTargets for A: both targets')
check(discover(init_c) == [], 'SendTargets for C (no ACL): nothing')
tcli('/iscsi/%s/tpg1' % iqn2, 'set', 'attribute', 'demo_mode_discovery=1')
check(discover(init_c) == [iqn2], 'demo_mode_discovery=1 on the second: C sees it')
tcli('/iscsi/%s/tpg1' % iqn2, 'disable')
check(discover(init_a) == [iqn], 'a disabled TPG is not listed')
tcli('/iscsi/%s/tpg1' % iqn2, 'set', 'attribute', 'tpg_enabled_sendtargets=0')
check(discover(init_a) == sorted([iqn, iqn2]),
      'tpg_enabled_sendtargets=0: the disabled TPG is listed')
try:
    session(init_a, iqn2, 3261).close()
    logged_in = True
except RuntimeError:
    logged_in = False
check(not logged_in, 'but A cannot log in to it')
PY
kitt_unload
