"""Privilege separation as root: who runs before and after the login, what
the pre-login process can see, the hand-over of pipelined commands, and how
a session ends when either of its two processes dies. Skipped unless root.
"""
import base64
import hashlib
import hmac
import os
import pwd
import signal
import socket
import ssl
import subprocess
import sys
import time

from imapdtest import IMAPD, Server, check

# Built with libseccomp and without the sanitizers, the filter must be on.
SECCOMP = (b"libseccomp" in subprocess.run(["ldd", IMAPD], capture_output=True).stdout
           and "build-san" not in IMAPD)


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(d))
    return out


def wait_until(cond, what, limit=20.0):
    end = time.time() + limit
    while time.time() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("never happened: " + what)


def one_child(pid):
    wait_until(lambda: len(children(pid)) == 1, "one child of %d" % pid)
    return children(pid)[0]


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except OSError:
        return False


def check_ids(pid, uid, gid, what):
    st = status(pid)
    check(st["Uid"] == [str(uid)] * 4, "%s: Uid %s, want %d" % (what, st["Uid"], uid))
    check(st["Gid"] == [str(gid)] * 4, "%s: Gid %s, want %d" % (what, st["Gid"], gid))
    check("0" not in st["Groups"] or gid == 0, "%s: no group 0: %s" % (what, st["Groups"]))


def check_prelogin(pid, srv, what):
    lu = pwd.getpwnam("imapd")
    check_ids(pid, lu.pw_uid, lu.pw_gid, what)
    check(status(pid)["Groups"] == [str(lu.pw_gid)], "%s: only its own group" % what)
    check(os.readlink("/proc/%d/root" % pid) == srv.chroot, "%s: chrooted into %s, not %s"
          % (what, srv.chroot, os.readlink("/proc/%d/root" % pid)))
    check(status(pid)["NoNewPrivs"] == ["1"], "%s: no new privileges" % what)
    if SECCOMP:
        check(status(pid)["Seccomp"] == ["2"], "%s: system call filter" % what)


def read_until(f, tag):
    lines = []
    while True:
        line = f.readline()
        check(line, "connection closed before %r; got %r" % (tag, lines))
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines


def tagged(lines, tag):
    return [l for l in lines if l.startswith(tag + b" ")]


PIPELINED = b"a LOGIN demo demo\r\nb SELECT INBOX\r\nc NOOP\r\n"


def pipelined(f, send):
    send(PIPELINED)
    lines = read_until(f, b"c")
    for t in (b"a", b"b", b"c"):
        got = tagged(lines, t)
        check(got and got[0].startswith(t + b" OK"), "%s answered OK: %r" % (t, lines))


def scram_client(send, f, user, password, final=b""):
    cnonce = base64.b64encode(os.urandom(18)).decode()
    first_bare = "n=%s,r=%s" % (user, cnonce)
    send(b"s AUTHENTICATE SCRAM-SHA-256 " + base64.b64encode(("n,," + first_bare).encode())
         + b"\r\n")
    line = f.readline()
    check(line.startswith(b"+ "), "server-first: %r" % line)
    server_first = base64.b64decode(line[2:].strip()).decode()
    attrs = dict(a.split("=", 1) for a in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]),
                                 int(attrs["i"]))
    ckey = hmac.new(salted, b"Client Key", "sha256").digest()
    final_bare = "c=biws,r=" + attrs["r"]
    auth_msg = ",".join([first_bare, server_first, final_bare]).encode()
    sig = hmac.new(hashlib.sha256(ckey).digest(), auth_msg, "sha256").digest()
    proof = bytes(a ^ b for a, b in zip(ckey, sig))
    send(base64.b64encode((final_bare + ",p=" + base64.b64encode(proof).decode()).encode())
         + b"\r\n")
    line = f.readline()
    check(line.startswith(b"+ "), "server-final: %r" % line)
    skey = hmac.new(salted, b"Server Key", "sha256").digest()
    want = "v=" + base64.b64encode(hmac.new(skey, auth_msg, "sha256").digest()).decode()
    check(base64.b64decode(line[2:].strip()).decode() == want, "server signature")
    send(final + b"\r\n")
    line = f.readline()
    if final:
        check(line.startswith(b"s BAD"), "SCRAM with a non-empty last answer: %r" % line)
        return
    check(line.startswith(b"s OK"), "SCRAM login: %r" % line)


