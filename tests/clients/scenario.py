"""A real client (python3 imaplib) manages folders and messages; afterwards
the Maildir on disk is checked file by file."""
import imaplib
import os
import re

from imapdtest import Server, check

MSG = (b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\n"
       b"Subject: scenario %d\r\n\r\nBody of message %d.\r\n")

srv = Server()
try:
    m = imaplib.IMAP4("127.0.0.1", srv.port)
    check(m.login("demo", "demo")[0] == "OK", "login")
    check(m.create("Projects/2026")[0] == "OK", "create nested")
    check(m.create("Projects/Old")[0] == "OK", "create sibling")
    typ, data = m.list('""', "Projects/*")
    names = sorted(re.search(rb'"/" (.*)$', d).group(1) for d in data)
    check(names == [b"Projects/2026", b"Projects/Old"], "list: %r" % names)
    check(m.rename("Projects/Old", "Projects/Archive2025")[0] == "OK", "rename")
    check(m.subscribe("Projects/2026")[0] == "OK", "subscribe")

    uids = []
    for i in range(1, 6):
        typ, data = m.append("INBOX", "(\\Seen)" if i % 2 else None,
                             imaplib.Time2Internaldate(1760000000 + i), MSG % (i, i))
        check(typ == "OK", "append %d" % i)
        uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)))
    check(uids == [1, 2, 3, 4, 5], "APPENDUIDs %r" % uids)

    check(m.select("INBOX")[1] == [b"5"], "select shows 5")
    typ, data = m.uid("COPY", "1:2", "Projects/2026")
    code = m.response("COPYUID")[1]
    check(typ == "OK" and code and code[0].endswith(b" 1:2 1:2"), "COPYUID: %r" % code)
    typ, data = m.uid("MOVE", "3", "Projects/Archive2025")
    check(typ == "OK", "move")
    typ, data = m.store("1", "+FLAGS", "(\\Flagged $Important)")
    check(typ == "OK" and b"\\Flagged" in data[0], "store: %r" % data)
    typ, data = m.store("2", "+FLAGS", "(\\Deleted)")
    typ, data = m.expunge()
    check(typ == "OK" and data[-1] == b"2", "expunge: %r" % data)
    typ, data = m.search(None, "ALL")
    check(data == [b"1 2 3"], "3 left in INBOX: %r" % data)
    typ, data = m.fetch("1:*", "(UID FLAGS)")
    check(len(data) == 3 and b"UID 1 " in data[0] and b"$Important" in data[0], "%r" % data)
    typ, data = m.fetch("2", "(BODY.PEEK[TEXT])")
    check(data[0][1] == b"Body of message 4.\r\n", "body: %r" % data)
    m.close()
    typ, data = m.status("Projects/2026", "(MESSAGES UIDNEXT)")
    check(b"MESSAGES 2" in data[0] and b"UIDNEXT 3" in data[0], "status: %r" % data)
    check(m.delete("Projects/Archive2025")[0] == "OK", "delete")
    m.logout()

    # The Maildir on disk.
    md = srv.maildir
    cur = sorted(os.listdir(os.path.join(md, "cur")))
    check(len(cur) == 3, "3 files in INBOX: %r" % cur)
    check(all(re.search(r",S=\d+,W=\d+:2,", f) for f in cur), "S= and W= in names: %r" % cur)
    with open(os.path.join(md, "dovecot-uidlist")) as f:
        lines = f.read().splitlines()
    check(lines[0].startswith("3 V"), "uidlist header: %r" % lines[0])
    # The file of UID 1, found through the uidlist.
    base = [l.split(":", 1)[1] for l in lines[1:] if l.split()[0] == "1"][0]
    first = [f for f in cur if f.split(":2,")[0] == base][0]
    check(first.endswith(":2,FSa"), "flags and keyword letter: %r" % first)
    with open(os.path.join(md, "cur", first), "rb") as f:
        check(f.read() == (MSG % (1, 1)).replace(b"\r\n", b"\n"), "stored with LF, byte for byte")
    check(os.stat(os.path.join(md, "cur", first)).st_mtime == 1760000001, "internal date kept")
    with open(os.path.join(md, "dovecot-keywords")) as f:
        check("0 $Important" in f.read(), "keyword file")
    check(sorted(os.listdir(os.path.join(md, ".Projects.2026", "cur"))) != [], "copied files")
    check(not os.path.exists(os.path.join(md, ".Projects.Archive2025")), "deleted folder gone")
    with open(os.path.join(md, "subscriptions")) as f:
        check("Projects\t2026" in f.read(), "subscription written")
    check(os.listdir(os.path.join(md, "tmp")) == [], "tmp/ empty")
finally:
    srv.close()
print("scenario: all checks passed")
