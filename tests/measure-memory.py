"""Measures the memory of imapd sessions: the PSS (proportional set size,
from /proc/PID/smaps_rollup) of every process serving a connection, summed
per connection, for N connections held open at once in each state:

  pre-login plaintext, pre-login TLS (after the handshake),
  logged in plaintext, logged in TLS.

Each state is measured after the connections have been quiet for two
seconds (an idle relay gives memory back after RELAY_IDLE_MS). Besides the
PSS it prints its anonymous part (Pss_Anon): the memory that is the
connection's own. The rest is the connection's share of library code, which
every imapd process maps, so it falls as N grows.

Usage (from the top folder, after make):
  python3 tests/measure-memory.py [N]
As root a connection is served by the separated processes; run as another
user it is the single process of the unprivileged mode.
"""
import os
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "clients"))
from imapdtest import Server  # noqa: E402


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            if int(st[st.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(d))
    return out


def tree(pid):
    out = [pid]
    for c in children(pid):
        out += tree(c)
    return out


def pss_kb(pid, key="Pss:"):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def measure(srv, n, tls, login):
    ctx = ssl.create_default_context(cafile=srv.cert)
    listener = srv.procs[1 if tls else 0].pid
    conns = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", srv.tls_port if tls else srv.port))
        if tls:
            s = ctx.wrap_socket(s, server_hostname="localhost")
        f = s.makefile("rb")
        f.readline()
        if login:
            s.sendall(b"a LOGIN demo demo\r\nb SELECT INBOX\r\n")
            while not f.readline().startswith(b"b "):
                pass
        conns.append((s, f))
    time.sleep(2)
    pids = [p for c in children(listener) for p in tree(c)]
    total = sum(pss_kb(p) for p in pids)
    anon = sum(pss_kb(p, "Pss_Anon:") for p in pids)
    for s, _ in conns:
        s.close()
    # The next state is measured alone.
    for _ in range(1000):
        if not children(listener):
            break
        time.sleep(0.01)
    return len(pids) / n, total / n, anon / n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    srv = Server()
    try:
        print("%d connections at once; PSS per connection (all its processes)" % n)
        for tls in (False, True):
            for login in (False, True):
                procs, kb, anon = measure(srv, n, tls, login)
                print("  %-10s %-10s %3.1f processes  %6.0f kB PSS  (%4.0f kB its own)" % (
                    "TLS" if tls else "plaintext", "logged in" if login else "pre-login",
                    procs, kb, anon))
    finally:
        srv.close()


main()
