# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# Pacemaker's own resource agents drive kitt unmodified: Debian's
# resource-agents iSCSITarget and iSCSILogicalUnit (implementation=lio-t,
# which run targetcli and read configfs), called the way Pacemaker calls
# them. A probe finds nothing running; start makes a target with CHAP and
# one allowed initiator, and a LUN on a block device; monitor sees both;
# open-iscsi logs in through CHAP and writes; both are stopped under live
# I/O and started again, and the initiator finds its data. The iSER toggle
# the target agent may write is refused with a clear message.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:ha
INIT=iqn.2003-01.org.example.lab:ha-host
PORTAL=127.0.0.1:3260
RA=/usr/lib/ocf/resource.d/heartbeat
OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_NOT_RUNNING=7

[ -x $RA/iSCSITarget ] && [ -x $RA/iSCSILogicalUnit ] ||
	die "resource-agents is not installed"
export OCF_ROOT=/usr/lib/ocf
mkdir -p /run/resource-agents

TGT=(OCF_RESOURCE_INSTANCE=tgt OCF_RESKEY_implementation=lio-t
     OCF_RESKEY_iqn=$IQN OCF_RESKEY_portals=$PORTAL
     OCF_RESKEY_allowed_initiators=$INIT
     OCF_RESKEY_incoming_username=hauser
     OCF_RESKEY_incoming_password=ha-secret-123)
LU=(OCF_RESOURCE_INSTANCE=lu0 OCF_RESKEY_implementation=lio-t
    OCF_RESKEY_target_iqn=$IQN OCF_RESKEY_lun=0 OCF_RESKEY_path=/dev/ram0
    OCF_RESKEY_allowed_initiators=$INIT)

# session_state: the state of open-iscsi's one session (LOGGED_IN, FAILED...)
session_state() {
	cat /sys/class/iscsi_session/session*/state 2>/dev/null | head -n 1
}

kitt_load
modprobe sd_mod
modprobe brd rd_nr=1 rd_size=65536
cp /etc/iscsi/initiatorname.iscsi initiatorname.orig
fio_pid=""
cleanup() {
	set +e
	[ -z "$fio_pid" ] || kill "$fio_pid" 2>/dev/null
	if pgrep -x iscsid >/dev/null; then
		timeout 30 iscsiadm -m node --logoutall=all >/dev/null 2>&1
		iscsiadm -m node -o delete >/dev/null 2>&1
		killall iscsid
	fi
	cp initiatorname.orig /etc/iscsi/initiatorname.iscsi
}
trap cleanup EXIT
echo "InitiatorName=$INIT" > /etc/iscsi/initiatorname.iscsi

log "probe: nothing runs yet"
ra $OCF_NOT_RUNNING iSCSITarget monitor "${TGT[@]}" OCF_RESKEY_CRM_meta_interval=0
ra $OCF_NOT_RUNNING iSCSILogicalUnit monitor "${LU[@]}" OCF_RESKEY_CRM_meta_interval=0

log "start, then monitor"
ra $OCF_SUCCESS iSCSITarget start "${TGT[@]}"
ra $OCF_SUCCESS iSCSILogicalUnit start "${LU[@]}"
ra $OCF_SUCCESS iSCSITarget monitor "${TGT[@]}"
ra $OCF_SUCCESS iSCSILogicalUnit monitor "${LU[@]}"
T=$ISCSI/$IQN/tpgt_1
expect_eq "authentication" "$(cat $T/attrib/authentication)" 1
expect_eq "generate_node_acls" "$(cat $T/attrib/generate_node_acls)" 0
expect_eq "CHAP user" "$(cat "$T/acls/$INIT/auth/userid")" hauser
expect_eq "udev_path" "$(cat $T/lun/lun_0/*/udev_path)" /dev/ram0
[ -e "$T/acls/$INIT/lun_0" ] || die "the initiator's ACL has no LUN 0"
wait_listen $PORTAL || die "not listening"

