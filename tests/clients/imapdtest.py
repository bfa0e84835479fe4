"""Shared set-up for the end-to-end tests with real clients.

Each test gets a temporary directory with a passwd-file, a Maildir home and
a config, and imapd served by systemd-socket-activate on 127.0.0.1 (one
process per connection, exactly as in production).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

IMAPD = os.path.abspath(os.environ.get("IMAPD_BIN", "build/imapd"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, extra_config="", tls=False):
        # As root imapd runs the pre-login phase as login_user "imapd".
        subprocess.run(["sh", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                           "..", "login-user")], check=True)
        self.dir = tempfile.mkdtemp(prefix="imapd-e2e-")
        os.chmod(self.dir, 0o755)
        self.uid = 65534 if os.geteuid() == 0 else os.geteuid()
        self.gid = 65534 if os.geteuid() == 0 else os.getegid()
        self.home = os.path.join(self.dir, "home", "demo")
        os.makedirs(self.home)
        os.chmod(os.path.join(self.dir, "home"), 0o755)
        os.chown(self.home, self.uid, self.gid)
        self.maildir = os.path.join(self.home, "Maildir")
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("demo:{PLAIN}demo:%d:%d::%s::\n" % (self.uid, self.gid, self.home))
        self.log = os.path.join(self.dir, "log")
        open(self.log, "w").close()
        self.cert = os.path.join(self.dir, "cert.pem")
        self.key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True)
        self.config = os.path.join(self.dir, "imapd.conf")
        with open(self.config, "w") as f:
            f.write("passwd_file = %s/passwd\nmail_location = %%h/Maildir\n"
                    "log_path = %s\nauth_fail_delay_ms = 0\n"
                    "tls_cert = %s\ntls_key = %s\n%s\n"
                    % (self.dir, self.log, self.cert, self.key, extra_config))
        self.procs = []
        self.port = self.listen(tls=False)
        self.tls_port = self.listen(tls=True)

    def listen(self, tls):
        port = free_port()
        argv = ["systemd-socket-activate", "--inetd", "-a", "-l", "127.0.0.1:%d" % port,
                IMAPD, "--config", self.config] + (["--tls"] if tls else [])
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("listener did not start")

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def close(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def spawn(config, env=None):
    """imapd on one end of a socketpair, as inetd would start it.
    Returns (Raw client, Popen)."""
    a, b = socket.socketpair()
    p = subprocess.Popen([IMAPD, "--config", config], stdin=b, stdout=b,
                         stderr=subprocess.DEVNULL, close_fds=True, env=env)
    b.close()
    return Raw(a), p


class Raw:
    """A minimal IMAP client over a connected socket: literals are read whole,
    every line the server sent is kept."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.n = 0

    def _fill(self, timeout=30):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            raise EOFError
        self.buf += data

    def line(self, timeout=30):
        """One response line with its literals inlined (bytes, no CRLF)."""
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill(timeout)
            ln, self.buf = self.buf.split(b"\r\n", 1)
            out += ln
            if not ln.endswith(b"}") or b"{" not in ln:
                return out
            size = int(ln[ln.rindex(b"{") + 1:-1].rstrip(b"+"))
            while len(self.buf) < size:
                self._fill(timeout)
            out += b"\r\n" + self.buf[:size]
            self.buf = self.buf[size:]

    def drain(self):
        """Every complete line the server sent before it went away."""
        lines = []
        try:
            while True:
                lines.append(self.line(timeout=10))
        except (EOFError, OSError):
            pass
        return lines

    def send(self, data):
        self.sock.sendall(data)

    def tag(self):
        self.n += 1
        return b"t%d" % self.n

    def cmd(self, text, timeout=60):
        """Sends one command; returns (untagged lines, tagged line)."""
        t = self.tag()
        self.send(t + b" " + text + b"\r\n")
        return self.wait(t, timeout)

    def wait(self, t, timeout=60):
        lines = []
        while True:
            ln = self.line(timeout)
            if ln.startswith(t + b" "):
                return lines, ln
            lines.append(ln)

    def ok(self, text, timeout=60):
        lines, tagged = self.cmd(text, timeout)
        check(tagged.split(b" ")[1] == b"OK", "%r -> %r" % (text, tagged))
        return lines

    def close(self):
        self.sock.close()


def read_uidlist(path):
    """Parses a dovecot-uidlist (version 3). Returns (uidvalidity, nextuid,
    {base: uid}); raises AssertionError when the header or a complete record
    line is damaged or the UIDs do not ascend. An unfinished last line (a
    writer died mid-line) is allowed, as the format allows it."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the file ends in a newline
    del tail
    check(lines, "uidlist %s is empty" % path)
    head = lines[0].split(b" ")
    check(head[0] == b"3", "uidlist header %r" % lines[0])
    fields = {h[:1]: h[1:] for h in head[1:]}
    check(b"V" in fields and b"N" in fields, "uidlist header %r" % lines[0])
    uidvalidity, nextuid = int(fields[b"V"]), int(fields[b"N"])
    recs, last = {}, 0
    for ln in lines[1:]:
        if not ln:
            continue
        check(b" :" in ln or ln.split(b" ", 1)[1].startswith(b":"),
              "uidlist record %r" % ln)
        uid = int(ln.split(b" ", 1)[0])
        base = ln[ln.index(b":") + 1:].decode()
        check(uid > last, "uidlist UIDs do not ascend at %r" % ln)
        check(base not in recs, "uidlist names %s twice" % base)
        recs[base] = uid
        last = uid
    return uidvalidity, max(nextuid, last + 1), recs


def maildir_files(folder):
    """Message files of a Maildir folder: [(sub, name, base, flags, bytes)]."""
    out = []
    for sub in ("cur", "new"):
        d = os.path.join(folder, sub)
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                data = f.read()
            base, _, info = name.partition(":")
            out.append((sub, name, base, info[2:] if info.startswith("2,") else "", data))
    return out
