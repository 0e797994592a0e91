# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# What tools/kitt-demo shows: kitt loaded, a target with a ramdisk LUN made
# with targetcli, listening on its portals. Also a test: each step must work.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:demo
kitt_load
log "kitt loaded: $(grep -o 'kitt: iSCSI target fabric.*' <(dmesg))"
targetcli /backstores/ramdisk create name=rd0 size=64M
targetcli /iscsi create "$IQN"
targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/ramdisk/rd0
targetcli "/iscsi/$IQN/tpg1/portals" delete 0.0.0.0 3260 2>/dev/null || true
targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260
targetcli "/iscsi/$IQN/tpg1/portals" create ::1 3260
targetcli "/iscsi/$IQN/tpg1" set attribute generate_node_acls=1 demo_mode_write_protect=0
targetcli ls
wait_listen 127.0.0.1:3260 || die "nothing listens on 127.0.0.1:3260"
wait_listen '[::1]:3260' || die "nothing listens on [::1]:3260"
log "listening sockets:"
ss -ltn
ps -e -o pid,comm | grep kitt_np || die "no listener threads"
kitt_unload
log "kitt unloaded"
