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
