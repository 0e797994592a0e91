# SPDX-License-Identifier: GPL-2.0
# timeout: 900
#
# targetcli-fb sees kitt exactly as it sees the kernel's iscsi_target_mod.
# One rich configuration is made with targetcli alone, first on kitt, then
# on iscsi_target_mod; for each: the portals listen, saveconfig ->
# clearconfig -> restoreconfig -> saveconfig gives the same file and the
# same "targetcli ls", and the configfs tree is dumped. Then kitt's saved
# configuration, "ls" and configfs tree must equal those of
# iscsi_target_mod (values in a short list excepted, see MASKS). On kitt
# alone, invalid writes and mkdirs must fail and change nothing.
#
# Every difference is collected and printed; the test fails at the end if
# there was any. The JSON files, "ls" outputs and tree dumps stay in
# $KITT_OUT/logs/targetcli-abi-*.
. "$KITT_TOP/tools/testing/tests/lib.sh"

T1=iqn.2003-01.org.example.lab:abi1
T2=iqn.2003-01.org.example.lab:abi2
I1=iqn.1994-05.com.redhat:client1
I2=iqn.1993-08.org.debian:01:client2
# Explicit unit serials: the saved files and the core's statistics name
# them, so they must not be random.
WWN_B0=5f1e8a2c-0b1d-4c3e-9a41-000000000b00
WWN_F0=5f1e8a2c-0b1d-4c3e-9a41-000000000f00
WWN_R0=5f1e8a2c-0b1d-4c3e-9a41-000000000e00
FILEIO=/var/tmp/kitt-abi-f0.img
# The portals: 3262 is in both targets (allowed across targets, shared);
# [::1]:3264 belongs to the disabled TPG and must listen all the same.
PORTALS=(127.0.0.1:3263 '[::1]:3261' 127.0.0.1:3262 '[::1]:3264')
OUT=$KITT_OUT/logs/targetcli-abi
MOD=""                  # which module is loaded: kitt or lio

PROBLEMS=()
# problem MSG: a difference or failure; the test goes on and fails at the end.
problem() {
	echo "PROBLEM: $*" >&2
	PROBLEMS+=("$*")
}

# tcli ARGS...: one targetcli command, shown with its output; a failure is
# a problem (targetcli exits 1 on any error, restoreconfig included).
# Inside tcli_batch it is only collected.
BATCH=""
tcli() {
	local out rc=0

	if [ -n "$BATCH" ]; then
		printf '%s\n' "$*" >> "$BATCH"
		return 0
	fi
	out=$(targetcli "$@" 2>&1) || rc=$?
	echo "+ targetcli $*"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
	[ $rc -eq 0 ] ||
		problem "$MOD: 'targetcli $*' failed: $(printf '%s\n' "$out" | tail -n 1)"
}

# tcli_batch FUNCTION: the targetcli commands FUNCTION gives tcli, run in
# one targetcli shell (tools/testing/targetcli_batch.py): each starts in 2
# seconds in the guest, a shell once. Each failure is a problem.
tcli_batch() {
	local out rc=0 line

	BATCH=$(mktemp)
	"$1"
	out=$(python3 "$KITT_TOP/tools/testing/targetcli_batch.py" < "$BATCH" 2>&1) || rc=$?
	rm -f "$BATCH"
	BATCH=""
	printf '%s\n' "$out"
	while IFS= read -r line; do
		problem "$MOD: 'targetcli ${line#FAILED: }'"
	done < <(printf '%s\n' "$out" | grep '^FAILED: ')
	[ $rc -eq 0 ] || printf '%s\n' "$out" | grep -q '^FAILED: ' ||
		problem "$MOD: the targetcli batch failed: $(printf '%s\n' "$out" | tail -n 1)"
}

