# SPDX-License-Identifier: GPL-2.0
#
# What both nodes of tools/ha-failover share (sourced by tool-ha-node-a.sh
# and tool-ha-node-b.sh): the cluster's names and addresses, the agents'
# parameters (the same on both nodes, as in one Pacemaker configuration),
# and the flags through which the nodes and the host script take turns.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:cluster
INIT=iqn.2003-01.org.example.lab:cluster-host
VIP=192.0.2.10
NODE_A_ADDR=192.0.2.1
NODE_B_ADDR=192.0.2.2
# The host script's directory, seen from the guest (a 9p share).
FLAGS=$KITT_TOP/build/ha-failover
RA=/usr/lib/ocf/resource.d/heartbeat

export OCF_ROOT=/usr/lib/ocf HA_RSCTMP=/run/resource-agents
mkdir -p "$HA_RSCTMP"

TGT=(OCF_RESOURCE_INSTANCE=kitt-target OCF_RESKEY_implementation=lio-t
     OCF_RESKEY_iqn=$IQN OCF_RESKEY_portals=$VIP:3260
     OCF_RESKEY_allowed_initiators=$INIT
     OCF_RESKEY_incoming_username=cluster
     OCF_RESKEY_incoming_password=cluster-secret-1)
LU=(OCF_RESOURCE_INSTANCE=kitt-lun0 OCF_RESKEY_implementation=lio-t
    OCF_RESKEY_target_iqn=$IQN OCF_RESKEY_lun=0 OCF_RESKEY_path=/dev/vda
    OCF_RESKEY_scsi_sn=0a1b2c3d OCF_RESKEY_allowed_initiators=$INIT)
BLOCK=(OCF_RESOURCE_INSTANCE=kitt-block OCF_RESKEY_ip=$VIP
       OCF_RESKEY_portno=3260 OCF_RESKEY_protocol=tcp OCF_RESKEY_action=block)

# ra WANT AGENT ACTION ENV...: run a resource agent as Pacemaker does; its
# exit status must be WANT.
ra() {
	local want=$1 agent=$2 action=$3 rc=0 t0=$SECONDS

	shift 3
	env "$@" OCF_RESKEY_CRM_meta_timeout=120000 "$RA/$agent" "$action" \
		> ra.out 2>&1 || rc=$?
	sed "s/^/    $agent $action: /" ra.out
	[ "$rc" -eq "$want" ] || die "$agent $action: exit status $rc, want $want"
	log "$agent $action: $rc ($((SECONDS - t0)) s)"
}

flag() {
	date +%s.%N > "$FLAGS/$1"
}

# wait_flag NAME SECONDS: until the host or the other node raises NAME
wait_flag() {
	local n=$(( $2 * 10 ))

	while [ ! -e "$FLAGS/$1" ]; do
		[ $n -gt 0 ] || die "no $1 within $2 s"
		[ ! -e "$FLAGS/abort" ] || die "the other side gave up"
		sleep 0.1
		n=$((n - 1))
	done
}

# node_net ADDR: the cluster network (QEMU's socket network between the
# two guests) on eth0
node_net() {
	modprobe virtio_net
	modprobe virtio_blk 2>/dev/null || true
	local n=100
	while ! ip link show eth0 >/dev/null 2>&1; do
		[ $n -gt 0 ] || die "no eth0"
		sleep 0.1
		n=$((n - 1))
	done
	ip link set eth0 up
	ip addr add "$1/24" dev eth0
	[ -b /dev/vda ] || die "no shared disk /dev/vda"
	# A failed node must not look alive to the host script.
	trap '[ $? -eq 0 ] || flag abort' EXIT
}

# ha_start: the node starts the cluster's target and LUN, as Pacemaker's
# group does after the floating address; the fabric module loads on
# targetcli's first look (modprobe.d alias, as on a real node).
ha_start() {
	cp "$KITT_TOP/tools/kitt-modprobe.conf" /etc/modprobe.d/kitt.conf
	modprobe target_core_mod
	pr_dirs
	ra 0 iSCSITarget start "${TGT[@]}"
	ra 0 iSCSILogicalUnit start "${LU[@]}"
	ra 0 iSCSITarget monitor "${TGT[@]}"
	ra 0 iSCSILogicalUnit monitor "${LU[@]}"
}
