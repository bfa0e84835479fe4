#!/bin/sh
# What the threat model in the README says about users, checked on real
# sessions over TCP (systemd-socket-activate on 127.0.0.1), by reading the
# serving process's ids from /proc while the session is open:
#  - started as root: root before login, the user's uid and gid (real,
#    effective, saved, fs) after it; a user mapped to uid 0 is refused;
#    the same with only CAP_SETUID and CAP_SETGID and no_new_privs, as
#    the systemd units leave it;
#  - started as an unprivileged user: that user before and after login.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
pid=
cleanup() {
	[ -n "$pid" ] && stop "$pid"
	rm -rf "$T"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || {
	echo "privileges: needs root (CI runs as root); skipped"
	exit 0
}
setup_account "$T"
nobody=$(id -u nobody)
nogroup=$(id -g nobody)
printf 'root2:{PLAIN}root2:0:0::%s/home/demo::\n' "$T" >>"$T/passwd"

serve() {
	port=$(free_port)
	# shellcheck disable=SC2068 # the launcher prefix is words on purpose
	$@ systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
		"$IMAPD_BIN" --config "$T/imapd.conf" >"$T/activate.out" 2>&1 &
	pid=$!
	wait_port "$port" || fail "no listener on $port"
}

serve
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 || fail "session as root: $(cat "$T/ids")"
grep -qx "before \\['0', '0', '0', '0'\\] \\['0', '0', '0', '0'\\]" "$T/ids" || fail "not root before login: $(cat "$T/ids")"
u="'$nobody', '$nobody', '$nobody', '$nobody'"
g="'$nogroup', '$nogroup', '$nogroup', '$nogroup'"
grep -qx "after \\[$u\\] \\[$g\\]" "$T/ids" || fail "not the user after login: $(cat "$T/ids")"
python3 - "$port" <<'EOP' || fail "uid 0 user was not refused"
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=20)
try:
    m.login("root2", "root2")
except imaplib.IMAP4.error as e:
    print("refused:", e)
    sys.exit(0)
sys.exit(1)
EOP
grep -q 'uid 0' "$T/imapd.log" || fail "the refusal of uid 0 is not logged: $(cat "$T/imapd.log")"
stop "$pid"
pid=

# As under the shipped units: root with only CAP_SETUID and CAP_SETGID in
# the bounding set, and no new privileges. The passwd-file (root's, 0600)
# is still readable, and the user is still reached.
serve setpriv --bounding-set=-all,+setuid,+setgid --inh-caps=-all --no-new-privs
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 || fail "session with two capabilities: $(cat "$T/ids")"
grep -qx "after \\[$u\\] \\[$g\\]" "$T/ids" || fail "not the user after login (two capabilities): $(cat "$T/ids")"
# CAP_SETGID is bit 6, CAP_SETUID bit 7.
grep -qx 'caps 00000000000000c0 00000000000000c0 1' "$T/ids" || fail "capabilities before login: $(cat "$T/ids")"
stop "$pid"
pid=

# One unprivileged user for everything: empty uid and gid in the passwd-file.
printf 'demo:{PLAIN}demo::::%s/home/demo::\n' "$T" >"$T/passwd"
chown "$nobody:$nogroup" "$T/passwd" "$T/imapd.log"
serve setpriv --reuid="$nobody" --regid="$nogroup" --clear-groups
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 || fail "unprivileged session: $(cat "$T/ids")"
grep -qx "before \\[$u\\] \\[$g\\]" "$T/ids" || fail "unprivileged before login: $(cat "$T/ids")"
grep -qx "after \\[$u\\] \\[$g\\]" "$T/ids" || fail "unprivileged after login: $(cat "$T/ids")"
echo "privileges: ok"
