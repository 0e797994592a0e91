# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Not a test: a tool run in the guest by tools/testing/fuzz/capture-seeds.
# Records open-iscsi and libiscsi talking to kitt through a relay
# (tools/testing/fuzz/pdu_tap.py) - discovery, logins with and without
# mutual CHAP and digests, SCSI commands, a LUN reset, logouts - and cuts
# the traffic into fuzzer seeds under $KITT_OUT/seeds.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:capture
TPG=/iscsi/$IQN/tpg1
INAME=$(sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi)
LIBISCSI=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test
TAP=$KITT_TOP/tools/testing/fuzz/pdu_tap.py
RELAY=127.0.0.1:3270

kitt_load
modprobe sd_mod
modprobe sg
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=rd0 size=16M >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "$TPG/luns" create /backstores/ramdisk/rd0 >/dev/null
targetcli "$TPG/portals" create 127.0.0.1 3260 >/dev/null
targetcli "$TPG" set attribute authentication=1 generate_node_acls=0 >/dev/null
for i in "$INAME" "$LIBISCSI"; do
	targetcli "$TPG/acls" create "$i" >/dev/null
	targetcli "$TPG/acls/$i" set auth userid=capuser password=initiator-secret-1 \
		mutual_userid=captarget mutual_password=target-secret-12 >/dev/null
done
wait_listen 127.0.0.1:3260 || die "not listening"

rm -rf streams
python3 "$TAP" relay 3270 127.0.0.1:3260 streams &
relay=$!
trap 'kill $relay 2>/dev/null || true' EXIT
wait_listen $RELAY || die "relay not listening"

iscsid
sleep 1
log "open-iscsi: discovery, then logins through the relay"
iscsiadm -m discovery -t st -p $RELAY >/dev/null || die "discovery failed"
iscsiadm -m node -o new -T "$IQN" -p $RELAY >/dev/null
node_set() {
	iscsiadm -m node -T "$IQN" -p $RELAY -o update -n "$1" -v "$2"
}
node_set node.session.auth.authmethod CHAP
node_set node.session.auth.username capuser
node_set node.session.auth.password initiator-secret-1
for digest in None CRC32C; do
	for mutual in no yes; do
		if [ $mutual = yes ]; then
			node_set node.session.auth.username_in captarget
			node_set node.session.auth.password_in target-secret-12
		fi
		node_set node.conn[0].iscsi.HeaderDigest $digest
		node_set node.conn[0].iscsi.DataDigest $digest
		iscsiadm -m node -T "$IQN" -p $RELAY --login >/dev/null || die "login failed"
		dev=$(iscsi_disk "$IQN") || die "no disk"
		dd if=/dev/urandom of="$dev" bs=64k count=16 oflag=direct 2>/dev/null
		dd if="$dev" of=/dev/null bs=1M count=1 iflag=direct 2>/dev/null
		sg_inq "$dev" >/dev/null
		sg_luns "$dev" >/dev/null
		sg_readcap -l "$dev" >/dev/null
		sg_turs "$dev" >/dev/null
		sg_reset --device "$dev" >/dev/null 2>&1 || true
		iscsiadm -m node -T "$IQN" -p $RELAY --logout >/dev/null || die "logout failed"
	done
done
iscsiadm -m node -o delete || true
killall iscsid 2>/dev/null || true

log "libiscsi through the relay"
iscsi-ls -i $LIBISCSI "iscsi://capuser%initiator-secret-1@$RELAY/" >/dev/null 2>&1 || true
iscsi-inq -i $LIBISCSI "iscsi://capuser%initiator-secret-1@$RELAY/$IQN/0" >/dev/null ||
	die "iscsi-inq failed"

kill $relay
wait $relay 2>/dev/null || true
rm -rf "$KITT_OUT/seeds"
python3 "$TAP" seeds streams "$KITT_OUT/seeds"
for k in pdu text nego chap; do
	log "$k: $(ls "$KITT_OUT/seeds/$k" | wc -l) seeds"
	[ -n "$(ls "$KITT_OUT/seeds/$k")" ] || die "no $k seeds"
done
kitt_unload
