"""Benchmark of IDLE: how soon a delivery reaches an idling client, and how
a burst of deliveries is batched. Run from the top folder after `make`:

    python3 tests/bench/idle.py [ROUNDS] [BURST]

Prints the delivery-to-EXISTS latency (median, 90th percentile, max) over
ROUNDS single deliveries: lone ones (PAUSE apart, longer than the server's
least gap between syncs) and back-to-back ones with inotify, and lone ones
with the polling fallback (idle_force_poll, idle_poll_interval = 1); and for
a burst of BURST deliveries the number of EXISTS responses and the time
until the last one.
Nothing is asserted: this measures, the tests check behaviour."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients"))
from imapdtest import Server  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
BURST = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
PAUSE = 0.3
seq = 0


def deliver(maildir):
    global seq
    seq += 1
    name = "%d.M%dP%d.bench" % (time.time(), seq, os.getpid())
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "w") as f:
        f.write("Subject: bench %d\n\nbody\n" % seq)
    os.rename(tmp, os.path.join(maildir, "new", name))


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.settimeout(30)
        self.f = self.s.makefile("rb")
        self.line()
        self.cmd(b"a LOGIN demo demo")
        self.cmd(b"b SELECT INBOX")

    def line(self):
        return self.f.readline().decode().rstrip("\r\n")

    def cmd(self, text):
        tag = text.split()[0].decode()
        self.s.sendall(text + b"\r\n")
        while not self.line().startswith(tag + " "):
            pass

    def until_exists(self):
        while True:
            got = self.line()
            if got.endswith(" EXISTS"):
                return int(got.split()[1])


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


def latency(extra, rounds, pause):
    srv = Server(extra_config=extra)
    try:
        c = Client(srv.port)
        c.s.sendall(b"i IDLE\r\n")
        c.line()
        ms = []
        for _ in range(rounds):
            time.sleep(pause)
            t0 = time.monotonic()
            deliver(srv.maildir)
            c.until_exists()
            ms.append((time.monotonic() - t0) * 1000)
        c.s.sendall(b"DONE\r\n")
        return ms
    finally:
        srv.close()


def burst(n):
    srv = Server()
    try:
        c = Client(srv.port)
        c.s.sendall(b"i IDLE\r\n")
        c.line()
        t0 = time.monotonic()
        for _ in range(n):
            deliver(srv.maildir)
        t_sent = time.monotonic()
        lines, last = 0, 0
        while last < n:
            last = c.until_exists()
            lines += 1
        t_end = time.monotonic()
        c.s.sendall(b"DONE\r\n")
        return lines, (t_sent - t0) * 1000, (t_end - t0) * 1000
    finally:
        srv.close()


POLL = "idle_force_poll = yes\nidle_poll_interval = 1"
for label, extra, rounds, pause in (("inotify, lone", "", ROUNDS, PAUSE),
                                    ("inotify, back-to-back", "", ROUNDS, 0),
                                    ("poll fallback", POLL, max(5, ROUNDS // 20), PAUSE)):
    ms = latency(extra, rounds, pause)
    print("%-22s %4d deliveries: median %.2f ms, p90 %.2f ms, max %.2f ms"
          % (label, rounds, pct(ms, 0.5), pct(ms, 0.9), max(ms)))
lines, sent, end = burst(BURST)
print("burst                  %4d deliveries in %.0f ms: %d EXISTS responses, last after %.0f ms"
      % (BURST, sent, lines, end))