SUMMARISED=""
summary() {
	SUMMARISED=1
	[ ${#PROBLEMS[@]} -gt 0 ] || return 0
	echo "=== ${#PROBLEMS[@]} problem(s):" >&2
	printf '  %s\n' "${PROBLEMS[@]}" >&2
}

cleanup() {
	set +e
	[ -n "$SUMMARISED" ] || summary
	# Never run targetcli with no iSCSI fabric loaded: rtslib's mkdir of
	# target/iscsi would make the core load iscsi_target_mod.
	if [ -d /sys/module/iscsi_target_mod ]; then
		kitt_clear_config
		rmmod iscsi_target_mod
	elif [ -d /sys/module/kitt ]; then
		kitt_clear_config
	fi
	[ -d /sys/module/brd ] && rmmod brd
	rm -f "$FILEIO"
}
trap cleanup EXIT

# The configuration, with targetcli only; run once per module. Every TPG
# attribute and parameter gets a non-default value in at least one TPG,
# except those kitt takes only at their default (t10_pi, fabric_prot_type
# and the ACLs' random_* offsets: no T10-PI, data only in order), which
# are set to it; validate() checks that kitt refuses the others.
build_config() {
	local t1=/iscsi/$T1 t2=/iscsi/$T2 nif1="" nif2="" nif3=""

	rm -f "$FILEIO"
	tcli /backstores/block create name=b0 dev=/dev/ram0 wwn=$WWN_B0
	tcli /backstores/fileio create name=f0 file_or_dev=$FILEIO size=32M wwn=$WWN_F0
	tcli /backstores/ramdisk create name=r0 size=16M wwn=$WWN_R0

	# Target 1, TPG 1: static ACLs with CHAP, enabled. targetcli enables a
	# new TPG and gives it the portal 0.0.0.0:3260; that one goes.
	tcli /iscsi create $T1
	tcli $t1/tpg1/portals delete 0.0.0.0 3260
	tcli $t1/tpg1/portals create 127.0.0.1 3263
	tcli $t1/tpg1/portals create ::1 3261
	tcli $t1/tpg1/luns create /backstores/block/b0 lun=0 add_mapped_luns=false
	tcli $t1/tpg1/luns create /backstores/fileio/f0 lun=1 add_mapped_luns=false
	# ACL 1 is made before the TPG's default_cmdsn_depth and default_erl
	# change, ACL 2 after: each ACL copies them when it is created.
	tcli $t1/tpg1/acls create $I1 add_mapped_luns=false
	tcli $t1/tpg1/acls/$I1 create 0 0
	tcli $t1/tpg1/acls/$I1 create 1 1
	tcli $t1/tpg1/acls/$I1 set attribute authentication=1 dataout_timeout=10 \
		dataout_timeout_retries=7 default_erl=2 nopin_response_timeout=20 \
		nopin_timeout=0 random_datain_pdu_offsets=0 random_datain_seq_offsets=0 \
		random_r2t_offsets=0
	tcli $t1/tpg1/acls/$I1 set auth userid=alice password=alicesecret12 \
		mutual_userid=tgt mutual_password=tgtsecret1234
	# netif_timeout exists on 6.1 only (the commands run later, in a
	# batch: the TPG is not there yet to look at).
	case $(uname -r) in
	6.1.*) nif1=netif_timeout=7 nif2=netif_timeout=15 nif3=netif_timeout=2 ;;
	esac
	# authentication=1 first: it rewrites AuthMethod, set after it. An
	# enabled TPG with authentication=1 gets an AuthMethod without None,
	# else restoreconfig's enable would strip it (on either module).
	tcli $t1/tpg1 set attribute authentication=1 cache_dynamic_acls=1 \
		default_cmdsn_depth=128 default_erl=1 demo_mode_discovery=0 \
		demo_mode_write_protect=0 fabric_prot_type=0 generate_node_acls=0 \
		login_keys_workaround=0 login_timeout=20 $nif1 prod_mode_write_protect=1 \
		t10_pi=0 tpg_enabled_sendtargets=0
	tcli $t1/tpg1 set parameter AuthMethod=CHAP,SRP DataDigest=CRC32C \
		DataPDUInOrder=No DataSequenceInOrder=No DefaultTime2Retain=30 \
		DefaultTime2Wait=5 ErrorRecoveryLevel=1 FirstBurstLength=131072 \
		HeaderDigest=None IFMarkInt=2048~8192 IFMarker=Yes ImmediateData=No \
		InitialR2T=No MaxBurstLength=524288 MaxConnections=4 MaxOutstandingR2T=2 \
		MaxRecvDataSegmentLength=65536 MaxXmitDataSegmentLength=131072 \
		OFMarkInt=4096~16384 OFMarker=Yes TargetAlias=kittlab
	tcli $t1/tpg1/acls create $I2 add_mapped_luns=false
	# Mapped LUN 5 -> TPG LUN 1 read-only, mapped LUN 3 -> TPG LUN 0.
	tcli $t1/tpg1/acls/$I2 create 5 1 write_protect=1
	tcli $t1/tpg1/acls/$I2 create 3 0
	tcli $t1/tpg1/acls/$I2 set attribute authentication=0 dataout_timeout=60 \
		dataout_timeout_retries=15 nopin_response_timeout=3 nopin_timeout=60
	tcli $t1/tpg1/acls/$I2 set auth userid=carol password=carolsecret12
	tcli $t1/tpg1/acls tag $I2 client2tag

	# Target 1, TPG 2: demo mode with mutual TPG CHAP, enabled.
	tcli $t1 create tpg2
	tcli $t1/tpg2/portals delete 0.0.0.0 3260
	tcli $t1/tpg2/portals create 127.0.0.1 3262
	tcli $t1/tpg2/luns create /backstores/ramdisk/r0 lun=0 add_mapped_luns=false
	tcli $t1/tpg2 set attribute authentication=1 generate_node_acls=1 \
		cache_dynamic_acls=1 default_cmdsn_depth=512 default_erl=2 \
		demo_mode_discovery=0 demo_mode_write_protect=0 fabric_prot_type=0 \
		login_keys_workaround=0 login_timeout=5 $nif2 prod_mode_write_protect=1 \
		t10_pi=0 tpg_enabled_sendtargets=0
	tcli $t1/tpg2 set parameter DataDigest=None,CRC32C HeaderDigest=CRC32C \
		DefaultTime2Wait=0 ErrorRecoveryLevel=2 MaxConnections=65535 \
		MaxRecvDataSegmentLength=16384 TargetAlias=kittdemo
	tcli $t1/tpg2 set auth userid=demo password=demosecret123 \
		mutual_userid=demotgt mutual_password=demotgtsecret1

	# Target 2, TPG 1: one-way TPG CHAP, authentication=0, disabled.
	tcli /iscsi create $T2
	tcli $t2/tpg1/portals delete 0.0.0.0 3260
	tcli $t2/tpg1/portals create 127.0.0.1 3262
	tcli $t2/tpg1/portals create ::1 3264
	tcli $t2/tpg1/luns create /backstores/ramdisk/r0 lun=3 add_mapped_luns=false
	tcli $t2/tpg1 set attribute default_cmdsn_depth=1 default_erl=2 \
		demo_mode_discovery=0 demo_mode_write_protect=0 fabric_prot_type=0 \
		login_keys_workaround=0 login_timeout=30 $nif3 prod_mode_write_protect=1 \
		t10_pi=0 tpg_enabled_sendtargets=0
	tcli $t2/tpg1 set parameter AuthMethod=None FirstBurstLength=512 \
		DefaultTime2Retain=3600 MaxBurstLength=16776192 \
		MaxRecvDataSegmentLength=16777215 MaxXmitDataSegmentLength=512 \
		MaxOutstandingR2T=65535 TargetAlias=abi2
	tcli $t2/tpg1 set auth userid=bob password=bobsecret1234
	tcli $t2/tpg1 disable

	tcli /iscsi set discovery_auth enable=1 userid=disc password=discsecret12 \
		mutual_userid=dtgt mutual_password=dtgtsecret12
}

check_listening() {
	local a

	for a in "${PORTALS[@]}"; do
		wait_listen "$a" || problem "$MOD $1: nothing listens on $a"
	done
	[ -z "$(ss -Hltn 'sport = :3260')" ] ||
		problem "$MOD $1: port 3260 listens after its portals were deleted"
}

# After clearconfig: no target, no backstore, no discovery auth, no listener.
check_cleared() {
	local left n=50

	left=$(find "$ISCSI" -mindepth 1 -maxdepth 1 -type d ! -name discovery_auth)
	[ -z "$left" ] || problem "$MOD: clearconfig left targets: $left"
	left=$(find "$CFS/core" -mindepth 1 -maxdepth 1 -type d ! -name alua)
	[ -z "$left" ] || problem "$MOD: clearconfig left backstores: $left"
	[ "$(cat "$ISCSI/discovery_auth/enforce_discovery_auth")" = 0 ] ||
		problem "$MOD: clearconfig left enforce_discovery_auth set"
	while [ -n "$(ss -Hltn 'sport >= :3261 and sport <= :3264')" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || problem "$MOD: portals still listen after clearconfig: $(ss -Hltn)"
}

# compare WHAT A B: the files must be equal; else show the diff.
compare() {
	if ! diff -u "$2" "$3" > "$2.diff"; then
		problem "$1 differ (${2##*/} vs ${3##*/})"
		echo "--- diff for: $1" >&2
		cat "$2.diff" >&2
	else
		rm -f "$2.diff"
	fi
}

# Build, check, dump, and save/clear/restore/save with the loaded module.
# Files: $OUT-$MOD{.json,-ls.txt,-tree.txt,-meta.txt} after the build,
# $OUT-$MOD-restored{...} after restoreconfig.
exercise() {
	local p=$OUT-$MOD

	log "$MOD: build the configuration with targetcli"
	tcli_batch build_config
	check_listening "after build"
	cfs_dump "$ISCSI" "$p-tree.txt" "$p-meta.txt"
	tcli saveconfig "$p.json"
	targetcli ls > "$p-ls.txt" 2>&1 || problem "$MOD: targetcli ls failed"
	cat "$p-ls.txt"

	log "$MOD: clearconfig, restoreconfig, saveconfig"
	tcli clearconfig confirm=True
	check_cleared
	tcli restoreconfig "$p.json"
	check_listening "after restoreconfig"
	tcli saveconfig "$p-restored.json"
	targetcli ls > "$p-restored-ls.txt" 2>&1 || problem "$MOD: targetcli ls failed"
	cfs_dump "$ISCSI" "$p-restored-tree.txt" "$p-restored-meta.txt"
	canon_json "$p.json" "$p.canon.json"
	canon_json "$p-restored.json" "$p-restored.canon.json"
	compare "$MOD: saved configuration before/after save+restore" \
		"$p.canon.json" "$p-restored.canon.json"
	compare "$MOD: targetcli ls before/after save+restore" "$p-ls.txt" "$p-restored-ls.txt"
}

# short STR: STR, cut to 40 characters for messages.
short() {
	if [ ${#1} -le 40 ]; then echo "$1"; else echo "${1:0:37}...(${#1} chars)"; fi
}

# bad_write FILE VALUE: writing must fail and leave FILE unchanged.
bad_write() {
	local f=$1 v=$2 before after

	before=$(cat "$f")
	if (echo "$v" > "$f") 2>/dev/null; then
		problem "kitt: writing '$(short "$v")' to ${f#"$ISCSI"/} succeeded"
	fi
	after=$(cat "$f")
	[ "$after" = "$before" ] ||
		problem "kitt: writing '$(short "$v")' changed ${f#"$ISCSI"/} from '$(short "$before")' to '$(short "$after")'"
}

# bad_mkdir DIR: mkdir must fail and leave nothing.
bad_mkdir() {
	if mkdir "$1" 2>/dev/null; then
		problem "kitt: mkdir ${1#"$ISCSI"/} succeeded"
		rmdir "$1" 2>/dev/null || true
	elif [ -e "$1" ]; then
		problem "kitt: failed mkdir ${1#"$ISCSI"/} left it there"
	fi
}

validate() {
	local tpg=$ISCSI/$T1/tpgt_1 acl=$ISCSI/$T1/tpgt_1/acls/$I2

	log "kitt: invalid values and names are refused, old values stay"
	bad_write "$tpg/attrib/login_timeout" 99
	bad_write "$tpg/attrib/login_timeout" 4
	bad_write "$tpg/attrib/default_cmdsn_depth" 0
	bad_write "$tpg/attrib/default_cmdsn_depth" 513
	bad_write "$tpg/attrib/fabric_prot_type" 2
	# kitt does no T10-PI and keeps data in order: only 0 here
	bad_write "$tpg/attrib/fabric_prot_type" 1
	bad_write "$tpg/attrib/fabric_prot_type" 3
	bad_write "$tpg/attrib/t10_pi" 1
	bad_write "$acl/attrib/random_datain_pdu_offsets" 1
	bad_write "$acl/attrib/random_datain_seq_offsets" 1
	bad_write "$acl/attrib/random_r2t_offsets" 1
	bad_write "$ISCSI/cpus_allowed_list" abc
	bad_write "$ISCSI/cpus_allowed_list" ""
	bad_write "$ISCSI/cpus_allowed_list" 0-4095
	bad_write "$tpg/attrib/authentication" 2
	bad_write "$tpg/attrib/generate_node_acls" -1
	bad_write "$tpg/attrib/default_erl" 3
	bad_write "$tpg/param/MaxRecvDataSegmentLength" 100
	bad_write "$tpg/param/MaxConnections" 0
	bad_write "$tpg/param/HeaderDigest" MD5
	bad_write "$tpg/param/DataDigest" CRC32C,
	bad_write "$tpg/param/InitialR2T" maybe
	bad_write "$tpg/param/ImmediateData" yes
	bad_write "$tpg/param/ErrorRecoveryLevel" 3
	bad_write "$tpg/param/TargetAlias" a,b
	bad_write "$tpg/param/AuthMethod" CHAP,MD5
	bad_write "$acl/attrib/dataout_timeout" 1
	bad_write "$acl/attrib/nopin_timeout" 2
	bad_write "$acl/attrib/authentication" 2
	bad_write "$acl/cmdsn_depth" 513
	# 255 characters and echo's newline: 256 bytes, one too many
	bad_write "$acl/auth/userid" "$(printf 'u%.0s' $(seq 255))"
	bad_write "$ISCSI/discovery_auth/enforce_discovery_auth" 2
	bad_mkdir "$tpg/np/1.2.3.4"
	bad_mkdir "$tpg/np/1.2.3.4:"
	bad_mkdir "$tpg/np/1.2.3.4:70000"
	bad_mkdir "$tpg/np/[::1:3260"
	bad_mkdir "$tpg/np/[::1]"
	bad_mkdir "$tpg/np/::1:3260"
	# the same portal in another TPG of the same target
	bad_mkdir "$ISCSI/$T1/tpgt_2/np/127.0.0.1:3263"
	bad_mkdir "$ISCSI/$T1/tpgt_x"
	bad_mkdir "$ISCSI/$T1/tpgt_"
	bad_mkdir "$ISCSI/$T1/tpgt_65536"
	# Nothing else moved either.
	tcli saveconfig "$OUT-kitt-validated.json"
	compare "kitt: saved configuration before/after the invalid writes" \
		"$OUT-kitt-restored.json" "$OUT-kitt-validated.json"
}

# Values compared by neither side (path regexps, on "./..." paths): only
# what is not the fabric's to decide or cannot repeat between two runs.
MASKS=(
	# identity texts: kitt names itself there (rtslib only parses the
	# "vN.N" out of lio_version)
	'^\./lio_version$'
	'/fabric_statistics/iscsi_instance/(vendor|description|version)$'
	# target_core_mod's global counters, which go on counting from the
	# kitt run into the iscsi_target_mod run (the core stays loaded): HBA
	# index, device index (also as "Device<n>" and the LUN's index), ACL
	# index; and the mapped LUN's creation time (jiffies).
	'/lun_[0-9]+/statistics/(scsi_port|scsi_tgt_port|scsi_transport)/inst$'
	'/lun_[0-9]+/statistics/(scsi_port|scsi_tgt_port|scsi_auth_intr|scsi_att_intr_port)/dev$'
	'/lun_[0-9]+/statistics/scsi_port/role$'
	'/lun_[0-9]+/statistics/scsi_auth_intr/(indx|creation_time)$'
	'/lun_[0-9]+/statistics/scsi_att_intr_port/port_auth_indx$'
)

# mask_tree IN OUT
mask_tree() {
	python3 - "$1" "$2" "${MASKS[@]}" <<'PYEOF'
import re, sys
masks = [re.compile(m) for m in sys.argv[3:]]
with open(sys.argv[1]) as f, open(sys.argv[2], 'w') as o:
    for line in f:
        path, sep, val = line.rstrip('\n').partition(' = ')
        if sep and any(m.search(path) for m in masks):
            line = path + ' = <masked>\n'
        o.write(line)
PYEOF
}

# norm_json IN OUT: sorted, with the LUN and mapped LUN "alias" replaced:
# that is the name of the LUN's symlink, which rtslib (not the kernel)
# makes up at random (uuid4) when targetcli creates a LUN; restoreconfig
# reuses the saved one, so the save/restore comparison keeps it.
norm_json() {
	python3 - "$1" "$2" <<'PYEOF'
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
for t in d.get('targets', []):
    for tpg in t.get('tpgs', []):
        for lun in tpg.get('luns', []):
            if 'alias' in lun:
                lun['alias'] = '<random>'
        for acl in tpg.get('node_acls', []):
            for m in acl.get('mapped_luns', []):
                if 'alias' in m:
                    m['alias'] = '<random>'
with open(sys.argv[2], 'w') as f:
    json.dump(d, f, sort_keys=True, indent=2)
    f.write('\n')
PYEOF
}

# canon_json IN OUT: sorted keys and sorted lists. rtslib saves objects in
# configfs directory order, which is newest first, and restoreconfig makes
# them in the saved order: so each save+restore reverses every list (on
# iscsi_target_mod as on kitt). Order carries no configuration; contents do.
canon_json() {
	python3 - "$1" "$2" <<'PYEOF'
import json, sys
def canon(x):
    if isinstance(x, dict):
        return {k: canon(v) for k, v in x.items()}
    if isinstance(x, list):
        return sorted((canon(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True))
    return x
with open(sys.argv[1]) as f:
    d = canon(json.load(f))
with open(sys.argv[2], 'w') as f:
    json.dump(d, f, sort_keys=True, indent=2)
    f.write('\n')
PYEOF
}

# Masked values that differ: shown, not counted.
show_masked() {
	diff "$1" "$2" | grep -E '^[<>]' | while read -r side path rest; do
		if printf '%s\n' "$path" | grep -qE "$(IFS='|'; echo "${MASKS[*]}")"; then
			echo "    (masked) $side $path $rest"
		fi
	done || true
}

modprobe brd rd_nr=1 rd_size=65536
n=50
while [ ! -b /dev/ram0 ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
[ -b /dev/ram0 ] || die "no /dev/ram0"

# ---- kitt ----
kitt_load
MOD=kitt
exercise
validate
log "kitt: clear and unload"
kitt_unload

# ---- iscsi_target_mod, the same configuration ----
lio_load
MOD=lio
exercise
log "iscsi_target_mod: clear and unload"
lio_unload
MOD=""

# ---- kitt against iscsi_target_mod ----
log "kitt vs iscsi_target_mod"
for s in "" -restored; do
	norm_json "$OUT-kitt$s.json" "$OUT-kitt$s.norm.json"
	norm_json "$OUT-lio$s.json" "$OUT-lio$s.norm.json"
	compare "saved configuration${s:+ after restore}, kitt vs iscsi_target_mod" \
		"$OUT-kitt$s.norm.json" "$OUT-lio$s.norm.json"
	compare "targetcli ls${s:+ after restore}, kitt vs iscsi_target_mod" \
		"$OUT-kitt$s-ls.txt" "$OUT-lio$s-ls.txt"
	mask_tree "$OUT-kitt$s-tree.txt" "$OUT-kitt$s-tree.masked.txt"
	mask_tree "$OUT-lio$s-tree.txt" "$OUT-lio$s-tree.masked.txt"
	compare "configfs tree${s:+ after restore}, kitt vs iscsi_target_mod" \
		"$OUT-kitt$s-tree.masked.txt" "$OUT-lio$s-tree.masked.txt"
	compare "configfs modes and read errors${s:+ after restore}, kitt vs iscsi_target_mod" \
		"$OUT-kitt$s-meta.txt" "$OUT-lio$s-meta.txt"
	log "masked values that differ${s:+ after restore} (not counted):"
	show_masked "$OUT-kitt$s-tree.txt" "$OUT-lio$s-tree.txt"
done

summary
[ ${#PROBLEMS[@]} -eq 0 ] ||
	die "${#PROBLEMS[@]} problem(s), see above"
log "kitt and iscsi_target_mod look the same to targetcli"
