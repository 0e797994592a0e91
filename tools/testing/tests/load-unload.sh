# SPDX-License-Identifier: GPL-2.0
# timeout: 120
#
# kitt loads after the target core, registers the iscsi fabric, unloads;
# refuses to load beside iscsi_target_mod and keeps it out while loaded;
# a modprobe.d alias lets the core's autoload of iscsi_target_mod pick kitt.
. "$KITT_TOP/tools/testing/tests/lib.sh"

log "load and unload"
kitt_load
grep -q 'kitt: iSCSI target fabric' <(dmesg) || die "no registration message"
mkdir $ISCSI
[ -f $ISCSI/lio_version ] || die "no lio_version in $ISCSI"
[ -d $ISCSI/discovery_auth ] || die "no discovery_auth"
expect_eq "module refcount with configfs dir" "$(cat /sys/module/kitt/refcnt)" 1
rmdir $ISCSI
expect_eq "module refcount" "$(cat /sys/module/kitt/refcnt)" 0
kitt_unload

log "kitt refuses to load beside iscsi_target_mod"
modprobe iscsi_target_mod
expect_fail "modprobe kitt beside iscsi_target_mod" modprobe kitt
dmesg | grep -q 'kitt: iscsi_target_mod is loaded' || die "no refusal message"
rmmod iscsi_target_mod

log "kitt keeps iscsi_target_mod out"
kitt_load
expect_fail "modprobe iscsi_target_mod beside kitt" modprobe iscsi_target_mod
dmesg | grep -q 'kitt: refusing to let iscsi_target_mod load' || die "no refusal message"
[ ! -d /sys/module/iscsi_target_mod ] || die "iscsi_target_mod loaded"
kitt_unload

log "modprobe.d alias: the core's autoload of the iscsi fabric loads kitt"
cp "$KITT_TOP/tools/kitt-modprobe.conf" /etc/modprobe.d/kitt.conf
modprobe -n -v iscsi_target_mod | grep -q '/kitt.ko' || die "alias not resolved to kitt"
mkdir $ISCSI
[ -d /sys/module/kitt ] || die "configfs mkdir did not load kitt"
[ ! -d /sys/module/iscsi_target_mod ] || die "iscsi_target_mod loaded instead"
rmdir $ISCSI
rm /etc/modprobe.d/kitt.conf
kitt_unload
