# SPDX-License-Identifier: GPL-2.0
# timeout: 1500
#
# libiscsi's conformance suite (iscsi-test-cu -d) against kitt and, in the
# same guest with the same configuration, against iscsi_target_mod; prints
# both lists of failures side by side. Fails if kitt fails any iSCSI.* test
# or any SCSI.* test that iscsi_target_mod passes.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:cu
INIT1=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test
INIT2=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2

configure() {
	targetcli set global auto_add_default_portal=false >/dev/null
	targetcli /backstores/block create name=b0 dev=/dev/ram0 >/dev/null
	targetcli /iscsi create "$IQN" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/block/b0 >/dev/null
	targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
	targetcli "/iscsi/$IQN/tpg1" set attribute authentication=0 >/dev/null
	targetcli "/iscsi/$IQN/tpg1/acls" create "$INIT1" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/acls" create "$INIT2" >/dev/null
	wait_listen 127.0.0.1:3260 || die "not listening"
}

# run_suite NAME: failures (one test name per line) to NAME.failed
run_suite() {
	iscsi-test-cu -d -n "iscsi://127.0.0.1/$IQN/0" > "$1.out" 2>&1 || true
	sed -n 's/^Suite \(.*\), Test \(.*\) had failures:.*/\1.\2/p' "$1.out" |
		sort -u > "$1.failed"
	grep -A8 'Run Summary' "$1.out" || true
	cp "$1.out" "$1.failed" "$KITT_OUT/logs/"
}

modprobe brd rd_nr=1 rd_size=131072

log "kitt"
kitt_load
configure
run_suite kitt
kitt_unload

log "iscsi_target_mod"
dd if=/dev/zero of=/dev/ram0 bs=1M count=128 status=none
lio_load
configure
run_suite lio
lio_unload
rmmod brd

log "failures: kitt | iscsi_target_mod"
diff -y -W 140 kitt.failed lio.failed || true
bad=$(grep '^iSCSI' kitt.failed || true)
extra=$(comm -23 kitt.failed lio.failed | grep '^SCSI' || true)
[ -z "$bad" ] || die "kitt fails iSCSI tests: $bad"
[ -z "$extra" ] || die "kitt fails SCSI tests iscsi_target_mod passes: $extra"
