"""curl as an IMAP client, over STARTTLS (imap:// with --ssl-reqd) and
implicit TLS (imaps://), verifying the server certificate: list, upload
(APPEND), fetch by UID and by section, search, custom commands; every
message fetched back is compared byte for byte with what was uploaded."""
import imaplib
import os
import re
import ssl
import subprocess

from imapdtest import Server, check

# Messages with CRLF line ends, as IMAP carries them: a plain one, one with
# 8-bit UTF-8 text, and a larger one (about 300 KB) that spans many reads.
MSGS = [
    b"From: Alice <alice@example.org>\r\nTo: demo@example.net\r\n"
    b"Subject: curl one\r\nMessage-ID: <c1@example.org>\r\n\r\nFirst body.\r\n",
    b"From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.org>\r\nTo: demo@example.net\r\n"
    b"Subject: curl two\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln \xe2\x80\x94 caf\xc3\xa9.\r\n.\r\n..leading dots\r\n",
    b"From: Carol <carol@example.org>\r\nTo: demo@example.net\r\n"
    b"Subject: curl three\r\n\r\n"
    + b"".join(b"line %06d of a long message, padded to be long enough.\r\n" % i
               for i in range(5000)),
]

srv = Server()
try:
    base_tls = "imaps://localhost:%d/" % srv.tls_port
    base_st = "imap://localhost:%d/" % srv.port

    def curl(url, *args, starttls=False, user="demo:demo", ok=True):
        argv = ["curl", "-sS", "--max-time", "30", "--cacert", srv.cert, "-u", user]
        if starttls:
            argv.append("--ssl-reqd")
        r = subprocess.run(argv + list(args) + [url], capture_output=True, timeout=60)
        if ok:
            check(r.returncode == 0, "curl %s %r: exit %d, %r" % (url, args, r.returncode, r.stderr))
        return r

    # LIST over both kinds of TLS: the special-use folders of a new account.
    for base, st in ((base_st, True), (base_tls, False)):
        out = curl(base, starttls=st).stdout
        names = re.findall(rb'^\* LIST \(([^)]*)\) "/" (\S+)\r?$', out, re.M)
        got = sorted(n for _, n in names)
        check(got == sorted([b"INBOX", b"Archive", b"Drafts", b"Junk", b"Sent", b"Trash"]),
              "LIST via %s: %r" % (base, out))
        check((b"\\HasNoChildren \\Sent", b"Sent") in names, "special use of Sent: %r" % out)

    # A custom command on the server: CREATE a nested folder; LIST shows it.
    curl(base_tls, "-X", 'CREATE "Work/2026"')
    out = curl(base_st, starttls=True).stdout
    check(re.search(rb'^\* LIST \([^)]*\) "/" Work/2026\r?$', out, re.M), "created: %r" % out)

    # Upload (APPEND): two over STARTTLS, one over implicit TLS.
    tmp = os.path.join(srv.dir, "upload")
    for i, msg in enumerate(MSGS):
        with open(tmp, "wb") as f:
            f.write(msg)
        if i < 2:
            curl(base_st + "INBOX", "-T", tmp, starttls=True)
        else:
            curl(base_tls + "INBOX", "-T", tmp)
    with open(tmp, "wb") as f:
        f.write(MSGS[1])
    curl(base_tls + "Work%2F2026", "-T", tmp)

    # Fetch each one back by UID, over both kinds of TLS: byte for byte.
    for uid, msg in enumerate(MSGS, 1):
        got = curl(base_tls + "INBOX;UID=%d" % uid).stdout
        check(got == msg, "UID %d over implicit TLS: %d bytes, want %d" % (uid, len(got), len(msg)))
        got = curl(base_st + "INBOX;UID=%d" % uid, starttls=True).stdout
        check(got == msg, "UID %d over STARTTLS: %d bytes, want %d" % (uid, len(got), len(msg)))
    got = curl(base_tls + "Work%2F2026;UID=1").stdout
    check(got == MSGS[1], "message in Work/2026: %r" % got[:200])

    # Remove UID 1 with imaplib so that UIDs and sequence numbers differ.
    ctx = ssl.create_default_context(cafile=srv.cert)
    m = imaplib.IMAP4_SSL("localhost", srv.tls_port, ssl_context=ctx)
    m.login("demo", "demo")
    m.select("INBOX")
    typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
    check(typ == "OK" and len(data) == 3 and all(b"\\Seen" in d for d in data),
          "uploads are \\Seen (curl appends with \\Seen): %r" % data)
    m.uid("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    check(m.expunge()[1] == [b"1"], "expunge UID 1")
    m.logout()

    got = curl(base_tls + "INBOX;UID=3").stdout
    check(got == MSGS[2], "UID 3 is sequence 2 now: %r" % got[:100])
    r = curl(base_tls + "INBOX;UID=1", ok=False)
    check(r.returncode == 78, "expunged UID 1 not found: exit %d %r" % (r.returncode, r.stderr))
    got = curl(base_tls + "INBOX;MAILINDEX=1").stdout
    check(got == MSGS[1], "sequence number 1 is UID 2: %r" % got[:100])

    # Sections: header and text of UID 2, split at the blank line.
    head, text = MSGS[1].split(b"\r\n\r\n", 1)
    got = curl(base_st + "INBOX/;UID=2/;SECTION=HEADER", starttls=True).stdout
    check(got == head + b"\r\n\r\n", "SECTION=HEADER: %r" % got)
    got = curl(base_tls + "INBOX/;UID=2/;SECTION=TEXT").stdout
    check(got == text, "SECTION=TEXT: %r" % got)
    # A partial fetch (curl's PARTIAL): the first 100 bytes of UID 3.
    got = curl(base_tls + "INBOX/;UID=3/;PARTIAL=0.100").stdout
    check(got == MSGS[2][:100], "PARTIAL=0.100: %r" % got)

    # UIDVALIDITY in the URL: the right one fetches, a wrong one is refused.
    out = curl(base_tls + "INBOX", "-X", "EXAMINE INBOX").stdout
    uidv = re.search(rb"UIDVALIDITY (\d+)", out).group(1).decode()
    got = curl(base_tls + "INBOX;UIDVALIDITY=%s/;UID=2" % uidv).stdout
    check(got == MSGS[1], "fetch with the right UIDVALIDITY")
    r = curl(base_tls + "INBOX;UIDVALIDITY=%d/;UID=2" % (int(uidv) + 1), ok=False)
    check(r.returncode == 78 and b"UIDVALIDITY" in r.stderr,
          "a wrong UIDVALIDITY is noticed: %d %r" % (r.returncode, r.stderr))

    # Searches: with -X (UID SEARCH) and curl's own ?query form (SEARCH).
    out = curl(base_tls + "INBOX", "-X", "UID SEARCH SUBJECT \"curl t\"").stdout
    check(out.strip() == b"* SEARCH 2 3", "UID SEARCH SUBJECT: %r" % out)
    out = curl(base_st + "INBOX", "-X", "UID SEARCH BODY \"long message\"",
               starttls=True).stdout
    check(out.strip() == b"* SEARCH 3", "UID SEARCH BODY: %r" % out)
    out = curl(base_tls + "INBOX", "-X", "UID SEARCH HEADER Message-ID c1@example.org").stdout
    check(out.strip() == b"* SEARCH", "expunged message not found: %r" % out)
    out = curl(base_tls + "INBOX?LARGER%2010000").stdout
    check(out.strip() == b"* SEARCH 2", "?LARGER 10000 (sequence numbers): %r" % out)
    out = curl(base_tls + "INBOX", "-X", "UID SEARCH ALL").stdout
    check(out.strip() == b"* SEARCH 2 3", "UID SEARCH ALL: %r" % out)

    # A message uploaded with LF line ends comes back with CRLF.
    with open(tmp, "wb") as f:
        f.write(MSGS[0].replace(b"\r\n", b"\n"))
    curl(base_tls + "Drafts", "-T", tmp)
    got = curl(base_st + "Drafts;UID=1", starttls=True).stdout
    check(got == MSGS[0], "LF upload fetched with CRLF: %r" % got)

    # The Maildir: INBOX holds the two remaining messages, stored with LF.
    cur = os.path.join(srv.maildir, "cur")
    stored = sorted(open(os.path.join(cur, n), "rb").read() for n in os.listdir(cur))
    want = sorted(msg.replace(b"\r\n", b"\n") for msg in MSGS[1:])
    check(stored == want, "files in INBOX/cur: %r" % [len(s) for s in stored])

    # Failures: a wrong password, an untrusted certificate, STARTTLS demanded.
    r = curl(base_tls, user="demo:wrong", ok=False)
    check(r.returncode == 67, "wrong password: exit %d" % r.returncode)
    r = subprocess.run(["curl", "-sS", "--max-time", "30", "-u", "demo:demo", base_tls],
                       capture_output=True, timeout=60)
    check(r.returncode == 60, "self-signed certificate refused without --cacert: %d" % r.returncode)
finally:
    srv.close()
print("curl: all checks passed")
