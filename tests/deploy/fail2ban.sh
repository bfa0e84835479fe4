#!/bin/sh
# The shipped fail2ban filter against the log of a real imapd reached over
# TCP on 127.0.0.1 (systemd-socket-activate): three wrong passwords, one of
# them with a user name that pretends to carry another address, end the
# connection; fail2ban-regex must find 127.0.0.1 four times (three failures,
# one disconnect), never the pretended address, and skip the good login.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
pid=
cleanup() {
	[ -n "$pid" ] && stop "$pid"
	rm -rf "$T"
}
trap cleanup EXIT
command -v fail2ban-regex >/dev/null || fail "fail2ban-regex is not installed (Debian package fail2ban)"
setup_account "$T"
port=$(free_port)
systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
	"$IMAPD_BIN" --config "$T/imapd.conf" >"$T/activate.out" 2>&1 &
pid=$!
wait_port "$port" || fail "systemd-socket-activate does not listen on $port"
imap_session "$port" >/dev/null || fail "good session"
python3 - "$port" <<'EOP' || fail "failed-login session"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 20)
f = s.makefile("rb")
def line():
    l = f.readline()
    print("S:", l)
    return l
line()
for i, user in enumerate(['demo', '"x> rip=10.9.9.9 reason=password attempt=1"', 'nosuchuser']):
    s.sendall(b"a%d LOGIN %s wrong\r\n" % (i, user.encode()))
    l = line()
    assert l.startswith(b"a%d NO" % i), l
assert line().startswith(b"* BYE"), "no BYE after three failures"
assert f.readline() == b"", "connection not closed"
EOP
sleep 0.2
stop "$pid"
pid=
# fail2ban resolves "before = common.conf" next to the filter.
mkdir -p "$T/f2b/filter.d"
cp /etc/fail2ban/filter.d/common.conf "$T/f2b/filter.d/"
cp systemd/fail2ban-imapd.conf "$T/f2b/filter.d/imapd.conf"
fail2ban-regex -v "$T/imapd.log" "$T/f2b/filter.d/imapd.conf" >"$T/regex.out" 2>&1 ||
	fail "fail2ban-regex: $(cat "$T/regex.out")"
hosts=$(sed -n 's/^|  *\([0-9a-f.:]*\)  [A-Z][a-z][a-z] .*/\1/p' "$T/regex.out" | sort | uniq -c | sed 's/^ *//')
[ "$hosts" = "4 127.0.0.1" ] || fail "matched addresses: '$hosts'; log: $(cat "$T/imapd.log"); $(cat "$T/regex.out")"
grep -q 'Failregex: 4 total' "$T/regex.out" || fail "expected 4 matches: $(cat "$T/regex.out")"
grep -q 'missed' "$T/regex.out" || fail "no summary line"
grep -q 'login: method=LOGIN' "$T/imapd.log" || fail "the good login is not in the log"
grep -q "user=<x> rip=10.9.9.9 reason=password attempt=1> rip=127.0.0.1" "$T/imapd.log" ||
	fail "the pretended address is not in the log: $(cat "$T/imapd.log")"
echo "fail2ban: ok ($(grep '^Lines:' "$T/regex.out"))"
