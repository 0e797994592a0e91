# SPDX-License-Identifier: GPL-2.0
# timeout: 600
#
# CHAP through open-iscsi and libiscsi: one-way and mutual, each CHAP_A
# (MD5, SHA-1, SHA-256, SHA3-256), ACL and demo-mode (TPG) credentials,
# discovery authentication. Right secrets log in; a wrong name, secret or
# target secret is refused as an authentication failure, and counted;
# no secret ever reaches the kernel log.
. "$KITT_TOP/tools/testing/tests/lib.sh"

IQN=iqn.2003-01.org.example.lab:chap
TPG=/iscsi/$IQN/tpg1
INAME=$(sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi)
[ -n "$INAME" ] || die "no open-iscsi initiator name"
LIBISCSI=iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test
USER=chapuser
SECRET=initiator-secret-1
MUSER=chaptarget
MSECRET=target-secret-12
STATS=$ISCSI/$IQN/fabric_statistics/iscsi_login_stats

kitt_load
modprobe sd_mod
targetcli set global auto_add_default_portal=false >/dev/null
targetcli /backstores/ramdisk create name=rd0 size=16M >/dev/null
targetcli /iscsi create "$IQN" >/dev/null
targetcli "$TPG/luns" create /backstores/ramdisk/rd0 >/dev/null
targetcli "$TPG/portals" create 127.0.0.1 3260 >/dev/null
targetcli "$TPG" set attribute authentication=1 generate_node_acls=0 >/dev/null
for i in "$INAME" "$LIBISCSI"; do
	targetcli "$TPG/acls" create "$i" >/dev/null
	targetcli "$TPG/acls/$i" set auth userid=$USER password=$SECRET >/dev/null
done
wait_listen 127.0.0.1:3260 || die "not listening"

iscsid
sleep 1
iscsiadm -m discovery -t st -p 127.0.0.1:3260 >/dev/null || die "discovery failed"

node_set() {	# node_set KEY VALUE
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 -o update -n "$1" -v "$2"
}

creds() {	# creds USER SECRET [USER_IN SECRET_IN]
	node_set node.session.auth.authmethod CHAP
	node_set node.session.auth.username "$1"
	node_set node.session.auth.password "$2"
	# open-iscsi asks the target to prove itself when these are set.
	node_set node.session.auth.username_in "${3:-}"
	node_set node.session.auth.password_in "${4:-}"
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 > rec.out
	grep -q "^node.session.auth.username_in = ${3:-<empty>}\$" rec.out ||
		{ grep auth rec.out; die "node record: username_in not '${3:-}'"; }
}

login_ok() {	# login_ok WHAT
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login > login.out 2>&1 ||
		{ cat login.out; die "$1: login failed"; }
	iscsi_disk "$IQN" >/dev/null || die "$1: no disk"
	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout >/dev/null ||
		die "$1: logout failed"
}

# The target refuses: open-iscsi reports an authorization failure (24).
login_refused() {	# login_refused WHAT
	local rc=0

	iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login > login.out 2>&1 || rc=$?
	[ $rc -ne 0 ] || { iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout; die "$1: logged in"; }
	grep -q "authorization failure" login.out || { cat login.out; die "$1: not an authentication failure"; }
}

# The initiator refuses the target (mutual CHAP, wrong target secret).
login_fails() {	# login_fails WHAT
	if iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --login > login.out 2>&1; then
		iscsiadm -m node -T "$IQN" -p 127.0.0.1:3260 --logout
		die "$1: logged in"
	fi
}

log "no CHAP configured on the initiator: refused"
login_refused "AuthMethod=None with authentication=1"

for alg in MD5 SHA1 SHA256 SHA3-256; do
	log "one-way CHAP with $alg"
	node_set node.session.auth.chap_algs $alg
	creds $USER $SECRET
	login_ok "one-way $alg"
done
node_set node.session.auth.chap_algs SHA3-256,SHA256,SHA1,MD5

log "wrong secret, wrong name: refused alike, and counted"
before=$(cat "$STATS/authenticate_fails")
creds $USER wrong-secret-123
login_refused "wrong secret"
creds someoneelse $SECRET
login_refused "wrong name"
after=$(cat "$STATS/authenticate_fails")
[ "$after" -ge $((before + 2)) ] || die "authenticate_fails $before -> $after"

log "mutual CHAP"
targetcli "$TPG/acls/$INAME" set auth mutual_userid=$MUSER mutual_password=$MSECRET >/dev/null
for alg in MD5 SHA3-256; do
	node_set node.session.auth.chap_algs $alg
	creds $USER $SECRET $MUSER $MSECRET
	login_ok "mutual $alg"
done
node_set node.session.auth.chap_algs SHA3-256,SHA256,SHA1,MD5
creds $USER $SECRET $MUSER wrong-target-secret
login_fails "mutual with the wrong target secret"
log "mutual configured, initiator content with one-way"
creds $USER $SECRET
login_ok "one-way beside a mutual secret"

log "libiscsi through CHAP (MD5)"
iscsi-inq -i "$LIBISCSI" "iscsi://$USER%$SECRET@127.0.0.1/$IQN/0" > inq.out 2>&1 ||
	{ cat inq.out; die "iscsi-inq with CHAP failed"; }
grep -q "Product" inq.out || { cat inq.out; die "iscsi-inq printed no INQUIRY data"; }
if iscsi-inq -i "$LIBISCSI" "iscsi://$USER%nottheone12@127.0.0.1/$IQN/0" > inq.out 2>&1; then
	die "iscsi-inq with a wrong secret got in"
fi

log "demo mode: the TPG's credentials"
targetcli "$TPG/acls" delete "$INAME" >/dev/null
targetcli "$TPG" set attribute generate_node_acls=1 >/dev/null
targetcli "$TPG" set auth userid=demouser password=demo-secret-12 >/dev/null
creds demouser demo-secret-12
login_ok "demo mode with TPG credentials"
creds $USER $SECRET
login_refused "demo mode with the ACL's old credentials"

log "discovery authentication"
targetcli /iscsi set discovery_auth enable=1 userid=discuser password=disc-secret-12 >/dev/null
iscsiadm -m node -o delete
if iscsiadm -m discovery -t st -p 127.0.0.1:3260 > disc.out 2>&1; then
	die "discovery without CHAP got in"
fi
disc() {	# disc USER SECRET: a SendTargets discovery with CHAP
	local db="iscsiadm -m discoverydb -t st -p 127.0.0.1:3260"

	$db -o new >/dev/null 2>&1 || true
	$db -o update -n discovery.sendtargets.auth.authmethod -v CHAP
	$db -o update -n discovery.sendtargets.auth.username -v "$1"
	$db -o update -n discovery.sendtargets.auth.password -v "$2"
	$db --discover > disc.out 2>&1
}
disc discuser disc-secret-12 || { cat disc.out; die "discovery with CHAP failed"; }
grep -q "$IQN" disc.out || { cat disc.out; die "discovery with CHAP listed nothing"; }
disc discuser wrong-secret-1 && die "discovery with a wrong secret got in"
targetcli /iscsi set discovery_auth enable=0 >/dev/null

log "no secret in the kernel log"
if dmesg | grep -e "$SECRET" -e "$MSECRET" -e demo-secret -e disc-secret -e wrong-secret; then
	die "a secret reached the kernel log"
fi

iscsiadm -m node -o delete 2>/dev/null || true
iscsiadm -m discoverydb -t st -p 127.0.0.1:3260 -o delete 2>/dev/null || true
killall iscsid
kitt_unload
