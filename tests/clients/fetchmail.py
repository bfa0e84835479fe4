"""fetchmail collects mail from imapd over implicit TLS and over STARTTLS,
verifying the certificate, and hands each message to an MDA that writes it
to a numbered file.

fetchmail delivers with LF line ends and puts its own Received: header on
top; everything after that header must be the original message, byte for
byte (with LF for CRLF)."""
import imaplib
import os
import re
import ssl
import subprocess

from imapdtest import Server, check

MSGS = {}
for i in range(1, 11):
    body = b"".join(b"Line %d of message %d.\r\n" % (n, i) for n in range(i * 3))
    MSGS[i] = (b"From: Sender %d <s%d@example.org>\r\nTo: demo@example.net\r\n"
               b"Subject: fetch %d\r\nMessage-ID: <fetch-%d@example.org>\r\n"
               b"X-Folded: a header\r\n\tfolded over two lines\r\n\r\n" % (i, i, i, i) + body)
MSGS[4] = (b"From: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>\r\nTo: demo@example.net\r\n"
           b"Subject: fetch 4\r\nMessage-ID: <fetch-4@example.org>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           b"Gr\xc3\xbc\xc3\x9fe, \xe2\x82\xac 5.\r\nFrom the start of a line.\r\n.\r\n..\r\n"
           b"  trailing spaces  \r\n")
MSGS[6] = (b"From: Big <big@example.org>\r\nTo: demo@example.net\r\nSubject: fetch 6\r\n"
           b"Message-ID: <fetch-6@example.org>\r\n\r\n"
           + b"".join(b"%07d a line of a large message, one megabyte or so in all\r\n" % n
                      for n in range(16000)))
SEEN = {2, 5, 9}  # already read: fetchmail leaves them unless told fetchall

srv = Server()
try:
    ctx = ssl.create_default_context(cafile=srv.cert)

    def imap():
        m = imaplib.IMAP4_SSL("localhost", srv.tls_port, ssl_context=ctx)
        m.login("demo", "demo")
        return m

    m = imap()
    m.create("Work")
    for i in range(1, 11):
        folder = "Work" if i == 10 else "INBOX"
        typ, _ = m.append(folder, "(\\Seen)" if i in SEEN else None, None, MSGS[i])
        check(typ == "OK", "append %d" % i)
    m.logout()

    work = os.path.join(srv.dir, "fetchmail")
    out = os.path.join(work, "out")
    os.makedirs(out)
    deliver = os.path.join(work, "deliver")
    with open(deliver, "w") as f:
        f.write('#!/bin/sh\nn=$(ls "$1" | wc -l)\ncat > "$1/$n.eml.tmp" && mv "$1/$n.eml.tmp" "$1/$n.eml"\n')
    os.chmod(deliver, 0o755)

    def fetchmail(name, port, options):
        rc = os.path.join(work, name)
        with open(rc, "w") as f:
            f.write('set no syslog\npoll localhost proto IMAP port %d user demo password demo\n'
                    '  sslcertck sslcertfile "%s" mda "%s %s" %s\n'
                    % (port, srv.cert, deliver, out, options))
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=work, FETCHMAILHOME=work)
        r = subprocess.run(["fetchmail", "-v", "-f", rc], capture_output=True, timeout=120, env=env)
        return r.returncode, (r.stdout + r.stderr).decode(errors="replace")

    def delivered():
        """The delivered files, in order, less fetchmail's Received: header."""
        files = sorted(os.listdir(out), key=lambda n: int(n.split(".")[0]))
        check(all(n.endswith(".eml") for n in files), "MDA finished every file: %r" % files)
        msgs = []
        for name in files:
            with open(os.path.join(out, name), "rb") as f:
                data = f.read()
            m = re.match(rb"Received: [^\n]*\n(?:[ \t][^\n]*\n)*", data)
            check(m and b"fetchmail" in m.group(0), "%s starts with a Received: header: %r"
                  % (name, data[:300]))
            msgs.append(data[m.end():])
        return msgs

    def server_state(folder):
        m = imap()
        typ, data = m.select(folder, readonly=True)
        if data == [b"0"]:
            m.logout()
            return {}
        typ, data = m.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        m.logout()
        out = {}
        for item in data:
            if isinstance(item, tuple):
                n = int(re.search(rb"fetch-(\d+)@", item[1]).group(1))
                out[n] = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
        return out

    # 1. Implicit TLS, keep: the seven unread INBOX messages arrive, in
    # order, and are \Seen on the server afterwards; nothing is deleted.
    code, log = fetchmail("rc1", srv.tls_port, "ssl keep")
    check(code == 0, "fetchmail over implicit TLS: exit %d\n%s" % (code, log[-3000:]))
    check("SSL/TLS: using protocol TLSv1.3" in log, "TLS 1.3 in use: %s" % log[-3000:])
    got = delivered()
    unread = [i for i in range(1, 10) if i not in SEEN]
    check(len(got) == len(unread), "delivered %d, want %d" % (len(got), len(unread)))
    for i, data in zip(unread, got):
        check(data == MSGS[i].replace(b"\r\n", b"\n"), "message %d byte for byte: %r" % (i, data[:300]))
    state = server_state("INBOX")
    check(sorted(state) == list(range(1, 10)), "all kept: %r" % state)
    check(all("\\Seen" in f for f in state.values()), "all \\Seen now: %r" % state)

    # 2. STARTTLS (required through sslproto): no new mail, exit code 1.
    code, log = fetchmail("rc2", srv.port, "sslproto tls1.2+ keep")
    check(code == 1, "no new mail: exit %d\n%s" % (code, log[-3000:]))
    check("STARTTLS" in log and "SSL/TLS: using protocol TLSv1.3" in log,
          "STARTTLS used: %s" % log[-3000:])
    check(len(os.listdir(out)) == len(unread), "nothing more delivered")

    # 3. STARTTLS, fetchall and no keep, from INBOX and Work: everything is
    # delivered, and deleted (expunged) on the server.
    code, log = fetchmail("rc3", srv.port,
                          "sslproto tls1.2+ fetchall nokeep folder INBOX,Work")
    check(code == 0, "fetchall over STARTTLS: exit %d\n%s" % (code, log[-3000:]))
    got = delivered()
    check(len(got) == len(unread) + 10, "delivered %d" % len(got))
    order = unread + list(range(1, 11))
    for i, data in zip(order, got):
        check(data == MSGS[i].replace(b"\r\n", b"\n"), "message %d again: %r" % (i, data[:300]))
    check(server_state("INBOX") == {} and server_state("Work") == {}, "server folders empty")
    for d in (srv.maildir, os.path.join(srv.maildir, ".Work")):
        left = os.listdir(os.path.join(d, "cur")) + os.listdir(os.path.join(d, "new"))
        check(left == [], "no files left in %s: %r" % (d, left))
finally:
    srv.close()
print("fetchmail: all checks passed")
