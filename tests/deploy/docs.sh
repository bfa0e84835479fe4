#!/bin/sh
# The man pages render without warnings, and imapd.conf(5) and the example
# config show every key of lib/config.c's table with the default imapd
# really uses (so they never drift); the example config itself is valid.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
trap 'rm -rf "$T"' EXIT
for page in imapd.8 lib/imapd.conf.5; do
	[ -f "$page" ] || fail "$page is missing"
	groff -man -ww -z "$page" >"$T/groff" 2>&1 || fail "groff: $page"
	[ -s "$T/groff" ] && fail "groff warns on $page: $(cat "$T/groff")"
	if command -v mandoc >/dev/null; then
		mandoc -T lint -W warning "$page" >"$T/lint" 2>&1
		[ -s "$T/lint" ] && fail "mandoc warns on $page: $(cat "$T/lint")"
	fi
	MANWIDTH=80 man -l "$page" >"$T/rendered" 2>"$T/man.err" || fail "man -l $page"
	[ -s "$T/man.err" ] && fail "man -l $page: $(cat "$T/man.err")"
	[ "$(wc -l <"$T/rendered")" -gt 20 ] || fail "$page renders almost nothing"
done

# The defaults imapd uses: --check-config over an empty file.
: >"$T/empty.conf"
env -u CREDENTIALS_DIRECTORY "$IMAPD_BIN" --check-config --config "$T/empty.conf" >"$T/defaults" ||
	fail "--check-config on an empty file"
n=0
for k in $(sh "$here/config-keys.sh"); do
	n=$((n + 1))
	line=$(grep "^$k = " "$T/defaults") || fail "--check-config does not print $k"
	# Man page entries are  .B "key = default"  (roff minus signs as \-).
	sed -n 's/^\.B "\(.*\)"$/\1/p' lib/imapd.conf.5 | sed 's/\\-/-/g' >"$T/man-entries"
	grep -qxF "$line" "$T/man-entries" || grep -qxF "${line% }" "$T/man-entries" ||
		fail "imapd.conf(5) has no entry '.B \"${line% }\"' for $k"
	grep -qxF "#${line% }" lib/imapd.conf.example || fail "lib/imapd.conf.example has no line '#${line% }'"
done
[ "$n" -gt 20 ] || fail "only $n keys found"
"$IMAPD_BIN" --check-config --config lib/imapd.conf.example >/dev/null 2>"$T/err" ||
	fail "the example config is rejected: $(cat "$T/err")"
# Every commented key = value line of the example is itself valid.
grep '^#[a-z_]* =' lib/imapd.conf.example | sed 's/^#//' >"$T/uncommented"
while IFS= read -r l; do
	printf '%s\n' "$l" >"$T/one.conf"
	"$IMAPD_BIN" --check-config --config "$T/one.conf" >/dev/null 2>"$T/err" ||
		fail "example line '$l': $(cat "$T/err")"
done <"$T/uncommented"
echo "docs: ok ($n keys in imapd.conf(5) and the example)"
