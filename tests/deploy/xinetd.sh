#!/bin/sh
# imapd under a private xinetd on 127.0.0.1 and a free port, configured from
# the shipped systemd/xinetd.imapd: a real imaplib session (CAPABILITY,
# LOGIN, NOOP, LOGOUT), two sessions at once, then xinetd is stopped.
# Then the same with the IPv4 line of systemd/inetd.conf.example, turned
# into xinetd's format by xinetd's own itox (openbsd-inetd and xinetd
# cannot be installed together).
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
pid=
cleanup() {
	[ -n "$pid" ] && stop "$pid"
	rm -rf "$T"
}
trap cleanup EXIT
command -v xinetd >/dev/null || fail "xinetd is not installed (Debian package xinetd)"
setup_account "$T"
port=$(free_port)
# The shipped service, with the test's binary, config, address and port.
{
	echo "defaults"
	echo "{"
	echo "}"
	sed -e "s|^service imap2$|service imapd-test|" \
		-e "s|/usr/sbin/imapd|$IMAPD_BIN|" \
		-e "s|^}$|	type		= UNLISTED\\
	port		= $port\\
	bind		= 127.0.0.1\\
	server_args	= --config $T/imapd.conf\\
}|" systemd/xinetd.imapd
} >"$T/xinetd.conf"
if [ "$(id -u)" != 0 ]; then
	sed -i "s/^\\(	user[[:space:]]*=\\).*/\\1 $(id -un)/" "$T/xinetd.conf"
fi
xinetd -dontfork -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid" -filelog "$T/xinetd.log" \
	>"$T/xinetd.out" 2>&1 &
pid=$!
wait_port "$port" || fail "xinetd does not listen on $port: $(cat "$T/xinetd.out" "$T/xinetd.log" 2>/dev/null)"
imap_session "$port" || fail "IMAP session through xinetd"
# Two clients at once: each gets its own imapd.
imap_session "$port" >"$T/a.out" 2>&1 &
a=$!
imap_session "$port" >"$T/b.out" 2>&1 || fail "second concurrent session: $(cat "$T/b.out")"
wait "$a" || fail "first concurrent session: $(cat "$T/a.out")"
sleep 0.2
n=$(grep -c 'login: method=LOGIN' "$T/imapd.log")
[ "$n" -eq 3 ] || fail "expected 3 logins in the log, got $n: $(cat "$T/imapd.log")"
grep -q 'rip=127.0.0.1' "$T/imapd.log" || fail "no rip=127.0.0.1 in the log"
stop "$pid"
pid=

# xinetd.conf made from the inetd.conf line; same additions for the test.
port=$(free_port)
grep -v '^#' systemd/inetd.conf.example | grep -m1 '[[:space:]]tcp[[:space:]]' |
	sed "s|/usr/sbin/imapd|$IMAPD_BIN|" | itox >"$T/itox.out" 2>&1 || fail "itox: $(cat "$T/itox.out")"
grep -q "^	server *= $IMAPD_BIN\$" "$T/itox.out" || fail "itox did not read the line: $(cat "$T/itox.out")"
{
	printf 'defaults\n{\n}\n'
	sed -e "s|^service imap2$|service imapd-inetd-test|" \
		-e "s|^}$|	type = UNLISTED\\
	port = $port\\
	bind = 127.0.0.1\\
	server_args = --config $T/imapd.conf\\
}|" "$T/itox.out"
} >"$T/xinetd2.conf"
xinetd -dontfork -f "$T/xinetd2.conf" -pidfile "$T/xinetd2.pid" -filelog "$T/xinetd2.log" \
	>"$T/xinetd2.out" 2>&1 &
pid=$!
wait_port "$port" || fail "xinetd from inetd.conf does not listen: $(cat "$T/xinetd2.conf" "$T/xinetd2.out")"
imap_session "$port" || fail "IMAP session through the inetd.conf line"
stop "$pid"
pid=
echo "xinetd: ok (xinetd.imapd and inetd.conf.example)"
