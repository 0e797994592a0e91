# SPDX-License-Identifier: GPL-2.0
#
# Helpers for guest tests (sourced; tests run under bash -eu inside the
# guest, as root, with KITT_TOP, KITT_OUT and KITT_KVER set).

CFS=/sys/kernel/config/target
ISCSI=$CFS/iscsi

log() { echo "--- $*"; }

die() {
	echo "FAILED: $*" >&2
	exit 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || die "$1: got '$2', want '$3'"
}

# expect_fail WHAT CMD...: the command must fail.
expect_fail() {
	local what=$1
	shift
	if "$@" 2>/dev/null; then
		die "$what: succeeded, should have failed"
	fi
}

# Load the target core (with its dbroot and PR directory) and kitt.
kitt_load() {
	modprobe target_core_mod
	mkdir -p "$(cat $CFS/dbroot)/pr"
	modprobe kitt
	[ -d /sys/module/kitt ] || die "kitt did not load"
}

# Remove every target-core object (any fabric, any backstore).
kitt_clear_config() {
	[ -d $CFS ] || return 0
	targetcli clearconfig confirm=True >/dev/null 2>&1 || true
	# rtslib makes fabric directories just by looking; they pin modules.
	rmdir $CFS/iscsi 2>/dev/null || true
}

kitt_unload() {
	kitt_clear_config
	rmmod kitt
	[ ! -d /sys/module/kitt ] || die "kitt still loaded after rmmod"
}

# Wait up to $2 seconds (default 10) for a TCP listener on $1 (ADDR:PORT).
wait_listen() {
	local addr=$1 n=$(( ${2:-10} * 10 ))

	while [ $n -gt 0 ]; do
		ss -Hltn "sport = :${addr##*:}" | grep -qF "$addr" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
