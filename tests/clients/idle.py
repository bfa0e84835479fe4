"""IDLE over implicit TLS with python's imaplib: a delivery by an MDA, a
flag change by another client, and a burst of 1,000 deliveries that must
reach the client as far fewer EXISTS responses with the right final count.

imaplib has no IDLE helper, so IDLE and DONE are sent by hand. The socket
timeout is only a generous bound on waiting; nothing here measures time."""
import imaplib
import os
import socket
import ssl

from imapdtest import Server, check

BURST = 1000
WAIT = 20  # seconds: fails only when a response never comes


def deliver(maildir, name, text):
    """Delivers the way an MDA does: write in tmp/, rename into new/."""
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(maildir, "new", name))


def line(m):
    got = m.readline()
    check(got, "connection closed")
    return got.decode().rstrip("\r\n")


srv = Server()
try:
    ctx = ssl.create_default_context(cafile=srv.cert)
    m = imaplib.IMAP4_SSL("127.0.0.1", srv.tls_port, ssl_context=ctx)
    check(m.login("demo", "demo")[0] == "OK", "login")
    check("IDLE" in m.capability()[1][0].decode().split(), "IDLE advertised")
    check(m.select("INBOX")[0] == "OK", "select")
    m.sock.settimeout(WAIT)

    m.send(b"t1 IDLE\r\n")
    check(line(m) == "+ idling", "continuation")
    deliver(srv.maildir, "100.M1P1.mda", "Subject: one\n\nbody\n")
    check(line(m) == "* 1 EXISTS", "EXISTS for the delivery")
    check(line(m) == "* 1 RECENT", "RECENT for the delivery")

    # Another client sets a flag: the idling one is told.
    other = imaplib.IMAP4("127.0.0.1", srv.port)
    check(other.login("demo", "demo")[0] == "OK", "second login")
    check(other.select("INBOX")[0] == "OK", "second select")
    check(other.store("1", "+FLAGS", "(\\Flagged)")[0] == "OK", "second store")
    got = line(m)
    check(got.startswith("* 1 FETCH (UID 1 FLAGS (") and "\\Flagged" in got,
          "FETCH FLAGS for the other client's change: %r" % got)

    # A burst of deliveries.
    for i in range(BURST):
        deliver(srv.maildir, "%d.M%dP2.mda" % (200 + i, i), "Subject: %d\n\nbody\n" % i)
    exists = []
    last = 1
    while last < BURST + 1:
        got = line(m)
        if got.endswith(" EXISTS"):
            n = int(got.split()[1])
            check(last < n <= BURST + 1, "EXISTS counts rise to %d: %r" % (BURST + 1, got))
            exists.append(n)
            last = n
        else:
            check(got.endswith(" RECENT"), "only EXISTS and RECENT: %r" % got)
    check(len(exists) < 100, "%d EXISTS for %d deliveries" % (len(exists), BURST))
    check(os.listdir(os.path.join(srv.maildir, "new")) == [], "new/ emptied")

    m.send(b"DONE\r\n")
    got = line(m)
    while got.startswith("* "):
        check(got.endswith(" RECENT"), "nothing else before the end: %r" % got)
        got = line(m)
    check(got == "t1 OK IDLE terminated", "tagged OK: %r" % got)
    check(m.noop()[0] == "OK", "session carries on")

    # IDLE, DONE split in two and the next command as TLS records sent at once.
    for piece in (b"t2 IDLE\r\n", b"DO", b"NE\r\n", b"t3 NOOP\r\n"):
        m.sock.sendall(piece)
    check(line(m) == "+ idling", "continuation (records)")
    check(line(m) == "t2 OK IDLE terminated", "DONE over two records")
    check(line(m).startswith("t3 OK"), "command after DONE")

    # A full TLS record (16 KiB) arriving behind 5 buffered bytes does not fit
    # the server's input buffer: its last bytes, with the line end, stay in
    # the TLS layer and must be read without the socket showing them.
    m.sock.sendall(b"t4 IDLE\r\n")
    check(line(m) == "+ idling", "continuation (full record)")
    m.sock.sendall(b"x" * 5)
    m.sock.sendall(b"y" * 16383 + b"\n")
    check(line(m) == "t4 BAD Expected DONE to end IDLE", "line end in the TLS layer")
    check(m.noop()[0] == "OK", "session carries on after BAD")
    typ, data = m.status("INBOX", "(MESSAGES)")
    check(typ == "OK" and b"MESSAGES %d" % (BURST + 1) in data[0], "STATUS: %r" % data)
    other.logout()
    m.logout()
except socket.timeout:
    raise AssertionError("no response within %d seconds" % WAIT)
finally:
    srv.close()
