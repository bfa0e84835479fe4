#!/bin/sh
# imapd under tcpserver (ucspi-tcp) on 127.0.0.1, as the README shows it:
# a real imaplib session (CAPABILITY, LOGIN, NOOP, LOGOUT).
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
pid=
cleanup() {
	[ -n "$pid" ] && stop "$pid"
	rm -rf "$T"
}
trap cleanup EXIT
command -v tcpserver >/dev/null || fail "tcpserver is not installed (Debian package ucspi-tcp)"
setup_account "$T"
port=$(free_port)
tcpserver -v -R -H -l 0 -c 512 127.0.0.1 "$port" \
	"$IMAPD_BIN" --config "$T/imapd.conf" >"$T/tcpserver.out" 2>&1 &
pid=$!
wait_port "$port" || fail "tcpserver does not listen on $port: $(cat "$T/tcpserver.out")"
imap_session "$port" || fail "IMAP session through tcpserver"
sleep 0.2
grep -q 'rip=127.0.0.1.*login: method=LOGIN' "$T/imapd.log" ||
	fail "no login line with rip=127.0.0.1: $(cat "$T/imapd.log")"
echo "tcpserver: ok"