if os.geteuid() != 0:
    # Started as an unprivileged user: one process, no fork, as that user.
    srv = Server()
    try:
        s = socket.create_connection(("127.0.0.1", srv.port))
        f = s.makefile("rb")
        check(f.readline().startswith(b"* OK"), "greeting")
        conn = one_child(srv.procs[0].pid)
        check(children(conn) == [], "no pre-login process when unprivileged")
        pipelined(f, s.sendall)
        check_ids(conn, os.geteuid(), os.getegid(), "unprivileged session")
        check(children(conn) == [], "still one process after login")
        s.close()
    finally:
        srv.close()
    print("privsep.py: root-only checks skipped (privilege separation needs root); "
          "unprivileged mode ok")
    sys.exit(0)

srv = Server()
srv.chroot = os.path.join(srv.dir, "prelogin-root")
with open(srv.config, "a") as cf:
    cf.write("login_chroot = %s\nauth_mechanisms = PLAIN SCRAM-SHA-256\n" % srv.chroot)
line = subprocess.run([IMAPD, "--hash", "--scheme", "SCRAM-SHA-256", "scram"], input=b"pencil\n",
                      capture_output=True, check=True).stdout.decode().strip()
with open(os.path.join(srv.dir, "passwd"), "a") as pf:
    pf.write("%s:%d:%d::%s::\n" % (line, srv.uid, srv.gid, srv.home))
plain_listener, tls_listener = srv.procs[0].pid, srv.procs[1].pid


def tls_connection():
    """A new implicit-TLS client, greeted; with its connection process and
    that one's pre-login process."""
    t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", srv.tls_port)),
                        server_hostname="localhost")
    f = t.makefile("rb")
    check(f.readline().startswith(b"* OK"), "greeting over TLS")
    conn = one_child(tls_listener)
    return t, f, conn, one_child(conn)


