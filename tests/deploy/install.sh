#!/bin/sh
# make install into a DESTDIR: the exact file list, modes, units naming the
# installed binary, an existing config left alone, and SYSCONFDIR honoured.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
trap 'rm -rf "$T"' EXIT
# Runs make in the source tree, outside the make that runs the tests.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "$@" >"$T/make.out" 2>&1 ||
		fail "make $*: $(cat "$T/make.out")"
}
D="$T/dest"
mk install DESTDIR="$D" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d
(cd "$D" && find . -type f | sort) >"$T/files"
cat >"$T/expected" <<'EOL'
./etc/imapd/imapd.conf
./lib/systemd/system/imapd.socket
./lib/systemd/system/imapd@.service
./lib/systemd/system/imaps.socket
./lib/systemd/system/imaps@.service
./usr/lib/sysusers.d/imapd.conf
./usr/sbin/imapd
./usr/share/doc/imapd/README
./usr/share/doc/imapd/examples/fail2ban-imapd.conf
./usr/share/doc/imapd/examples/imapd.conf.example
./usr/share/doc/imapd/examples/inetd.conf.example
./usr/share/doc/imapd/examples/xinetd.imapd
./usr/share/man/man5/imapd.conf.5
./usr/share/man/man8/imapd.8
EOL
diff "$T/expected" "$T/files" >"$T/diff" || fail "installed files differ: $(cat "$T/diff")"
[ -x "$D/usr/sbin/imapd" ] || fail "imapd is not executable"
"$D/usr/sbin/imapd" --version | grep -q '^imapd ' || fail "installed imapd --version"
grep -v '^\./usr/sbin/' "$T/files" | while IFS= read -r f; do
	m=$(stat -c %a "$D/$f")
	[ "$m" = 644 ] || fail "$f has mode $m, not 644"
done || exit 1
grep -qx 'ExecStart=/usr/sbin/imapd' "$D/lib/systemd/system/imapd@.service" || fail "imapd@.service ExecStart"
grep -qx 'ExecStart=/usr/sbin/imapd --tls' "$D/lib/systemd/system/imaps@.service" || fail "imaps@.service ExecStart"
cmp -s lib/imapd.conf.example "$D/etc/imapd/imapd.conf" || fail "the installed config is not the example"
"$D/usr/sbin/imapd" --check-config --config "$D/etc/imapd/imapd.conf" >/dev/null || fail "installed config invalid"
# The sysusers.d file makes login_user, as systemd-sysusers does at boot.
systemd-sysusers --root="$D" imapd.conf >"$T/sysusers.out" 2>&1 || fail "systemd-sysusers: $(cat "$T/sysusers.out")"
grep -q '^imapd:x:[0-9]*:[0-9]*:imapd pre-login:/nonexistent:/usr/sbin/nologin$' "$D/etc/passwd" ||
	fail "sysusers made no imapd user: $(cat "$D/etc/passwd" "$T/sysusers.out")"
grep -q '^imapd:x:' "$D/etc/group" || fail "sysusers made no imapd group"
rm -f "$D/etc/passwd" "$D/etc/group" "$D/etc/shadow" "$D/etc/gshadow" "$D/etc/passwd-" "$D/etc/group-"
MANPATH="$D/usr/share/man" man -w imapd.conf >/dev/null 2>&1 || fail "man cannot find imapd.conf(5) in MANPATH"

# A second install keeps the admin's config.
echo 'auth_max_failures = 5' >"$D/etc/imapd/imapd.conf"
mk install DESTDIR="$D" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d
grep -qx 'auth_max_failures = 5' "$D/etc/imapd/imapd.conf" || fail "re-install overwrote the config"

# Default prefix /usr/local, another SYSCONFDIR: the units pass --config.
D2="$T/dest2"
mk install DESTDIR="$D2" SYSCONFDIR=/usr/local/etc SYSTEMDUNITDIR=/usr/local/lib/systemd/system
[ -f "$D2/usr/local/etc/imapd/imapd.conf" ] || fail "config not under SYSCONFDIR"
[ -x "$D2/usr/local/sbin/imapd" ] || fail "imapd not under PREFIX/sbin"
[ -f "$D2/usr/local/share/man/man8/imapd.8" ] || fail "imapd.8 not under PREFIX/share/man"
grep -qx 'ExecStart=/usr/local/sbin/imapd --config /usr/local/etc/imapd/imapd.conf --tls' \
	"$D2/usr/local/lib/systemd/system/imaps@.service" || fail "imaps@.service with SYSCONFDIR"
grep -q '/usr/local/sbin/imapd' "$D2/usr/local/share/doc/imapd/examples/xinetd.imapd" ||
	fail "xinetd example does not name the installed binary"
# Without SYSTEMDUNITDIR the folder comes from systemd's pkg-config file.
u=$(pkg-config --variable=systemdsystemunitdir systemd) || fail "pkg-config systemd"
D3="$T/dest3"
mk install DESTDIR="$D3"
[ -f "$D3$u/imapd.socket" ] || fail "units not in $u"
echo "install: ok ($(wc -l <"$T/files") files)"
