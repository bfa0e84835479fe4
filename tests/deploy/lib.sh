# Shared by the deployment tests: a throw-away account, free ports, a client.
# Sourced, not run. Needs IMAPD_BIN (the imapd to test) and T (a temp dir).

top=$(pwd)
case "${IMAPD_BIN:=build/imapd}" in
/*) ;;
*) IMAPD_BIN="$top/$IMAPD_BIN" ;;
esac
export IMAPD_BIN
here="$top/tests/deploy"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# setup_account DIR: user demo, password demo ({PLAIN}), a Maildir, a config
# logging to DIR/imapd.log. As root the sessions run as "nobody".
setup_account() {
	d=$1
	mkdir -p "$d/home/demo/Maildir/cur" "$d/home/demo/Maildir/new" "$d/home/demo/Maildir/tmp"
	chmod 755 "$d" "$d/home"
	if [ "$(id -u)" = 0 ]; then
		# The pre-login processes run as login_user "imapd".
		sh "$top/tests/login-user" || fail "cannot create the user imapd"
		uid=$(id -u nobody)
		gid=$(id -g nobody)
		chown -R "$uid:$gid" "$d/home/demo"
	else
		uid=$(id -u)
		gid=$(id -g)
	fi
	printf 'demo:{PLAIN}demo:%s:%s::%s/home/demo::\n' "$uid" "$gid" "$d" >"$d/passwd"
	chmod 600 "$d/passwd"
	cat >"$d/imapd.conf" <<EOC
passwd_file = $d/passwd
mail_location = %h/Maildir
log_path = $d/imapd.log
auth_fail_delay_ms = 0
EOC
	: >"$d/imapd.log"
}

# free_port: prints a TCP port on 127.0.0.1 that nobody listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: waits up to 10 s until 127.0.0.1:PORT accepts.
wait_port() {
	python3 - "$1" <<'EOP'
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOP
}

# imap_session PORT: CAPABILITY, LOGIN demo/demo, NOOP, LOGOUT with imaplib.
imap_session() {
	python3 "$here/client.py" 127.0.0.1 "$1" demo demo
}

# stop PID: ends a process this test started, and waits for it.
stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null || :
}
