# SPDX-License-Identifier: GPL-2.0
# timeout: 1200
#
# libiscsi's conformance suite (iscsi-test-cu -d) against kitt and, in the
# same guest with the same configuration, against iscsi_target_mod; prints
# both lists of failures side by side. Fails if kitt fails any iSCSI.*
# test, or any SCSI.* test that iscsi_target_mod passes; then the same
# suite through CHAP must give kitt the same results.
#
# The LUN is a fileio backstore on the guest's tmpfs: on a brd block device
# iscsi_target_mod hands the block layer a 200-byte read (iSCSIResiduals)
# and brd warns, which the harness counts as a kernel problem.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:cu
INIT1=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test
INIT2=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2
IMG=/tmp/cu.img

configure() {
	rm -f "$IMG"
	targetcli set global auto_add_default_portal=false >/dev/null
	targetcli /backstores/fileio create name=f0 file_or_dev="$IMG" \
		size=128M >/dev/null
	targetcli /iscsi create "$IQN" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/luns" create /backstores/fileio/f0 >/dev/null
	targetcli "/iscsi/$IQN/tpg1/portals" create 127.0.0.1 3260 >/dev/null
	targetcli "/iscsi/$IQN/tpg1" set attribute authentication=0 >/dev/null
	targetcli "/iscsi/$IQN/tpg1/acls" create "$INIT1" >/dev/null
	targetcli "/iscsi/$IQN/tpg1/acls" create "$INIT2" >/dev/null
	wait_listen 127.0.0.1:3260 || die "not listening"
}

# run_suite NAME [USER%SECRET@]: failures to NAME.failed, one
# FAMILY.Suite.Test per line (the iSCSI family's suites are the iSCSI*
# ones; all others are SCSI); the number of tests run to NAME.ran.
run_suite() {
	local t0=$SECONDS

	# The SCSI and iSCSI families: ALL and LINUX repeat their tests.
	iscsi-test-cu -d -n -t SCSI,iSCSI "iscsi://${2:-}127.0.0.1/$IQN/0" \
		> "$1.out" 2>&1 || true
	cp "$1.out" "$KITT_OUT/logs/"
	grep -q 'Run Summary' "$1.out" || die "$1: iscsi-test-cu did not finish"
	# Every suite set up (a failed login fails its suite) and every test ran.
	awk '$1 == "suites" && $5 != 0 { exit 1 }' "$1.out" ||
		die "$1: suites failed to start: $(grep -m3 -i 'suite.*fail' "$1.out")"
	awk '$1 == "tests" { print $3; exit $2 != $3 || $6 != 0 }' "$1.out" > "$1.ran" ||
		die "$1: not every test ran"
	sed -n 's/^Suite \(.*\), Test \(.*\) had failures:.*/\1.\2/p' "$1.out" |
		sed 's/^iSCSI/iSCSI.iSCSI/; /^iSCSI\./!s/^/SCSI./' |
		sort -u > "$1.failed"
	grep -A4 'Run Summary' "$1.out" || true
	cp "$1.failed" "$KITT_OUT/logs/"
	log "$1: $(cat "$1.ran") tests in $((SECONDS - t0)) s"
}

kitt_load
configure
run_suite kitt
log "again, through CHAP"
targetcli "/iscsi/$IQN/tpg1" set attribute authentication=1 >/dev/null
for i in "$INIT1" "$INIT2"; do
	targetcli "/iscsi/$IQN/tpg1/acls/$i" set auth userid=cu password=cu-secret-123 >/dev/null
done
run_suite kitt-chap "cu%cu-secret-123@"
kitt_unload
rm -f "$IMG"

lio_load
configure
run_suite lio
lio_unload
rm -f "$IMG"

log "failures: kitt | iscsi_target_mod"
diff -y -W 140 kitt.failed lio.failed || true
[ "$(cat kitt.ran)" = "$(cat lio.ran)" ] && [ "$(cat kitt.ran)" -ge 200 ] ||
	die "tests run: kitt $(cat kitt.ran), iscsi_target_mod $(cat lio.ran)"
[ "$(cat kitt-chap.ran)" = "$(cat kitt.ran)" ] || die "through CHAP: $(cat kitt-chap.ran) tests ran"
# The Reserve6 tests reserve from a second session right after a logout:
# iscsi_target_mod answers a Logout before its session has ended and fails
# them at times; kitt ends the session first (iscsi-corners), so every
# test goes the same way through CHAP.
diff kitt.failed kitt-chap.failed || die "through CHAP, kitt fails other tests"
bad=$(grep '^iSCSI\.' kitt.failed || true)
extra=$(comm -23 kitt.failed lio.failed | grep '^SCSI\.' || true)
[ -z "$bad" ] || die "kitt fails iSCSI tests: $bad"
[ -z "$extra" ] || die "kitt fails SCSI tests iscsi_target_mod passes: $extra"
log "kitt fails no iSCSI test and no SCSI test iscsi_target_mod passes"
