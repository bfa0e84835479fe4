#!/bin/sh
# The TLS key as a systemd credential, the way imaps@.service hands it over:
# imapd.conf says  tls_key = $CREDENTIALS_DIRECTORY/tls.key  and the
# launcher sets CREDENTIALS_DIRECTORY (systemd-socket-activate -E here).
# Checked with real TLS clients on 127.0.0.1: imapd --tls (port 993 style)
# and STARTTLS, each with LOGIN, NOOP, LOGOUT and the certificate verified;
# without the variable the key is not found and the log says so.
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
mkdir -m 700 "$T/creds"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=localhost -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
	-keyout "$T/creds/tls.key" -out "$T/cert.pem" >"$T/openssl.out" 2>&1 ||
	fail "openssl: $(cat "$T/openssl.out")"
printf 'tls_cert = %s\n' "$T/cert.pem" >>"$T/imapd.conf"
# shellcheck disable=SC2016 # the variable is for imapd to expand
printf 'tls_key = $CREDENTIALS_DIRECTORY/tls.key\n' >>"$T/imapd.conf"

# serve [--tls]: one launcher with the credentials folder in the environment.
serve() {
	port=$(free_port)
	systemd-socket-activate --inetd -a -l "127.0.0.1:$port" -E "CREDENTIALS_DIRECTORY=$T/creds" \
		"$IMAPD_BIN" "$@" --config "$T/imapd.conf" >"$T/activate.out" 2>&1 &
	pid=$!
	wait_port "$port" || fail "no listener on $port"
}

client() {
	python3 - "$1" "$2" "$T/cert.pem" <<'EOP'
import imaplib, ssl, sys
port, mode, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
if mode == "implicit":
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=20)
else:
    m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    assert "STARTTLS" in m.capabilities, m.capabilities
    typ, data = m.starttls(ssl_context=ctx)
    assert typ == "OK", data
print(mode, m.sock.version(), m.sock.cipher()[0])
typ, data = m.login("demo", "demo")
assert typ == "OK", data
assert m.noop()[0] == "OK"
assert m.logout()[0] == "BYE"
EOP
}

serve --tls
client "$port" implicit || fail "imapd --tls with the key from CREDENTIALS_DIRECTORY"
stop "$pid"
serve
client "$port" starttls || fail "STARTTLS with the key from CREDENTIALS_DIRECTORY"
stop "$pid"
pid=
n=$(grep -c 'login: method=LOGIN tls' "$T/imapd.log")
[ "$n" -eq 2 ] || fail "expected 2 TLS logins in the log, got $n: $(cat "$T/imapd.log")"

# Without the variable the value stays as written, and no key is found.
port=$(free_port)
systemd-socket-activate --inetd -a -l "127.0.0.1:$port" \
	"$IMAPD_BIN" --tls --config "$T/imapd.conf" >"$T/activate.out" 2>&1 &
pid=$!
wait_port "$port" || fail "no listener on $port"
client "$port" implicit >"$T/nocred.out" 2>&1 && fail "TLS worked without the credentials folder"
sleep 0.2
grep -q 'CREDENTIALS_DIRECTORY/tls.key' "$T/imapd.log" ||
	fail "the log does not name the missing key: $(tail -3 "$T/imapd.log")"
echo "tls-credentials: ok"
