#!/usr/bin/env python3
"""Maintainer tool: ask a reference Dovecot how it renders corpus messages.

Each MESSAGE.eml given is dropped byte for byte into the INBOX Maildir of a
reference Dovecot (see /work/shared/tools/dovecot-reference), then its
ENVELOPE, BODY, BODYSTRUCTURE and RFC822.SIZE are fetched over IMAP.
Without --write the answers are printed; with --write they are stored as
MESSAGE.envelope, MESSAGE.body, MESSAGE.bodystructure and MESSAGE.size
beside the message, and MESSAGE.sections and MESSAGE.binary (see below),
only where no MESSAGE.why says imapd differs on purpose.

  REF_DIR=/tmp/ref-message IMAP_PORT=21143 ./dovecot-fetch.py [--write] *.eml

The product tests never need this: they read the stored files.
"""
import imaplib
import os
import pwd
import re
import sys
import time

REF_DIR = os.environ.get("REF_DIR", "/tmp/ref-message")
HOST = os.environ.get("IMAP_HOST", "127.0.0.1")
PORT = int(os.environ.get("IMAP_PORT", "21143"))
USER = os.environ.get("IMAP_USER", "alice")
PASS = os.environ.get("IMAP_PASS", "secret")
ITEMS = ["ENVELOPE", "BODY", "BODYSTRUCTURE", "RFC822.SIZE"]
# Sections fetched for every message into MESSAGE.sections, one
# "SECTION {n}" line then n bytes and CRLF each (Dovecot sends an empty
# string for a part that does not exist; a NIL would be kept as "SECTION NIL").
SECTIONS = ["", "HEADER", "TEXT", "1", "1.MIME", "2", "2.MIME", "2.HEADER", "2.TEXT",
            "1.1", "2.1", "2.2", "1.2.1", "3", "HEADER.FIELDS (From Subject x-none)",
            "HEADER.FIELDS.NOT (From Subject)", "2.HEADER.FIELDS (subject)", "<5.10>",
            "TEXT<0.3>", "1<2.100000>"]
# BINARY sections fetched into MESSAGE.binary: "SPEC {n}" then the n decoded
# bytes and CRLF, or "SPEC NO" when Dovecot refused (UNKNOWN-CTE).
BINARY = ["1", "2", "3", "1.1", "1.2", "2.1", "2.2"]


def drop(path, seq):
    new = os.path.join(REF_DIR, "mail", USER, "Maildir", "new")
    os.makedirs(new, exist_ok=True)
    name = "%d.M%dP%d.corpus" % (int(time.time()), seq, os.getpid())
    dst = os.path.join(new, name)
    with open(path, "rb") as f, open(dst, "wb") as g:
        g.write(f.read())
    pw = pwd.getpwnam("refmail")
    for p in (os.path.join(REF_DIR, "mail", USER), os.path.join(REF_DIR, "mail", USER, "Maildir"), new, dst):
        os.chown(p, pw.pw_uid, pw.pw_gid)


def raw(data):
    """Joins an imaplib FETCH answer back into the bytes on the wire."""
    out = b""
    for d in data:
        if isinstance(d, tuple):
            out += d[0] + b"\r\n" + d[1]
        else:
            out += d
    return out


def item(conn, uid, name):
    typ, data = conn.uid("FETCH", str(uid), "(%s)" % name)
    assert typ == "OK", data
    r = raw(data)
    if name.startswith("BODY.PEEK["):
        # the answer names BODY[...]; Dovecot puts UID before it
        i = r.index(b"BODY[")
        return r[i:].rsplit(b")", 1)[0]
    key = (" " + name + " ").encode()
    i = r.index(key) + len(key)
    return r[i:-1]  # drop the closing parenthesis of the FETCH list


def main():
    args = sys.argv[1:]
    write = "--write" in args
    files = [a for a in args if a != "--write"]
    conn = imaplib.IMAP4(HOST, PORT)
    conn.login(USER, PASS)
    for seq, path in enumerate(files):
        drop(path, seq)
        conn.select("INBOX")
        typ, data = conn.uid("SEARCH", "ALL")
        uid = int(data[0].split()[-1])
        base = path[:-4] if path.endswith(".eml") else path
        secs = b""
        for sec in SECTIONS:
            spec, part = sec, ""
            if "<" in sec:
                spec, part = sec.split("<")
                part = "<" + part
            val = item(conn, uid, "BODY.PEEK[%s]%s" % (spec, part))
            key = b"BODY[%s]" % spec.encode()
            if part:
                key += b"<" + part[1:].split(".")[0].encode() + b">"
            assert val[:len(key) + 1].upper() == key.upper() + b" ", val[:80]
            val = val[len(key) + 1:]
            if val.startswith(b"{"):
                n = int(val[1:val.index(b"}")])
                body = val[val.index(b"\r\n") + 2:]
                assert len(body) == n, (sec, len(body), n)
                secs += sec.encode() + b" {%d}\r\n" % n + body + b"\r\n"
            elif val == b"NIL":
                secs += sec.encode() + b" NIL\r\n"
            else:
                assert val.startswith(b'"') and val.endswith(b'"'), val
                body = val[1:-1]
                secs += sec.encode() + b" {%d}\r\n" % len(body) + body + b"\r\n"
        if write and not os.path.exists(base + ".why"):
            with open(base + ".sections", "wb") as f:
                f.write(secs)
        bins = b""
        for sec in BINARY:
            typ, data = conn.uid("FETCH", str(uid), "(BINARY.PEEK[%s])" % sec)
            if typ != "OK":
                bins += sec.encode() + b" NO\r\n"
                continue
            r = raw(data)
            m = re.search(rb"BINARY\[[0-9.]*\] (~?\{(\d+)\}\r\n|NIL|\"\")", r)
            body = b""
            if m.group(2) is not None:
                body = r[m.end():m.end() + int(m.group(2))]
            bins += sec.encode() + b" {%d}\r\n" % len(body) + body + b"\r\n"
        if write and not os.path.exists(base + ".why"):
            with open(base + ".binary", "wb") as f:
                f.write(bins)
        for name in ITEMS:
            val = item(conn, uid, name)
            ext = {"RFC822.SIZE": "size"}.get(name, name.lower())
            if write and not os.path.exists(base + ".why"):
                with open(base + "." + ext, "wb") as f:
                    f.write(val + b"\n")
            else:
                print("%s %s: %s" % (os.path.basename(path), name, val.decode("utf-8", "replace")))
    conn.logout()


if __name__ == "__main__":
    main()
