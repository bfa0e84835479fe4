"""offlineimap3 mirrors an account with several folders (nested, with a space,
with a modified UTF-7 name) into a local Maildir over implicit TLS (the
certificate checked against sslcacertfile), then carries local changes back
over STARTTLS: a new message, a new folder, a flag and a
deletion; a change made on the server comes down at the same time.

offlineimap's Maildir keeps messages with LF line ends; imapd serves them
with CRLF. Each local file is compared with the LF form of the original,
each server copy with the CRLF form, byte for byte."""
import imaplib
import os
import re
import ssl
import subprocess

from imapdtest import Server, check


def message(folder, i):
    return (b"From: Sender <s@example.org>\r\nTo: demo@example.net\r\n"
            b"Subject: %s %d\r\nMessage-ID: <%s-%d@example.org>\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            % (folder.encode(), i, folder.replace(" ", "_").replace("/", "_").encode(), i)
            + b"".join(b"Line %d: na\xc3\xafve caf\xc3\xa9\r\n" % n for n in range(i * 5)))


# folder -> [(message, flags)]
SERVER = {
    "INBOX": [(message("INBOX", i), ["\\Seen"] if i % 2 else []) for i in range(1, 7)],
    "Work": [(message("Work", i), ["\\Flagged", "\\Seen"] if i == 1 else []) for i in range(1, 4)],
    "Work/Reports": [(message("Work/Reports", i), ["\\Answered", "\\Seen"]) for i in (1, 2)],
    "Old Mail": [(message("Old Mail", i), ["\\Seen"]) for i in (1, 2)],
    "Caf&AOk-": [(message("Cafe", 1), [])],  # "Café" in modified UTF-7
}
LOCAL_NAME = {"INBOX": "INBOX", "Work": "Work", "Work/Reports": "Work.Reports",
              "Old Mail": "Old Mail", "Caf&AOk-": "Caf&AOk-"}
LETTERS = {"\\Answered": "R", "\\Flagged": "F", "\\Seen": "S", "\\Draft": "D"}

