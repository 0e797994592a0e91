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
# The portal is blocked around the group's start and stop with the rule
# ocf:heartbeat:portblock inserts (Documentation/ha.rst), written here
# directly: Debian 12's portblock looks for its rule in "iptables -n -L"
# as "DROP tcp", iptables 1.8.9 lists it as "DROP 6", so its unblock
# never removes it.
block() {
	iptables -w -I INPUT -p tcp -d "$VIP" -m multiport --dports 3260 -j DROP
	log "portal $VIP:3260 blocked"
}
unblock() {
	while iptables -w -D INPUT -p tcp -d "$VIP" -m multiport --dports 3260 -j DROP 2>/dev/null; do
		:
	done
	log "portal $VIP:3260 unblocked"
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
	# A failed node must not look alive to the host script.
	trap '[ $? -eq 0 ] || flag abort' EXIT
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
	n=100
	while [ ! -b /dev/vda ]; do
		[ $n -gt 0 ] || die "no shared disk /dev/vda: $(ls /sys/block; cat /proc/partitions)"
		sleep 0.1
		n=$((n - 1))
	done
}

# ha_start: the node starts the group as Pacemaker would: block the
# portal, the floating address, the target, the LUN, unblock. The fabric
# module loads on targetcli's first look (the modprobe.d alias, as on a
# real node).
ha_start() {
	cp "$KITT_TOP/tools/kitt-modprobe.conf" /etc/modprobe.d/kitt.conf
	modprobe target_core_mod
	pr_dirs
	block
	ip addr add "$VIP/24" dev eth0
	ra 0 iSCSITarget start "${TGT[@]}"
	ra 0 iSCSILogicalUnit start "${LU[@]}"
	ra 0 iSCSITarget monitor "${TGT[@]}"
	ra 0 iSCSILogicalUnit monitor "${LU[@]}"
	unblock
}

# ha_stop: the group stops in reverse; the portal is blocked first, so the host waits instead of seeing its LUN go.
ha_stop() {
	block
	flag a-blocked
	ra 0 iSCSILogicalUnit stop "${LU[@]}"
	ra 0 iSCSITarget stop "${TGT[@]}"
	ip addr del "$VIP/24" dev eth0
	unblock
}