ctx = ssl.create_default_context(cafile=srv.cert)
try:
    # Plaintext: before the login, root waits and the sandboxed child talks.
    s = socket.create_connection(("127.0.0.1", srv.port))
    f = s.makefile("rb")
    check(f.readline().startswith(b"* OK"), "greeting")
    conn = one_child(plain_listener)
    pre = one_child(conn)
    check_ids(conn, 0, 0, "privileged process before login")
    check_prelogin(pre, srv, "pre-login process")
    st = os.stat(srv.chroot)
    check(st.st_uid == 0 and (st.st_mode & 0o7777) == 0o755 and not os.listdir(srv.chroot),
          "login_chroot created root-owned, 0755, empty")
    # Commands pipelined after LOGIN survive the hand-over.
    pipelined(f, s.sendall)
    check_ids(conn, srv.uid, srv.gid, "session after plaintext login")
    check(status(conn)["Groups"] == [str(srv.gid)], "session after plaintext login: a virtual user has its gid alone: %s"
          % status(conn)["Groups"])
    wait_until(lambda: not children(conn), "pre-login process gone after a plaintext login")
    s.sendall(b"z LOGOUT\r\n")
    check(tagged(read_until(f, b"z"), b"z")[0].startswith(b"z OK"), "logout")
    s.close()

    # Implicit TLS: the pre-login process stays on as the relay.
    t, f, conn, pre = tls_connection()
    check_prelogin(pre, srv, "pre-login process over TLS")
    pipelined(f, t.sendall)
    check_ids(conn, srv.uid, srv.gid, "session after TLS login")
    check(status(conn)["Groups"] == [str(srv.gid)], "session after TLS login: a virtual user has its gid alone: %s"
          % status(conn)["Groups"])
    check(children(conn) == [pre], "the pre-login process is the relay")
    check_prelogin(pre, srv, "relay")
    # Idle for longer than RELAY_IDLE_MS, the relay gives its buffers back;
    # a message larger than them still crosses intact both ways.
    time.sleep(1.5)
    body = b"".join(b"line %05d of a message larger than the relay's buffers\r\n" % i
                    for i in range(1200))
    msg = b"Subject: big\r\n\r\n" + body
    t.sendall(b"d APPEND INBOX {%d+}\r\n" % len(msg) + msg + b"\r\n")
    check(tagged(read_until(f, b"d"), b"d")[0].startswith(b"d OK"), "APPEND after idle")
    time.sleep(1.5)
    t.sendall(b"e FETCH * BODY.PEEK[]\r\n")
    lines = read_until(f, b"e")
    check(b"".join(lines[:-1]).find(msg) >= 0, "FETCH after idle returns the message intact")
    # A killed relay ends the session: no process is left waiting.
    os.kill(pre, signal.SIGKILL)
    wait_until(lambda: not alive(conn), "session exits when its relay is killed")
    check(f.readline() == b"", "client sees the end of the connection")
    t.close()

    # SCRAM whose last, empty answer does not come: no login, no hand-over.
    t, f, conn, pre = tls_connection()
    scram_client(t.sendall, f, "scram", "pencil", final=b"eA==")
    t.sendall(b"n SELECT INBOX\r\n")
    check(f.readline().startswith(b"n BAD"), "still not logged in")
    check_ids(conn, 0, 0, "privileged process after an unfinished SCRAM")
    check(children(conn) == [pre], "the pre-login process still serves")
    t.sendall(b"l LOGIN demo demo\r\n")
    check(f.readline().startswith(b"l OK"), "a login after the unfinished SCRAM")
    check_ids(conn, srv.uid, srv.gid, "session after it")
    f.close()  # the socket stays open while its file object does
    t.close()

    # A killed session takes its relay along.
    t, f, conn, pre = tls_connection()
    scram_client(t.sendall, f, "scram", "pencil")
    check_ids(conn, srv.uid, srv.gid, "session after SCRAM login")
    t.sendall(b"n NOOP\r\n")
    check(f.readline().startswith(b"n OK"), "NOOP after SCRAM")
    os.kill(conn, signal.SIGKILL)
    wait_until(lambda: not alive(pre), "relay exits when its session is killed")
    t.close()

    # A client that hangs up ends both processes.
    t, f, conn, pre = tls_connection()
    pipelined(f, t.sendall)
    f.close()
    t.close()
    wait_until(lambda: not alive(conn) and not alive(pre), "both end when the client leaves")

    # STARTTLS, then pipelined commands after LOGIN through the relay.
    s = socket.create_connection(("127.0.0.1", srv.port))
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"t STARTTLS\r\n")
    check(f.readline().startswith(b"t OK"), "STARTTLS")
    t = ctx.wrap_socket(s, server_hostname="localhost")
    f = t.makefile("rb")
    pipelined(f, t.sendall)
    t.sendall(b"z LOGOUT\r\n")
    check(tagged(read_until(f, b"z"), b"z")[0].startswith(b"z OK"), "logout after STARTTLS")
    t.close()

    # Failed logins: the same log lines, the BYE after the last one.
    s = socket.create_connection(("127.0.0.1", srv.port))
    f = s.makefile("rb")
    f.readline()
    for n in (1, 2, 3):
        s.sendall(b"f%d LOGIN demo wrong\r\n" % n)
        check(f.readline().startswith(b"f%d NO [AUTHENTICATIONFAILED]" % n), "failure %d" % n)
    check(f.readline().startswith(b"* BYE"), "BYE after too many failures")
    check(f.readline() == b"", "closed after too many failures")
    s.close()
    log = srv.log_text()
    for n in (1, 2, 3):
        check("authentication failed: user=<demo> rip=127.0.0.1 reason=password attempt=%d" % n
              in log, "failure line %d in the log" % n)
    check("disconnected: too many failed logins rip=127.0.0.1" in log, "too many failures logged")
    check("login: method=AUTHENTICATE tls" in log, "SCRAM login logged")
finally:
    srv.close()

# A mailbox with the login user's uid is refused.
srv = Server(extra_config="login_user = nobody")
try:
    s = socket.create_connection(("127.0.0.1", srv.port))
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"a LOGIN demo demo\r\n")
    line = f.readline()
    check(line.startswith(b"a NO [SERVERBUG]"), "login refused: %r" % line)
    s.close()
    wait_until(lambda: "has the uid of login_user" in srv.log_text(), "refusal logged")
finally:
    srv.close()
print("privsep.py: ok")
