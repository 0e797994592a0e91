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

# targetcli ARGS...: what /usr/bin/targetcli ARGS does (same shell, same
# rescan of configfs, same output and exit status; standard output comes
# whole before standard error, not interleaved), answered by one
# targetcli_server.py per test shell, which pays Python's start-up and
# imports (most of a call's ~2 s in a TCG guest) once. A first call from a
# subshell, or KITT_TARGETCLI_ONESHOT=1, runs the program itself; so do
# "timeout ... targetcli" and anything not started by a shell function.
kitt_tcli_dir=""
kitt_tcli_start() {
	local d n=600

	d=$(mktemp -d /tmp/kitt-tcli.XXXXXX) || return 1
	mkfifo "$d/req" "$d/rep" || return 1
	# Not a job of this shell: "wait" must not wait for it, nor $! change.
	( /usr/bin/python3 "$KITT_TOP/tools/testing/targetcli_server.py" "$d" $$ \
		</dev/null >"$d/log" 2>&1 & )
	while [ ! -e "$d/ready" ]; do
		if [ -e "$d/failed" ] || [ $n -eq 0 ]; then
			echo "targetcli: no server: $(tail -n 1 "$d/log")" >&2
			rm -rf "$d"
			return 1
		fi
		sleep 0.1
		n=$((n - 1))
	done
	exec {kitt_tcli_req}>"$d/req" {kitt_tcli_rep}<"$d/rep"
	kitt_tcli_dir=$d
}

targetcli() {
	local rc IFS=' '

	if [ -z "$kitt_tcli_dir" ] && [ "$BASHPID" = $$ ] &&
	   [ "${KITT_TARGETCLI_ONESHOT:-0}" != 1 ]; then
		kitt_tcli_start || kitt_tcli_dir=none
	fi
	if [ -z "$kitt_tcli_dir" ] || [ "$kitt_tcli_dir" = none ] ||
	   [ "${KITT_TARGETCLI_ONESHOT:-0}" = 1 ]; then
		command targetcli "$@"
		return
	fi
	rc=gone
	[ ! -p "$kitt_tcli_dir/req" ] || {
		flock 9
		# A server gone makes the write fail, not this shell die.
		trap '' PIPE
		if printf '%s\t%s\n' "$PWD" "$*" >&"$kitt_tcli_req" 2>/dev/null &&
		   read -r rc <&"$kitt_tcli_rep"; then
			cat "$kitt_tcli_dir/out"
			cat "$kitt_tcli_dir/err" >&2
		else
			rc=gone
		fi
		trap - PIPE
	} 9>"$kitt_tcli_dir/lock"
	if [ "$rc" = gone ]; then
		echo "targetcli: the server in $kitt_tcli_dir is gone" >&2
		exec {kitt_tcli_req}>&- {kitt_tcli_rep}<&-
		kitt_tcli_dir=none
		command targetcli "$@"
		return
	fi
	return "$rc"
}

# ra WANT AGENT ACTION ENV...: run Pacemaker's resource agent AGENT
# (resource-agents' heartbeat provider) as Pacemaker does, its parameters in
# OCF_RESKEY_* given as ENV; its exit status must be WANT. Prints the agent's
# output and how long it took.
ra() {
	local want=$1 agent=$2 action=$3 rc=0 t0=$SECONDS

	shift 3
	env OCF_ROOT=/usr/lib/ocf "$@" OCF_RESKEY_CRM_meta_timeout=120000 \
		"/usr/lib/ocf/resource.d/heartbeat/$agent" "$action" > ra.out 2>&1 || rc=$?
	sed "s/^/    $agent $action: /" ra.out
	[ "$rc" -eq "$want" ] || die "$agent $action: exit status $rc, want $want"
	log "$agent $action: $rc ($((SECONDS - t0)) s)"
}

# The directory for persistent reservations (APTPL) under the target
# core's dbroot, which rtslib moves to /etc/rtslib-fb-target on first use.
pr_dirs() {
	mkdir -p "$(cat $CFS/dbroot)/pr" /etc/rtslib-fb-target/pr
}

# Load the target core (with its dbroot and PR directory) and kitt.
kitt_load() {
	modprobe target_core_mod
	pr_dirs
	modprobe kitt
	[ -d /sys/module/kitt ] || die "kitt did not load"
}

# demo_target IQN: a target with a 16 MiB ramdisk as LUN 0 on
# 127.0.0.1:3260, in demo mode (any initiator, no authentication,
# writable), listening.
demo_target() {
	targetcli set global auto_add_default_portal=false >/dev/null
	targetcli /backstores/ramdisk create name=rd0 size=16M >/dev/null
	targetcli /iscsi create "$1" >/dev/null
	targetcli "/iscsi/$1/tpg1/luns" create /backstores/ramdisk/rd0 >/dev/null
	targetcli "/iscsi/$1/tpg1/portals" create 127.0.0.1 3260 >/dev/null
	targetcli "/iscsi/$1/tpg1" set attribute generate_node_acls=1 \
		authentication=0 demo_mode_write_protect=0 >/dev/null
	wait_listen 127.0.0.1:3260 || die "not listening"
}

