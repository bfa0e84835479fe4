#!/bin/sh
# What the threat model in the README says about users, checked on real
# sessions over TCP (systemd-socket-activate on 127.0.0.1), by reading the
# serving process's ids from /proc while the session is open:
#  - started as root: root before login, the user's uid and gid (real,
#    effective, saved, fs) after it; a user mapped to uid 0 is refused;
#    before login a second, pre-login process runs as login_user; the
#    same with only the four capabilities the systemd units leave, and
#    no_new_privs;
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

iu=$(id -u imapd)
ig=$(id -g imapd)
u="$nobody,$nobody,$nobody,$nobody"
g="$nogroup,$nogroup,$nogroup,$nogroup"
# lines WHEN...: exactly these lines of $T/ids start with WHEN
only() {
	when=$1
	shift
	printf '%s\n' "$@" | sort >"$T/want"
	grep "^$when " "$T/ids" | sort >"$T/got"
	cmp -s "$T/want" "$T/got" || fail "$when login: expected
$(cat "$T/want")
got
$(cat "$T/ids")"
}

serve
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 || fail "session as root: $(cat "$T/ids")"
# Before login: the connection process (root) and the pre-login process
# (login_user imapd); after it, one process, the user.
only before "before 0,0,0,0 0,0,0,0" "before $iu,$iu,$iu,$iu $ig,$ig,$ig,$ig"
only after "after $u $g"
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

# As under the shipped units: root with only CAP_SETUID, CAP_SETGID,
# CAP_SYS_CHROOT and CAP_KILL in the bounding set, and no new privileges.
# The passwd-file (root's, 0600) is still readable, the pre-login process
# still chrooted and the user still reached.
serve setpriv --bounding-set=-all,+setuid,+setgid,+sys_chroot,+kill --inh-caps=-all --no-new-privs
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 || fail "session with four capabilities: $(cat "$T/ids")"
only before "before 0,0,0,0 0,0,0,0" "before $iu,$iu,$iu,$iu $ig,$ig,$ig,$ig"
only after "after $u $g"
# CAP_KILL is bit 5, CAP_SETGID 6, CAP_SETUID 7, CAP_SYS_CHROOT 18.
grep -qx 'caps 00000000000400e0 00000000000400e0 1' "$T/ids" || fail "capabilities before login: $(cat "$T/ids")"
stop "$pid"
pid=
# With one of them less, no session starts.
serve setpriv --bounding-set=-all,+setuid,+setgid --inh-caps=-all --no-new-privs
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 && fail "a session started without CAP_SYS_CHROOT and CAP_KILL"
stop "$pid"
pid=

# One unprivileged user for everything: empty uid and gid in the passwd-file.
printf 'demo:{PLAIN}demo::::%s/home/demo::\n' "$T" >"$T/passwd"
chown "$nobody:$nogroup" "$T/passwd" "$T/imapd.log"
serve setpriv --reuid="$nobody" --regid="$nogroup" --clear-groups
python3 "$here/privdrop.py" "$port" demo demo >"$T/ids" 2>&1 || fail "unprivileged session: $(cat "$T/ids")"
only before "before $u $g"
only after "after $u $g"
echo "privileges: ok"
