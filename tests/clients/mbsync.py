"""mbsync (isync) keeps a local Maildir and imapd in step, two ways, over
implicit TLS and STARTTLS, authenticating with SCRAM-SHA-256 through Cyrus
SASL: 200 messages (one of 5 MB) in folders on both sides, flags and
deletions each way, then a sync that has nothing to do.

Byte comparisons: imapd serves messages with CRLF; mbsync's Maildir keeps
them with LF. mbsync also adds one "X-TUID: <12 chars>" header line to each
copy it makes (its own tracking header). So a copy is compared with its
original after removing that one line, in the line-end form of its side;
originals are compared exactly."""
import imaplib
import os
import pty
import re
import select
import ssl
import subprocess
import time

from imapdtest import IMAPD, Server, check

N_SERVER, N_LOCAL = 100, 100
TUID = re.compile(rb"(^|\n)X-TUID: [A-Za-z0-9+/]{12}\r?\n")


def message(origin, i):
    """Message i from origin ("srv" or "loc"), with CRLF line ends."""
    head = (b"From: Sender %d <s%d@example.org>\r\nTo: demo@example.net\r\n"
            b"Subject: %s message %d\r\nMessage-ID: <%s-%d@example.org>\r\n"
            b"Date: Tue, 10 Nov 2026 10:%02d:00 +0000\r\n" % (i, i, origin.encode(), i,
                                                              origin.encode(), i, i % 60))
    if origin == "loc" and i == 1:  # 5 MB of base64-like lines
        body = b"".join(b"%06d" % n + b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                        b"\r\n" for n in range(5 * 1024 * 1024 // 72))
        head += b"MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n" \
                b"Content-Transfer-Encoding: base64\r\n"
    elif origin == "srv" and i == 1:  # 1 MB of text
        body = b"".join(b"Line %d of a long message from the server side.\r\n" % n
                        for n in range(20000))
    else:
        body = b"".join(b"Body line %d of %s %d: caf\xc3\xa9 \xe2\x82\xac\r\n" % (n, origin.encode(), i)
                        for n in range(i % 17 + 1))
        head += b"Content-Type: text/plain; charset=utf-8\r\n"
    return head + b"\r\n" + body


def key(data):
    m = re.search(rb"Message-ID: <(\w+-\d+)@example.org>", data)
    return m.group(1).decode() if m else None


ORIG = {}  # "srv-5" -> (folder, CRLF bytes)
for i in range(1, N_SERVER + 1):
    ORIG["srv-%d" % i] = ("Work/Reports" if i > 95 else "INBOX", message("srv", i))
for i in range(1, N_LOCAL + 1):
    ORIG["loc-%d" % i] = ("Lists" if i > 95 else "INBOX", message("loc", i))

srv = Server(extra_config="auth_mechanisms = PLAIN SCRAM-SHA-256")
try:
    # A SCRAM secret for demo: mbsync prefers SCRAM-SHA-256 to PLAIN.
    r = subprocess.run([IMAPD, "--hash", "--scheme", "SCRAM-SHA-256", "--uid", str(srv.uid),
                        "--gid", str(srv.gid), "--home", srv.home, "demo"],
                       input=b"demo\n", capture_output=True, check=True)
    with open(os.path.join(srv.dir, "passwd"), "wb") as f:
        f.write(r.stdout)

    ctx = ssl.create_default_context(cafile=srv.cert)

    def imap():
        m = imaplib.IMAP4_SSL("localhost", srv.tls_port, ssl_context=ctx)
        m.login("demo", "demo")
        return m

    # The server side: 95 messages in INBOX, 5 in Work/Reports.
    m = imap()
    m.create("Work/Reports")
    for i in range(1, N_SERVER + 1):
        folder, data = ORIG["srv-%d" % i]
        flags = " ".join(f for f, n in (("\\Seen", 2), ("\\Flagged", 7)) if i % n == 0)
        typ, _ = m.append(folder, "(%s)" % flags, imaplib.Time2Internaldate(1790000000 + i), data)
        check(typ == "OK", "append srv-%d" % i)
    m.logout()

    # The local side: mbsync's Maildir, 95 in INBOX, 5 in Lists, with LF.
    local = os.path.join(srv.dir, "local")
    for i in range(1, N_LOCAL + 1):
        folder, data = ORIG["loc-%d" % i]
        d = os.path.join(local, folder)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        name = "17900%05d.M%dP1.localhost:2,%s" % (i, i, "S" if i % 2 else "")
        with open(os.path.join(d, "cur", name), "wb") as f:
            f.write(data.replace(b"\r\n", b"\n"))

    def rc(name, port, tls_type):
        path = os.path.join(srv.dir, name)
        with open(path, "w") as f:
            f.write("IMAPAccount srv\nHost localhost\nPort %d\nUser demo\nPass demo\n"
                    "SSLType %s\nSystemCertificates no\nCertificateFile %s\nTimeout 60\n\n"
                    "IMAPStore remote\nAccount srv\n\n"
                    "MaildirStore local\nPath %s/\nInbox %s/INBOX\nSubFolders Verbatim\n\n"
                    "Channel sync\nFar :remote:\nNear :local:\nPatterns *\n"
                    "Create Both\nExpunge Both\nSyncState *\n"
                    % (port, tls_type, srv.cert, local, local))
        return path

    rc_imaps = rc("mbsyncrc-imaps", srv.tls_port, "IMAPS")
    rc_starttls = rc("mbsyncrc-starttls", srv.port, "STARTTLS")

    def mbsync(conf, *opts):
        """Runs mbsync on a terminal (it prints its counters only there);
        returns (output, final counters)."""
        master, slave = pty.openpty()
        p = subprocess.Popen(["mbsync", "-c", conf, "-a"] + list(opts), stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=slave)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + 240
        while select.select([master], [], [], max(0, deadline - time.monotonic()))[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal closed
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        out = out.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode(errors="replace")
        check(p.returncode == 0, "mbsync exit %s: %s" % (p.returncode, out[-2000:]))
        stats = re.findall(r"C: 1/1 +B: (\d+)/\1 +F: (\S+ \S+ \S+) +N: (\S+ \S+ \S+)", out)
        check(stats, "mbsync counters: %s" % out[-2000:])
        return out, stats[-1][1:]

    def local_messages():
        """key -> (folder, file path, flags) for every local message."""
        out = {}
        for dirpath, dirs, files in os.walk(local):
            if os.path.basename(dirpath) not in ("cur", "new"):
                continue
            folder = os.path.relpath(os.path.dirname(dirpath), local)
            for name in files:
                p = os.path.join(dirpath, name)
                with open(p, "rb") as f:
                    k = key(f.read())
                check(k and k not in out, "local file %s: key %r" % (p, k))
                out[k] = (folder, p, name.split(":2,")[1] if ":2," in name else "")
        return out

    def server_messages(m):
        """key -> (folder, uid, flags, bytes) for every message on the server."""
        out = {}
        typ, data = m.list()
        folders = [re.search(rb'"/" (.*)$', d).group(1).decode().strip('"') for d in data
                   if b"\\Noselect" not in d]
        for folder in folders:
            typ, data = m.select('"%s"' % folder, readonly=True)
            check(typ == "OK", "select %s" % folder)
            if data == [b"0"]:
                continue
            typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
                k = key(item[1])
                check(k and k not in out, "server %s UID %d: key %r" % (folder, uid, k))
                out[k] = (folder, uid, flags, item[1])
        return out

    def without_tuid(data):
        """(lines removed, data less one X-TUID line in its header)."""
        nl = b"\r\n" if data.find(b"\r\n") >= 0 else b"\n"
        end = data.find(nl + nl) + len(nl)
        head, n = TUID.subn(rb"\1", data[:end], count=1)
        return n, head + data[end:]

    def check_all(expect):
        """Both sides hold exactly the messages in expect, byte for byte."""
        m = imap()
        srv_msgs = server_messages(m)
        m.logout()
        loc_msgs = local_messages()
        check(sorted(srv_msgs) == sorted(expect), "server holds %d, want %d: %r" % (
            len(srv_msgs), len(expect), sorted(set(srv_msgs) ^ set(expect))[:10]))
        check(sorted(loc_msgs) == sorted(expect), "local holds %d, want %d: %r" % (
            len(loc_msgs), len(expect), sorted(set(loc_msgs) ^ set(expect))[:10]))
        for k in expect:
            folder, crlf = ORIG[k]
            lf = crlf.replace(b"\r\n", b"\n")
            s_folder, _, _, s_data = srv_msgs[k]
            l_folder, path, _ = loc_msgs[k]
            check(s_folder == folder and l_folder == folder,
                  "%s in %s on the server, %s locally, want %s" % (k, s_folder, l_folder, folder))
            with open(path, "rb") as f:
                l_data = f.read()
            if k.startswith("srv"):
                check(s_data == crlf, "%s on the server, byte for byte" % k)
                n, copy = without_tuid(l_data)
                check(n == 1 and copy == lf, "%s local copy (LF, less X-TUID): %r" % (k, l_data[:400]))
            else:
                check(l_data == lf, "%s local original, byte for byte" % k)
                n, copy = without_tuid(s_data)
                check(n == 1 and copy == crlf, "%s server copy (CRLF, less X-TUID): %r"
                      % (k, s_data[:400]))
        return srv_msgs, loc_msgs

    # 1. The first sync: everything both ways, folders created both ways.
    out, stats = mbsync(rc_imaps, "-V")
    check("Authenticating with SASL mechanism SCRAM-SHA-256" in out, "SCRAM: %s" % out[:2000])
    check("Connection is now encrypted" in out, "TLS: %s" % out[:2000])
    # Far side (the server): 100 new; near side (local): 100 new.
    check(stats == ("+100/100 *0/0 #0/0", "+100/100 *0/0 #0/0"), "first sync: %r" % (stats,))
    expect = set(ORIG)
    srv_msgs, loc_msgs = check_all(expect)
    check(len(expect) == 200, "200 messages")
    big = srv_msgs["loc-1"][3]
    check(len(big) > 5 * 1024 * 1024, "the 5 MB message arrived whole: %d" % len(big))
    for i in range(1, N_SERVER + 1):
        lf = loc_msgs["srv-%d" % i][2]
        check(("S" in lf) == (i % 2 == 0) and ("F" in lf) == (i % 7 == 0),
              "srv-%d flags copied: %r" % (i, lf))
    for i in range(1, N_LOCAL + 1):
        sf = srv_msgs["loc-%d" % i][2]
        check(("\\Seen" in sf) == (i % 2 == 1) and "\\Flagged" not in sf,
              "loc-%d flags copied: %r" % (i, sf))
    check(os.path.isdir(os.path.join(srv.maildir, ".Lists", "cur")), "Lists created on the server")
    check(os.path.isdir(os.path.join(local, "Work", "Reports", "cur")), "Work/Reports created locally")
    check("method=AUTHENTICATE" in srv.log_text(), "mbsync authenticated with SASL")

    # 2. Flags: \Flagged set locally (a file rename) reaches the server;
    # \Flagged \Answered set and \Seen cleared on the server reach the Maildir.
    folder, path, flags = loc_msgs["srv-5"]
    check(flags == "", "srv-5 has no flags yet: %r" % flags)
    os.rename(path, path + "F")
    m = imap()
    m.select("INBOX")
    uid = srv_msgs["loc-3"][1]
    m.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Flagged \\Answered)")
    m.uid("STORE", str(srv_msgs["loc-5"][1]), "-FLAGS.SILENT", "(\\Seen)")
    m.logout()
    out, stats = mbsync(rc_imaps)
    check(stats == ("+0/0 *1/1 #0/0", "+0/0 *2/2 #0/0"), "flag sync: %r" % (stats,))
    srv_msgs, loc_msgs = check_all(expect)
    check(srv_msgs["srv-5"][2] == ["\\Flagged"], "local \\Flagged on the server: %r" % (srv_msgs["srv-5"],))
    check(loc_msgs["loc-3"][2] == "FRS", "server flags in the local name: %r" % (loc_msgs["loc-3"],))
    check(loc_msgs["loc-5"][2] == "", "\\Seen cleared locally: %r" % (loc_msgs["loc-5"],))

    # 3. Deletions: a file removed locally is expunged on the server, and a
    # message expunged on the server is removed locally.
    os.remove(loc_msgs["srv-10"][1])
    os.remove(loc_msgs["loc-97"][1])
    m = imap()
    m.select("INBOX")
    m.uid("STORE", str(srv_msgs["loc-20"][1]), "+FLAGS.SILENT", "(\\Deleted)")
    m.expunge()
    m.select('"Work/Reports"')
    m.uid("STORE", str(srv_msgs["srv-99"][1]), "+FLAGS.SILENT", "(\\Deleted)")
    m.expunge()
    m.logout()
    out, stats = mbsync(rc_imaps)
    # A deletion travels as \Deleted (a flag change), then each side expunges.
    check(stats == ("+0/0 *2/2 #0/0", "+0/0 *2/2 #0/0"), "deletion sync: %r" % (stats,))
    expect -= {"srv-10", "loc-97", "loc-20", "srv-99"}
    srv_msgs, loc_msgs = check_all(expect)
    files = sum(len(os.listdir(os.path.join(d, sub)))
                for d in [srv.maildir] + [os.path.join(srv.maildir, x) for x in os.listdir(srv.maildir)
                                          if x.startswith(".")]
                for sub in ("cur", "new") if os.path.isdir(os.path.join(d, sub)))
    check(files == 196, "196 message files left on the server: %d" % files)

    # 4. Nothing changed since: a sync over STARTTLS finds nothing to do and
    # changes no file on either side.
    def snapshot(top):
        out = {}
        for dirpath, dirs, names in os.walk(top):
            for name in names:
                p = os.path.join(dirpath, name)
                with open(p, "rb") as f:
                    out[os.path.relpath(p, top)] = f.read()
            for name in dirs:
                out[os.path.relpath(os.path.join(dirpath, name), top) + "/"] = b""
        return out

    before = (snapshot(srv.maildir), snapshot(local))
    out, stats = mbsync(rc_starttls, "-V")
    check("Connection is now encrypted" in out, "STARTTLS: %s" % out[:2000])
    check(stats == ("+0/0 *0/0 #0/0", "+0/0 *0/0 #0/0"), "nothing to do: %r" % (stats,))
    after = (snapshot(srv.maildir), snapshot(local))
    for side, b, a in (("server", before[0], after[0]), ("local", before[1], after[1])):
        changed = sorted(k for k in set(b) | set(a) if b.get(k) != a.get(k))
        check(not changed, "a sync with nothing to do changed %s files: %r" % (side, changed[:10]))
    check_all(expect)
finally:
    srv.close()

# Out of the box mbsync (Cyrus SASL) picks the strongest mechanism offered
# and does not fall back. imapd offers SCRAM-SHA-256 only when
# auth_mechanisms lists it, so a user with a {PLAIN} or crypt entry and the
# default configuration logs in with PLAIN.
srv = Server()
try:
    local = os.path.join(srv.dir, "plain-local")
    os.makedirs(local)
    conf = os.path.join(srv.dir, "mbsyncrc-plain")
    with open(conf, "w") as f:
        f.write("IMAPAccount srv\nHost localhost\nPort %d\nUser demo\nPass demo\n"
                "SSLType IMAPS\nSystemCertificates no\nCertificateFile %s\n\n"
                "IMAPStore remote\nAccount srv\n\nMaildirStore local\nPath %s/\n"
                "Inbox %s/INBOX\nSubFolders Verbatim\n\nChannel sync\nFar :remote:\n"
                "Near :local:\nPatterns INBOX\nCreate Both\nSyncState *\n"
                % (srv.tls_port, srv.cert, local, local))
    r = subprocess.run(["mbsync", "-c", conf, "-a"], capture_output=True, timeout=120)
    check(r.returncode == 0, "mbsync as a {PLAIN} user: exit %d %r" % (r.returncode, r.stderr))
finally:
    srv.close()
print("mbsync: all checks passed")