log "open-iscsi logs in through CHAP and writes"
iscsid
sleep 1
iscsiadm -m discovery -t st -p $PORTAL >/dev/null || die "discovery failed"
# node_set KEY=VALUE...: set open-iscsi's record of the target
node_set() {
	local kv

	for kv in "$@"; do
		iscsiadm -m node -T "$IQN" -p $PORTAL -o update -n "${kv%%=*}" -v "${kv#*=}"
	done
}
node_set node.session.auth.authmethod=CHAP node.session.auth.username=hauser \
	node.session.auth.password=wrong-secret-123 \
	node.session.timeo.replacement_timeout=5
expect_fail "login with a wrong CHAP secret" \
	iscsiadm -m node -T "$IQN" -p $PORTAL --login
node_set node.session.auth.password=ha-secret-123
iscsiadm -m node -T "$IQN" -p $PORTAL --login >/dev/null || die "login failed"
dev=$(iscsi_disk "$IQN") || die "no disk appeared"
head -c 16M /dev/urandom > data
dd if=data of="$dev" bs=1M oflag=direct status=none || die "write failed"
sha=$(sha256sum < data)

log "stop both under I/O"
fio --name=live --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=4k --iodepth=8 --offset=32m --size=32m --time_based --runtime=120 \
	--output=fio.out >/dev/null 2>&1 &
fio_pid=$!
cmds=$ISCSI/$IQN/tpgt_1/lun/lun_0/statistics/scsi_tgt_port/in_cmds
before=$(cat "$cmds")
n=300
while [ "$(cat "$cmds")" -lt $((before + 100)) ] && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
kill -0 "$fio_pid" || die "fio is not running"
[ "$(cat "$cmds")" -ge $((before + 100)) ] || die "fio's I/O does not reach the LUN"
ra $OCF_SUCCESS iSCSILogicalUnit stop "${LU[@]}"
ra $OCF_SUCCESS iSCSITarget stop "${TGT[@]}"
ra $OCF_NOT_RUNNING iSCSILogicalUnit monitor "${LU[@]}"
ra $OCF_NOT_RUNNING iSCSITarget monitor "${TGT[@]}"
[ ! -d "$ISCSI/$IQN" ] || die "the target is still in configfs"
# Stopping twice is a success too (Pacemaker may repeat a stop).
ra $OCF_SUCCESS iSCSITarget stop "${TGT[@]}"
# The LUN went first: fio's I/O fails (the target core answers for a
# LUN that is gone), it is not a success.
if wait "$fio_pid"; then
	die "fio succeeded with its LUN taken away"
fi
fio_pid=""

log "start again: the initiator logs back in and finds its data"
ra $OCF_SUCCESS iSCSITarget start "${TGT[@]}"
ra $OCF_SUCCESS iSCSILogicalUnit start "${LU[@]}"
n=600
while [ "$(session_state)" != LOGGED_IN ] && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
expect_eq "session state" "$(session_state)" LOGGED_IN
dd if="$dev" of=back bs=1M count=16 iflag=direct status=none ||
	die "read after restart failed"
got=$(sha256sum < back)
expect_eq "the first 16 MiB after restart" "$got" "$sha"

iscsiadm -m node -T "$IQN" -p $PORTAL --logout >/dev/null || die "logout failed"
iscsiadm -m node -o delete
killall iscsid
wait_no_sessions "$IQN"
kitt_clear_config

log "iSER portals: the agent's toggle fails its start, kitt says why"
dmesg -C
ra $OCF_ERR_GENERIC iSCSITarget start "${TGT[@]}" OCF_RESKEY_iser_portals=127.0.0.1
dmesg | grep -q 'kitt: iSER portals are not supported' ||
	die "no message about iSER: $(dmesg | tail -n 3)"
targetcli /iscsi delete "$IQN" >/dev/null
kitt_unload
rmmod brd