# Remove every target-core object (any fabric, any backstore).
kitt_clear_config() {
	[ -d $CFS ] || return 0
	# Bounded: a session the kernel cannot end would hold it forever.
	timeout 120 targetcli clearconfig confirm=True >/dev/null 2>&1 || true
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

# Load the kernel's own iSCSI target, iscsi_target_mod, in kitt's place (to
# compare the two). kitt must be unloaded first: each refuses the other.
lio_load() {
	[ ! -d /sys/module/kitt ] || die "lio_load: kitt is loaded"
	modprobe target_core_mod
	pr_dirs
	modprobe iscsi_target_mod
	[ -d /sys/module/iscsi_target_mod ] || die "iscsi_target_mod did not load"
}

# Remove every target-core object, then iscsi_target_mod and any module
# holding it (ib_isert, cxgbit). The guest runner only cleans up kitt.
lio_unload() {
	local h

	kitt_clear_config
	for h in /sys/module/iscsi_target_mod/holders/*; do
		if [ -e "$h" ]; then
			rmmod "${h##*/}"
		fi
	done
	rmmod iscsi_target_mod
	[ ! -d /sys/module/iscsi_target_mod ] || die "iscsi_target_mod still loaded after rmmod"
}

# cfs_dump DIR OUT [META]: write the configfs tree under DIR to OUT, one
# line per entry, sorted as a tree, paths relative to DIR (the format of
# the reference dumps of iscsi_target_mod):
#   ./a/dir/
#   ./a/file = value        newlines shown as "|", other control bytes as \xNN
#   ./a/@link -> where      where: relative to DIR's parent (.../target);
#                           the link's own (random) name is replaced by @link
#   ./a/file (write-only)
# A file whose read fails shows an empty value, as in the reference dumps;
# META, if given, gets "path mode" per entry plus "read-error ERRNO" for
# those, so that modes and errors can be compared too.
cfs_dump() {
	python3 - "$@" <<'PYEOF'
import errno, os, stat, sys

root = os.path.realpath(sys.argv[1])
out = sys.argv[2]
meta = sys.argv[3] if len(sys.argv) > 3 else None
base = os.path.dirname(root)

def show(data):
    s = []
    for b in data:
        if b == 0x0a:
            s.append('|')
        elif b < 0x20 or b >= 0x7f:
            s.append('\\x%02x' % b)
        else:
            s.append(chr(b))
    return ''.join(s)

entries = []        # (sort key, dump line, meta line)

def add(rel, line, mline):
    entries.append((rel.split('/'), line, mline))

def walk(d, rel):
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        r = rel + '/' + name
        st = os.lstat(p)
        mode = '%04o' % stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            r = rel + '/@link'
            dest = os.path.relpath(os.path.realpath(p), base)
            add(r, '%s -> %s' % (r, dest), '%s link' % r)
        elif stat.S_ISDIR(st.st_mode):
            add(r, r + '/', '%s/ %s' % (r, mode))
            walk(p, r)
        elif not st.st_mode & stat.S_IRUSR:
            add(r, r + ' (write-only)', '%s %s' % (r, mode))
        else:
            try:
                with open(p, 'rb') as f:
                    val = show(f.read())
                err = ''
            except OSError as e:
                val = ''
                err = ' read-error ' + errno.errorcode.get(e.errno, str(e.errno))
            add(r, '%s = %s' % (r, val), '%s %s%s' % (r, mode, err))

add('.', './', './ %04o' % stat.S_IMODE(os.stat(root).st_mode))
walk(root, '.')
entries.sort(key=lambda e: (e[0], e[1]))
with open(out, 'w') as f:
    f.writelines(e[1] + '\n' for e in entries)
if meta:
    with open(meta, 'w') as f:
        f.writelines(e[2] + '\n' for e in entries)
PYEOF
}

# The block device of LUN $2 (default 0) of logged-in target $1 (waits up
# to 30 s).
iscsi_disk() {
	local n=300 d lun=${2:-0}

	while [ $n -gt 0 ]; do
		for d in /sys/class/iscsi_session/session*/device/target*/*:"$lun"/block/*; do
			[ -e "$d" ] || continue
			grep -qx "$1" "$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$d")")")")")/targetname" 2>/dev/null &&
				{ echo "/dev/${d##*/}"; return 0; }
		done
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# open_iscsi_verify IQN: the kernel initiator logs in to IQN on
# 127.0.0.1:3260 (demo mode), fio verifies 4 MiB of LUN 0 and it logs out:
# after a hostile peer, a normal initiator must still work.
open_iscsi_verify() {
	local dev

	modprobe sd_mod
	iscsid
	sleep 1
	iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null || die "discovery failed"
	iscsiadm -m node -T "$1" -p 127.0.0.1:3260 --login >/dev/null || die "login failed"
	dev=$(iscsi_disk "$1") || die "no disk appeared"
	fio --name=v --filename="$dev" --direct=1 --ioengine=libaio --rw=randrw \
		--bs=4k --iodepth=8 --size=4m --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --output=fio.out || { cat fio.out; die "fio verify failed"; }
	grep -q 'err= 0' fio.out || { cat fio.out; die "fio reported errors"; }
	log "open-iscsi: fio verify passed"
	iscsiadm -m node -T "$1" -p 127.0.0.1:3260 --logout >/dev/null || die "logout failed"
	iscsiadm -m node -o delete || true
	killall iscsid 2>/dev/null || true
}

# wait_no_sessions IQN: wait up to 20 s for target IQN to have no session
# left (teardown is asynchronous), then fail if one is.
wait_no_sessions() {
	local f=$ISCSI/$1/fabric_statistics/iscsi_instance/sessions n=200

	while [ $n -gt 0 ] && [ "$(cat "$f")" != 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	expect_eq "sessions of $1" "$(cat "$f")" 0
}