srv = Server()
try:
    ctx = ssl.create_default_context(cafile=srv.cert)

    def imap():
        m = imaplib.IMAP4_SSL("localhost", srv.tls_port, ssl_context=ctx)
        m.login("demo", "demo")
        return m

    m = imap()
    for folder, msgs in SERVER.items():
        if folder != "INBOX":
            check(m.create('"%s"' % folder)[0] == "OK", "create %s" % folder)
        for data, flags in msgs:
            check(m.append('"%s"' % folder, "(%s)" % " ".join(flags), None, data)[0] == "OK",
                  "append to %s" % folder)
    m.logout()

    work = os.path.join(srv.dir, "offlineimap")
    mail = os.path.join(work, "mail")
    os.makedirs(work)

    def offlineimap(name, remote):
        rc = os.path.join(work, name)
        with open(rc, "w") as f:
            f.write("[general]\naccounts = demo\nmetadata = %s/meta\n\n"
                    "[Account demo]\nlocalrepository = local\nremoterepository = remote\n\n"
                    "[Repository local]\ntype = Maildir\nlocalfolders = %s\n\n"
                    "[Repository remote]\ntype = IMAP\nremotehost = localhost\n"
                    "remoteuser = demo\nremotepass = demo\nsslcacertfile = %s\n%s"
                    % (work, mail, srv.cert, remote))
        r = subprocess.run(["offlineimap", "-c", rc, "-u", "basic"], capture_output=True,
                           timeout=180, env=dict(os.environ, HOME=work))
        out = (r.stdout + r.stderr).decode(errors="replace")
        check(r.returncode == 0 and "ERROR" not in out, "offlineimap exit %d:\n%s"
              % (r.returncode, out[-3000:]))
        return out

    def local_state():
        """local folder -> {Message-ID key: (path, flag letters, bytes)}"""
        out = {}
        for name in os.listdir(mail):
            msgs = {}
            for sub in ("cur", "new"):
                d = os.path.join(mail, name, sub)
                for fn in os.listdir(d):
                    with open(os.path.join(d, fn), "rb") as f:
                        data = f.read()
                    k = re.search(rb"Message-ID: <([^>]+)>", data).group(1).decode()
                    msgs[k] = (os.path.join(d, fn), fn.split(":2,")[1] if ":2," in fn else "", data)
            out[name] = msgs
        return out

    def server_state():
        """folder -> {Message-ID key: (uid, flags, bytes)}"""
        m = imap()
        out = {}
        for line in m.list()[1]:
            folder = re.search(rb'"/" "?([^"]*)"?$', line).group(1).decode()
            typ, data = m.select('"%s"' % folder, readonly=True)
            msgs = {}
            if data != [b"0"]:
                for item in m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")[1]:
                    if isinstance(item, tuple):
                        k = re.search(rb"Message-ID: <([^>]+)>", item[1]).group(1).decode()
                        uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                        flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode()
                        msgs[k] = (uid, sorted(flags.split()), item[1])
            out[folder] = msgs
        m.logout()
        return out

    def key(data):
        return re.search(rb"Message-ID: <([^>]+)>", data).group(1).decode()

    # 1. Implicit TLS: every folder and message comes down.
    out = offlineimap("rc-tls", "remoteport = %d\nssl = yes\n" % srv.tls_port)
    local = local_state()
    check(sorted(local) == sorted(list(LOCAL_NAME.values()) + ["Archive", "Drafts", "Junk",
                                                               "Sent", "Trash"]),
          "local folders: %r" % sorted(local))
    for folder, msgs in SERVER.items():
        got = local[LOCAL_NAME[folder]]
        check(len(got) == len(msgs), "%d messages in %s: %r" % (len(msgs), folder, sorted(got)))
        for data, flags in msgs:
            path, letters, ldata = got[key(data)]
            check(ldata == data.replace(b"\r\n", b"\n"), "%s in %s byte for byte: %r"
                  % (key(data), folder, ldata[:300]))
            check(letters == "".join(sorted(LETTERS[f] for f in flags)),
                  "%s flags %r, want %r" % (key(data), letters, flags))

    # 2. Changes on both sides, synced over STARTTLS.
    new_msg = message("local new", 3)
    with open(os.path.join(mail, "Work", "new", "1790000000.P1Q1.localhost"), "wb") as f:
        f.write(new_msg.replace(b"\r\n", b"\n"))
    proj_msg = message("Projects", 1)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(mail, "Projects", sub))
    with open(os.path.join(mail, "Projects", "cur", "1790000001.P1Q2.localhost:2,S"), "wb") as f:
        f.write(proj_msg.replace(b"\r\n", b"\n"))
    path, letters, _ = local["INBOX"]["INBOX-2@example.org"]
    check(letters == "", "INBOX-2 unflagged so far")
    os.rename(path, path + "F")
    os.remove(local["Work.Reports"]["Work_Reports-1@example.org"][0])
    m = imap()
    m.select("INBOX")
    typ, data = m.uid("SEARCH", "HEADER", "Message-ID", "INBOX-3@example.org")
    m.uid("STORE", data[0].decode(), "+FLAGS.SILENT", "(\\Answered)")
    typ, data = m.uid("SEARCH", "HEADER", "Message-ID", "INBOX-6@example.org")
    m.uid("STORE", data[0].decode(), "+FLAGS.SILENT", "(\\Deleted)")
    m.expunge()
    m.logout()

    start = len(srv.log_text())
    out = offlineimap("rc-starttls", "remoteport = %d\nssl = no\nstarttls = yes\n" % srv.port)
    log = srv.log_text()[start:]
    check(re.search(r"login: method=\S+ tls", log) and "login: method=" in log and
          not re.search(r"login: method=\S+$", log, re.M),
          "every login after STARTTLS: %s" % log)

    server = server_state()
    check("Projects" in server, "new local folder created on the server: %r" % sorted(server))
    got = server["Projects"]
    check(list(got) == ["Projects-1@example.org"] and got["Projects-1@example.org"][2] == proj_msg,
          "message in Projects byte for byte: %r" % got)
    check(got["Projects-1@example.org"][1] == ["\\Seen"], "its flag: %r" % got)
    got = server["Work"]
    check(len(got) == 4 and got["local_new-3@example.org"][2] == new_msg,
          "new local message in Work, byte for byte: %r" % {k: v[2][:80] for k, v in got.items()})
    check(got["local_new-3@example.org"][1] == [], "arrived from new/: no flags")
    check(server["INBOX"]["INBOX-2@example.org"][1] == ["\\Flagged"],
          "local flag on the server: %r" % (server["INBOX"]["INBOX-2@example.org"][:2],))
    check(sorted(server["Work/Reports"]) == ["Work_Reports-2@example.org"],
          "local deletion expunged on the server: %r" % sorted(server["Work/Reports"]))
    # Everything else on the server is as it was.
    for folder, msgs in SERVER.items():
        for data, flags in msgs:
            k = key(data)
            if k in ("INBOX-2@example.org", "INBOX-3@example.org", "INBOX-6@example.org",
                     "Work_Reports-1@example.org"):
                continue
            check(server[folder][k][2] == data and server[folder][k][1] == sorted(flags),
                  "%s unchanged on the server" % k)

    # The server's changes arrived locally.
    local = local_state()
    check(local["INBOX"]["INBOX-3@example.org"][1] == "RS", "server flag locally: %r"
          % (local["INBOX"]["INBOX-3@example.org"][1],))
    check("INBOX-6@example.org" not in local["INBOX"], "server expunge removed the local file")
    check(sorted(local["Work"]) == sorted(server["Work"]), "Work the same on both sides")
    for folder in server:
        lname = folder.replace("/", ".")
        check(sorted(local[lname]) == sorted(server[folder]), "%s the same on both sides" % folder)
        for k, (uid, flags, data) in server[folder].items():
            check(local[lname][k][2] == data.replace(b"\r\n", b"\n"),
                  "%s: local and server copies agree" % k)
finally:
    srv.close()
print("offlineimap: all checks passed")
