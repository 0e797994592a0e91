# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# CRC32C header and data digests: negotiated with open-iscsi, fio verify
# through them; from a scriptable initiator (tools/testing/iscsi_peer.py)
# every PDU kitt sends carries correct digests, and a PDU with a bad
# header or data digest ends the connection (ErrorRecoveryLevel 0), is
# counted in digest_errors, and writes nothing.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:digest
TPG=/iscsi/$IQN/tpg1
ERRORS=$ISCSI/$IQN/fabric_statistics/iscsi_sess_err/digest_errors

kitt_load
modprobe sd_mod
modprobe brd rd_nr=1 rd_size=65536
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/block create name=b0 dev=/dev/ram0 >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "$TPG/luns" create /backstores/block/b0 >/dev/null
targetcli "$TPG/portals" create 127.0.0.1 3260 >/dev/null
targetcli "$TPG" set attribute generate_node_acls=1 authentication=0 \
	demo_mode_write_protect=0 >/dev/null
wait_listen 127.0.0.1:3260 || die "not listening"

log "open-iscsi with HeaderDigest and DataDigest CRC32C"
iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null
for k in HeaderDigest DataDigest; do
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 -o update \
		-n "node.conn[0].iscsi.$k" -v CRC32C
done
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null || die "login failed"
iscsiadm -m session -P 2 > session.txt
grep -q "HeaderDigest: CRC32C" session.txt || { grep Digest session.txt; die "no header digest"; }
grep -q "DataDigest: CRC32C" session.txt || { grep Digest session.txt; die "no data digest"; }
dev=$(iscsi_disk "$IQN") || die "no disk"
fio --name=v --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bsrange=512-256k --iodepth=16 --size=16m --verify=crc32c \
	--verify_fatal=1 --output=fio.out || { cat fio.out; die "fio verify failed"; }
expect_eq "digest errors" "$(cat $ERRORS)" 0
iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null
iscsiadm -m node -o delete
killall iscsid

PYTHONPATH=$KITT_TOP/tools/testing python3 - "$IQN" "$ERRORS" <<'PY'
import socket, struct, sys, time
from iscsi_peer import *

iqn, errors = sys.argv[1:3]

def session(n, keys=()):
    p = Peer('127.0.0.1')
    p.isid = bytes([0x80, 0, 0, 0, 0x70, n])
    ans = p.login('iqn.2003-01.org.example.lab:peer', iqn,
                  [('HeaderDigest', 'CRC32C'), ('DataDigest', 'CRC32C'),
                   ('InitialR2T', 'Yes'), ('ImmediateData', 'No')] + list(keys))
    check(p.hdigest and p.ddigest, 'CRC32C agreed both ways')
    return p

pattern = bytes((i * 11 + 3) & 0xff for i in range(8192))
p = session(1)
# The peer checks every digest it receives: a bad one raises.
itt = p.scsi_write_cmd(0, rw10(0x2a, 500, 16), 8192)
r2t = p.recv()
p.data_out(0, itt, r2t.u32(20), 0, pattern)
check(p.recv().bhs[3] == 0, 'a write through digests: GOOD')
pdus = p.scsi_read(0, rw10(0x28, 500, 16), 8192)
check(b''.join(x.data for x in pdus) == pattern, 'the data reads back, digests right')
pdus = p.scsi_read(0, bytes([0x12, 0, 0, 0, 200, 0]), 200)
check(pdus[-1].opcode in (OP_DATA_IN, OP_SCSI_RSP), 'INQUIRY: 200 bytes with padding digested')
rsp = p.scsi_read(7, rw10(0x28, 0, 1), 512)[-1]
check(rsp.opcode == OP_SCSI_RSP and rsp.bhs[3] == 2 and rsp.data,
      'sense data (no LUN 7) with its digest')
rsp = p.text_request([('SendTargets', '')])
check(rsp.opcode == OP_TEXT_RSP, 'a Text Response with digests')

before = int(open(errors).read())
# A bad header digest: the connection ends before anything is done.
raw = bytearray(p.frame(p._hdr(OP_NOOP_OUT, 0x80, immediate=True)))
raw[48] ^= 0xff
p.sock.sendall(bytes(raw))
check(p.closed(5), 'bad header digest: connection closed')
p.close()

# A bad data digest on write data: closed, and nothing is written.
p = session(2)
itt = p.scsi_write_cmd(0, rw10(0x2a, 500, 16), 8192)
r2t = p.recv()
bhs = bytearray(48)
bhs[0] = OP_DATA_OUT
bhs[1] = 0x80
struct.pack_into('>II', bhs, 16, itt, r2t.u32(20))
struct.pack_into('>I', bhs, 28, p.exp_stat_sn)
raw = bytearray(p.frame(bhs, bytes(8192)))
raw[-1] ^= 0x01
p.sock.sendall(bytes(raw))
check(p.closed(5), 'bad data digest: connection closed')
p.close()

time.sleep(0.5)
check(int(open(errors).read()) == before + 2, 'both counted in digest_errors')
p = session(3)
pdus = p.scsi_read(0, rw10(0x28, 500, 16), 8192)
check(b''.join(x.data for x in pdus) == pattern, 'the zeroes with a bad digest were not written')
p.logout()
p.close()
PY
kitt_unload
rmmod brd
