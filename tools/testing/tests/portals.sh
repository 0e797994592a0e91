# SPDX-License-Identifier: GPL-2.0
# timeout: 180
#
# Network portals: one listener thread per address, bound with freebind,
# shared between targets, refused twice in one target, stopped with the
# last np/ directory; connections are accepted and closed cleanly.
. "$KITT_TOP/tools/testing/tests/lib.sh"

T1=iqn.2003-01.org.example.lab:p1
T2=iqn.2003-01.org.example.lab:p2

# Threads named kitt_np/ADDR.
np_threads() { ps -e -o comm= | grep -c '^kitt_np/' || true; }
# Connect and send a header that is no Login Request (48 zero bytes: a
# NOP-Out): the target must close the connection, and cat sees EOF.
expect_closed() {
	timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2 && head -c 48 /dev/zero >&3 && cat <&3 >/dev/null" ||
		die "connection to $1:$2 not closed cleanly"
}
expect_refused() {
	if timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; then
		die "$1:$2 still accepts connections"
	fi
}

kitt_load
mkdir -p $ISCSI/$T1/tpgt_1 $ISCSI/$T1/tpgt_2 $ISCSI/$T2/tpgt_1
expect_eq "listeners before any portal" "$(np_threads)" 0

log "IPv4 portal: a listener thread, connections closed"
mkdir $ISCSI/$T1/tpgt_1/np/127.0.0.1:3270
wait_listen 127.0.0.1:3270 || die "not listening on 127.0.0.1:3270"
ps -e -o comm= | grep -qx 'kitt_np/127.0.0.1:3270' || die "no kitt_np/127.0.0.1:3270 thread"
for i in 1 2 3; do expect_closed 127.0.0.1 3270; done
expect_eq "iser" "$(cat $ISCSI/$T1/tpgt_1/np/127.0.0.1:3270/iser)" 0
echo 0 > $ISCSI/$T1/tpgt_1/np/127.0.0.1:3270/iser
expect_fail "iser=1" sh -c "echo 1 > $ISCSI/$T1/tpgt_1/np/127.0.0.1:3270/iser"
expect_fail "cxgbit=1" sh -c "echo 1 > $ISCSI/$T1/tpgt_1/np/127.0.0.1:3270/cxgbit"
dmesg | grep -q 'kitt: iSER portals are not supported' || die "no iSER message"

log "IPv6 portal"
mkdir "$ISCSI/$T1/tpgt_1/np/[::1]:3270"
wait_listen '[::1]:3270' || die "not listening on [::1]:3270"
expect_closed ::1 3270

log "freebind: a portal on an address this host does not have"
mkdir $ISCSI/$T1/tpgt_1/np/192.0.2.10:3260
wait_listen 192.0.2.10:3260 || die "not listening on 192.0.2.10:3260"

log "wildcard [::] takes IPv4 too"
mkdir "$ISCSI/$T1/tpgt_2/np/[::]:3272"
wait_listen '*:3272' || wait_listen '[::]:3272' || die "not listening on [::]:3272"
expect_closed 127.0.0.1 3272

log "one target may not use an address twice"
expect_fail "same portal, other TPG of one target" mkdir $ISCSI/$T1/tpgt_2/np/127.0.0.1:3270
expect_fail "same address spelled otherwise" mkdir "$ISCSI/$T1/tpgt_2/np/[0::1]:3270"

log "two targets share a portal and its listener"
before=$(np_threads)
mkdir $ISCSI/$T2/tpgt_1/np/127.0.0.1:3270
expect_eq "listener threads after sharing" "$(np_threads)" "$before"
rmdir $ISCSI/$T1/tpgt_1/np/127.0.0.1:3270
expect_closed 127.0.0.1 3270
rmdir $ISCSI/$T2/tpgt_1/np/127.0.0.1:3270
expect_refused 127.0.0.1 3270
expect_eq "listener threads after last removal" "$(np_threads)" $((before - 1))

log "invalid portal names are refused"
for bad in 127.0.0.1 127.0.0.1: 127.0.0.1:0 127.0.0.1:65536 1.2.3:3260 \
	   ::1:3260 '[::1:3260' '[::1]3260' 'host:3260' '[1::2::3]:3260'; do
	expect_fail "portal '$bad'" mkdir "$ISCSI/$T1/tpgt_2/np/$bad"
done

log "idle connections, then the portal goes away: each sees the close"
mkdir $ISCSI/$T1/tpgt_2/np/127.0.0.1:3273
wait_listen 127.0.0.1:3273
pids=""
for i in $(seq 1 50); do
	timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/3273; cat <&3 >/dev/null" &
	pids="$pids $!"
done
# All 50 connected (however slow the guest) before the portal goes.
n=300
while [ "$(ss -Htn state established '( sport = :3273 )' | wc -l)" -lt 50 ]; do
	n=$((n - 1))
	[ $n -gt 0 ] || die "50 connections did not come up"
	sleep 0.1
done
sleep 1		# and accepted by kitt's listener
rmdir $ISCSI/$T1/tpgt_2/np/127.0.0.1:3273
for p in $pids; do
	wait "$p" || die "an idle connection was not closed with its portal"
done
expect_refused 127.0.0.1 3273

log "cleanup"
rmdir "$ISCSI/$T1/tpgt_1/np/[::1]:3270" $ISCSI/$T1/tpgt_1/np/192.0.2.10:3260 \
	"$ISCSI/$T1/tpgt_2/np/[::]:3272"
expect_eq "listeners at the end" "$(np_threads)" 0
rmdir $ISCSI/$T1/tpgt_1 $ISCSI/$T1/tpgt_2 $ISCSI/$T2/tpgt_1 $ISCSI/$T1 $ISCSI/$T2
kitt_unload
