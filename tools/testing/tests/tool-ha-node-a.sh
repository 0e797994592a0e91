# SPDX-License-Identifier: GPL-2.0
# timeout: 1500
#
# Node A of tools/ha-failover (not a test of the suite): serves the shared
# disk /dev/vda as LUN 0 of the cluster's target on the floating address,
# started by Pacemaker's agents; once node B's initiator writes, stops it
# as a Pacemaker group stops (portblock blocks the portal, the LUN and the
# target stop, the address goes), and waits for the host to kill it.
. "$KITT_TOP/tools/testing/tests/lib-ha.sh"

node_net "$NODE_A_ADDR"
ha_start
[ -d /sys/module/kitt ] || die "the agents' targetcli did not load kitt"
wait_listen "$VIP:3260" || die "not listening on $VIP:3260"
flag a-serving

wait_flag b-writing 900
cmds=$ISCSI/$IQN/tpgt_1/lun/lun_0/statistics/scsi_tgt_port/in_cmds
before=$(cat "$cmds")
sleep 15
log "node A served $(( $(cat "$cmds") - before )) commands in 15 s"
[ "$(cat "$cmds")" -gt $((before + 100)) ] || die "no I/O reaches node A"

log "planned stop, as the Pacemaker group stops"
ha_stop
flag a-stopped
log "node A stopped; waiting for the host to kill this guest"
sleep 1200
