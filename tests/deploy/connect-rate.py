#!/usr/bin/env python3
"""Measures whole sessions per second against 127.0.0.1:PORT, one after the
other: connect, greeting, [LOGIN USER PASS,] LOGOUT, close. Each session is
a new imapd process, so this is the cost of a connection, start-up included.

connect-rate.py PORT [N [USER PASS]]
"""
import socket
import sys
import time


def session(port, login):
    s = socket.create_connection(("127.0.0.1", port), 10)
    f = s.makefile("rb")
    assert f.readline().startswith(b"* OK")
    if login:
        s.sendall(b"a LOGIN %s %s\r\n" % (login[0].encode(), login[1].encode()))
        while not (line := f.readline()).startswith(b"a "):
            assert line, "connection closed"
        assert line.startswith(b"a OK"), line
    s.sendall(b"b LOGOUT\r\n")
    while f.readline():
        pass
    s.close()


def main():
    port = int(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    login = sys.argv[3:5] if len(sys.argv) > 4 else None
    session(port, login)  # warm up
    t = time.monotonic()
    for _ in range(n):
        session(port, login)
    dt = time.monotonic() - t
    print("%d sessions%s in %.2f s: %.0f/s, %.2f ms each"
          % (n, " with LOGIN" if login else "", dt, n / dt, 1000 * dt / n))


if __name__ == "__main__":
    main()
