#!/bin/sh
# imapd behind systemd-socket-activate --inetd on 127.0.0.1: a real imaplib
# session (CAPABILITY, LOGIN, NOOP, LOGOUT), then the log must show the
# peer's address and the login.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
pid=
cleanup() {
	[ -n "$pid" ] && stop "$pid"
	rm -rf "$T"
}
trap cleanup EXIT
setup_account "$T"
port=$(free_port)
systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
	"$IMAPD_BIN" --config "$T/imapd.conf" >"$T/activate.out" 2>&1 &
pid=$!
wait_port "$port" || fail "systemd-socket-activate does not listen on $port"
imap_session "$port" || fail "IMAP session through systemd-socket-activate"
sleep 0.2
grep -q 'rip=127.0.0.1.*login: method=LOGIN' "$T/imapd.log" ||
	fail "no login line with rip=127.0.0.1 in the log: $(cat "$T/imapd.log")"
grep -q 'logout: ' "$T/imapd.log" || fail "no logout line in the log"
echo "socket-activate: ok"
