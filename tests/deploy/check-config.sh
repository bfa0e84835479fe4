#!/bin/sh
# imapd --check-config: a good file prints every key of the table and exits
# 0; an unknown key or a bad value exits non-zero naming file and line on
# stderr; $CREDENTIALS_DIRECTORY/ in a value comes from the environment.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
trap 'rm -rf "$T"' EXIT
keys=$(sh "$here/config-keys.sh")
[ -n "$keys" ] || fail "no keys found in lib/config.c"

printf '# comment\n\nmail_location = /var/vmail/%%d/%%n\n  auth_max_failures=5  \nplaintext_auth = no\n' >"$T/good.conf"
"$IMAPD_BIN" --check-config --config "$T/good.conf" >"$T/out" 2>"$T/err" ||
	fail "good config rejected: $(cat "$T/err")"
[ -s "$T/err" ] && fail "good config wrote to stderr: $(cat "$T/err")"
for k in $keys; do
	grep -q "^$k = " "$T/out" || fail "--check-config does not print $k"
done
[ "$(wc -l <"$T/out")" -eq "$(echo "$keys" | wc -w)" ] || fail "extra lines: $(cat "$T/out")"
grep -qx 'mail_location = /var/vmail/%d/%n' "$T/out" || fail "mail_location not applied"
grep -qx 'auth_max_failures = 5' "$T/out" || fail "auth_max_failures not applied"
grep -qx 'plaintext_auth = no' "$T/out" || fail "plaintext_auth not applied"

# bad FILE LINE-CONTENT EXPECTED-LINE-NUMBER REASON-PATTERN
bad() {
	printf 'log_ident = imapd\n%s\n' "$1" >"$T/bad.conf"
	if "$IMAPD_BIN" --check-config --config "$T/bad.conf" >"$T/out" 2>"$T/err"; then
		fail "accepted: $1"
	fi
	grep -q "$T/bad.conf:2: .*$2" "$T/err" || fail "for '$1' stderr was: $(cat "$T/err")"
	[ -s "$T/out" ] && fail "printed a configuration for '$1'"
	:
}
bad 'no_such_key = 1' 'unknown key "no_such_key"'
bad 'auth_max_failures = many' 'auth_max_failures: expected a whole number'
bad 'auth_max_failures = 0' 'auth_max_failures: out of range'
bad 'treat_loopback_as_remote = maybe' 'expected yes or no'
bad 'plaintext_auth = sometimes' 'not one of the allowed values'
bad 'passdb = ldap' 'expected passwd-file, pam or checkpassword'
bad 'just words' 'expected "key = value"'

"$IMAPD_BIN" --check-config --config "$T/missing.conf" >/dev/null 2>"$T/err" && fail "missing file accepted"
grep -q "$T/missing.conf" "$T/err" || fail "missing file not named: $(cat "$T/err")"

# The credentials folder systemd gives a service; the $ is meant literally.
# shellcheck disable=SC2016
printf 'tls_key = $CREDENTIALS_DIRECTORY/tls.key\n' >"$T/cred.conf"
CREDENTIALS_DIRECTORY=/run/credentials/imaps@7.service "$IMAPD_BIN" --check-config \
	--config "$T/cred.conf" >"$T/out" 2>"$T/err" || fail "credential config: $(cat "$T/err")"
grep -qx 'tls_key = /run/credentials/imaps@7.service/tls.key' "$T/out" || fail "not expanded: $(grep tls_key "$T/out")"
env -u CREDENTIALS_DIRECTORY "$IMAPD_BIN" --check-config --config "$T/cred.conf" >"$T/out" 2>&1 ||
	fail "credential config without the variable"
# shellcheck disable=SC2016
grep -qx 'tls_key = $CREDENTIALS_DIRECTORY/tls.key' "$T/out" || fail "changed without the variable"
echo "check-config: ok ($(echo "$keys" | wc -w) keys)"
