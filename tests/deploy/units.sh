#!/bin/sh
# The systemd units: `systemd-analyze verify` must pass with no output at
# all (ExecStart pointed at the built imapd, the man pages of Documentation=
# findable), `systemd-analyze security --offline=true` must rate both
# services "OK" or better, and both services must carry the same hardening.
set -u
T=$(mktemp -d)
. tests/deploy/lib.sh
trap 'rm -rf "$T"' EXIT
U="$T/units"
mkdir -p "$U" "$T/man/man8" "$T/man/man5"
cp imapd.8 "$T/man/man8/"
cp lib/imapd.conf.5 "$T/man/man5/"
for u in imapd.socket imapd@.service imaps.socket imaps@.service; do
	sed "s|/usr/sbin/imapd|$IMAPD_BIN|" "systemd/$u" >"$U/$u"
done
grep -q "^ExecStart=$IMAPD_BIN --tls\$" "$U/imaps@.service" || fail "imaps@.service does not run imapd --tls"
cd "$U" || exit 1
MANPATH="$T/man" systemd-analyze verify ./imapd.socket ./imapd@.service \
	./imaps.socket ./imaps@.service >"$T/verify" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify")"
[ -s "$T/verify" ] && fail "systemd-analyze verify warns: $(cat "$T/verify")"
cd "$top" || exit 1

for s in imapd@.service imaps@.service; do
	systemd-analyze security --offline=true --no-pager "$U/$s" >"$T/sec" 2>&1 ||
		fail "systemd-analyze security $s: $(cat "$T/sec")"
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' "$T/sec")
	[ -n "$level" ] || fail "no exposure level for $s: $(tail -3 "$T/sec")"
	case "${level#* }" in
	OK | PERFECT | SAFE) ;;
	*) fail "$s exposure is $level" ;;
	esac
	echo "$s exposure: $level"
done

# What the units promise (see imapd(8)).
for s in imapd@.service imaps@.service; do
	for d in StandardInput=socket StandardOutput=socket StandardError=journal \
		NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes PrivateDevices=yes \
		ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
		ProtectControlGroups=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
		SystemCallFilter=@system-service SystemCallArchitectures=native LockPersonality=yes \
		MemoryDenyWriteExecute=yes RestrictRealtime=yes RestrictSUIDSGID=yes \
		RestrictNamespaces=yes 'CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_SYS_CHROOT CAP_KILL' \
		'SystemCallFilter=chroot seccomp' RuntimeDirectory=imapd/empty RuntimeDirectoryPreserve=yes \
		'ReadWritePaths=-/home -/var/vmail' StateDirectory=imapd; do
		grep -qxF "$d" "systemd/$s" || fail "$s lacks $d"
	done
done
for s in imapd.socket imaps.socket; do
	for d in Accept=yes MaxConnections= MaxConnectionsPerSource=; do
		grep -q "^$d" "systemd/$s" || fail "$s lacks $d"
	done
done
grep -qx 'ListenStream=143' systemd/imapd.socket || fail "imapd.socket is not on 143"
grep -qx 'ListenStream=993' systemd/imaps.socket || fail "imaps.socket is not on 993"
grep -qx 'LoadCredential=tls.key:/etc/imapd/tls.key' systemd/imaps@.service || fail "imaps@ LoadCredential"
# The [Service] settings other than ExecStart and the credential are the same.
for s in imapd@.service imaps@.service; do
	sed -n '/^\[Service\]/,$p' "systemd/$s" | grep -v -e '^#' -e '^$' -e '^ExecStart=' -e '^LoadCredential=' >"$T/$s.hard"
done
diff "$T/imapd@.service.hard" "$T/imaps@.service.hard" >"$T/diff" || fail "hardening differs: $(cat "$T/diff")"
echo "units: ok"
