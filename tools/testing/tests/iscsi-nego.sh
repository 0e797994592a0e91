# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
#
# Negotiation variants through open-iscsi node settings and TPG parameters:
# ImmediateData x InitialR2T, data segment and burst lengths from 512 bytes
# to 16 MiB; fio verify passes in each, and the negotiated values are the
# expected ones.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:nego
TPG=/iscsi/$IQN/tpg1

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
iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null

node_set() {	# node_set KEY VALUE
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 -o update -n "$1" -v "$2"
}

# run NAME: log in, check, fio verify, log out
run() {
	local dev

	log "$1"
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login >/dev/null ||
		die "$1: login failed"
	dev=$(iscsi_disk "$IQN") || die "$1: no disk"
	iscsiadm -m session -P 2 > session.txt
	fio --name=v --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
		--bsrange=512-256k --iodepth=8 --size=2m --verify=crc32c \
		--verify_fatal=1 --output=fio.out ||
		{ cat fio.out; die "$1: fio verify failed"; }
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null
}

# negotiated KEY VALUE: iscsiadm -P 2 shows the session's value
negotiated() {
	grep -q "^[[:space:]]*$1: $2\$" session.txt ||
		{ grep "$1" session.txt; die "negotiated $1 is not $2"; }
}

for imm in Yes No; do
	for r2t in Yes No; do
		node_set node.session.iscsi.ImmediateData $imm
		node_set node.session.iscsi.InitialR2T $r2t
		targetcli "$TPG" set parameter InitialR2T=No ImmediateData=Yes >/dev/null
		run "initiator ImmediateData=$imm InitialR2T=$r2t"
		negotiated ImmediateData $imm
		negotiated InitialR2T $r2t
	done
done
node_set node.session.iscsi.ImmediateData Yes
node_set node.session.iscsi.InitialR2T No

log "the target's own values win where the functions say so"
targetcli "$TPG" set parameter InitialR2T=Yes ImmediateData=No >/dev/null
run "target ImmediateData=No InitialR2T=Yes"
negotiated ImmediateData No
negotiated InitialR2T Yes
targetcli "$TPG" set parameter InitialR2T=No ImmediateData=Yes >/dev/null

for mrdsl in 512 4096 262144 16777212; do
	node_set node.conn[0].iscsi.MaxRecvDataSegmentLength $mrdsl
	run "initiator MaxRecvDataSegmentLength=$mrdsl"
	negotiated MaxRecvDataSegmentLength $mrdsl
done
node_set node.conn[0].iscsi.MaxRecvDataSegmentLength 262144

for tmrdsl in 512 16777215; do
	targetcli "$TPG" set parameter MaxRecvDataSegmentLength=$tmrdsl \
		MaxXmitDataSegmentLength=$tmrdsl >/dev/null
	run "target MaxRecvDataSegmentLength=$tmrdsl"
	# what the initiator may send us: our declared value
	[ $tmrdsl = 512 ] && negotiated MaxXmitDataSegmentLength 512
done
# As iscsi_target_mod: once the initiator has declared its own, kitt
# declares (and takes Data-Out up to) MaxXmitDataSegmentLength.
for t in 8192:65536 65536:8192; do
	targetcli "$TPG" set parameter MaxRecvDataSegmentLength=${t%:*} \
		MaxXmitDataSegmentLength=${t#*:} >/dev/null
	run "target MaxRecvDataSegmentLength=${t%:*} MaxXmitDataSegmentLength=${t#*:}"
	negotiated MaxXmitDataSegmentLength ${t#*:}
done
targetcli "$TPG" set parameter MaxRecvDataSegmentLength=8192 \
	MaxXmitDataSegmentLength=262144 >/dev/null

node_set node.session.iscsi.FirstBurstLength 512
node_set node.session.iscsi.MaxBurstLength 512
run "FirstBurstLength=MaxBurstLength=512"
negotiated FirstBurstLength 512
negotiated MaxBurstLength 512
node_set node.session.iscsi.FirstBurstLength 16776192
node_set node.session.iscsi.MaxBurstLength 16776192
targetcli "$TPG" set parameter FirstBurstLength=16776192 MaxBurstLength=16776192 >/dev/null
run "FirstBurstLength=MaxBurstLength=16776192"
negotiated MaxBurstLength 16776192

iscsiadm -m node -o delete
killall iscsid
kitt_unload
rmmod brd
