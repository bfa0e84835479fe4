"""Disk errors: file system calls of imapd on the Maildir fail with ENOSPC,
EDQUOT or EIO (faultfs.c, preloaded), at every point of APPEND, COPY, MOVE
and STORE in turn: the Nth write, fsync, rename, link or file creation and
every one after it. The command must fail with NO (APPEND with [OVERQUOTA]
for a full disk or quota, [SERVERBUG] or [UNAVAILABLE] otherwise), the
session must go on, nothing already stored may be lost, no partial file may
reach cur/, and the next session must find the Maildir consistent (the
checks of torture_crash.py). When run as root, a small tmpfs is also filled
up for real.

TORTURE=1 sweeps every errno for every command; the short run sweeps them
for APPEND, and ENOSPC or EIO for the other commands.
"""
import os
import subprocess
import sys
import tempfile
import time

import torture_crash as tc
from imapdtest import Server, check

LONG = bool(os.environ.get("TORTURE"))
MAX_AFTER = 40


def build_shim(d):
    so = os.path.join(d, "faultfs.so")
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-shared", "-fPIC", "-o", so,
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "faultfs.c"),
                    "-ldl"], check=True)
    return so


def big_mid(t, size):
    m = t.mid()
    tc.SIZE_FOR[m] = size
    return m


def run(t, so, op, kind, err, after, stats):
    """One command with faults armed; returns True when a fault was injected."""
    arm = os.path.join(t.srv.dir, "arm")
    log = os.path.join(t.srv.dir, "faults")
    env = dict(os.environ, LD_PRELOAD=so, FAULT_DIR=t.srv.maildir, FAULT_OPS=kind,
               FAULT_AFTER=str(after), FAULT_ERRNO=err, FAULT_ARM=arm, FAULT_LOG=log,
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
    c, p = t.login(env)
    sel = t.sel = "Other" if op in ("moveback", "trim") else "INBOX"
    t.view_now = t.view(c, sel)
    if op == "append":
        mids = [big_mid(t, 150000), big_mid(t, 300)]
        cmd = b"APPEND INBOX"
        for m in mids:
            data = tc.message(m)
            cmd += b" (\\Seen) {%d+}\r\n" % len(data) + data
        exp, moves = {"INBOX": {m: ("S", True) for m in mids}}, []
    elif op in ("copy", "move", "moveback"):
        r = t.op_copy(c, sel, op != "copy")
        check(r is not None, "%s: no message to copy or move" % op)
        cmd, exp, moves = r
    elif op == "trim":
        cmd, exp, moves = t.op_expunge(c, sel)
    else:
        cmd, exp, moves = t.op_store(c, sel)
    open(log, "w").close()
    os.chmod(log, 0o666)  # written by the session after it dropped privileges
    open(arm, "w").close()
    lines, tagged = c.cmd(cmd)
    os.unlink(arm)
    with open(log) as f:
        faults = [ln.split(" ", 1) for ln in f.read().splitlines()]
    where = "%s with %s failing (%s) after %d calls" % (op, kind, err, after)
    status = tagged.split(b" ")[1]
    # Not errors of the command: a failed fsync of a directory, and (after a
    # MOVE) the source's UID list keeping the records of the moved files.
    src_list = os.path.join(t.dir(sel), "dovecot-uidlist")

    def harmless(path):
        return os.path.isdir(path) or (op.startswith("move") and path.startswith(src_list))

    if faults and not all(harmless(path) for _, path in faults):
        check(status == b"NO", "%s: %r" % (where, tagged))
        if op == "append":
            code = tagged.split(b" ")[2]
            want = [b"[OVERQUOTA]"] if err in ("ENOSPC", "EDQUOT") \
                else [b"[SERVERBUG]", b"[UNAVAILABLE]"]
            check(code in want, "%s: %r, expected %r" % (where, tagged, want))
    elif not faults:
        check(status == b"OK", "%s: %r" % (where, tagged))
    stats[status.decode()] = stats.get(status.decode(), 0) + 1
    c.ok(b"NOOP")  # the session goes on
    c.ok(b"LOGOUT")
    c.close()
    check(p.wait() == 0, "imapd exit status %d" % p.returncode)
    announced = {}
    if status == b"OK" and op == "append":
        uids = tagged.split(b"]")[0].split(b" ")[-1].decode()
        for m, uid in zip(mids, tc.expand(uids)):
            announced["INBOX", m] = uid
    t.verify(after, where, exp, moves, status == b"OK", None, announced)
    return bool(faults)


def sweeps(t, so):
    stats = {}
    plan = [("append", k) for k in ("write", "fsync", "rename", "creat")] + \
        [("copy", k) for k in ("link", "write", "fsync", "rename", "creat")] + \
        [(op, k) for op in ("move", "moveback") for k in ("rename", "write", "fsync", "creat")] + \
        [("store", "rename")]
    runs = 0
    for i, (op, kind) in enumerate(plan):
        errs = ["ENOSPC", "EDQUOT", "EIO"] if LONG or op == "append" else [["ENOSPC", "EIO"][i % 2]]
        for err in errs:
            for after in range(MAX_AFTER):
                if len(t.model["Other"]) > 24:
                    run(t, so, "trim", "none", "EIO", 0, {})
                while len(set(t.model["INBOX"]) - set(t.model["Other"])) < 8:
                    run(t, so, "append", "none", "EIO", 0, {})
                while len(set(t.model["Other"]) - set(t.model["INBOX"])) < 2:
                    run(t, so, "move", "none", "EIO", 0, {})
                runs += 1
                if not run(t, so, op, kind, err, after, stats):
                    break
            else:
                raise AssertionError("%s/%s: still failing after %d calls" % (op, kind, MAX_AFTER))
    return runs, stats


def full_tmpfs():
    """A real full file system: APPEND until the disk is full."""
    srv = Server()
    mounted = False
    try:
        os.makedirs(srv.maildir)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs",
                           srv.maildir], capture_output=True).returncode != 0:
            print("tmpfs: cannot mount, skipped")
            return
        mounted = True
        os.chown(srv.maildir, srv.uid, srv.gid)
        t = tc.Torture(srv)
        c, p = t.login()
        c.ok(b"SELECT INBOX")
        acked, full = [], None
        for i in range(40):
            m = big_mid(t, 200000)
            data = tc.message(m)
            lines, tagged = c.cmd(b"APPEND INBOX {%d+}\r\n" % len(data) + data)
            if b" OK " in tagged:
                acked.append(m)
                continue
            full = tagged
            break
        check(full is not None, "a 3 MB file system never filled up")
        check(full.split(b" ")[1:3] == [b"NO", b"[OVERQUOTA]"], "full disk: %r" % full)
        c.ok(b"NOOP")
        c.ok(b"LOGOUT")
        p.wait()
        d = t.disk("INBOX")  # every file whole
        for m in acked:
            check(m in d, "acknowledged %s lost on a full disk" % m)
        check(len(d) <= len(acked) + 1, "more files than messages")
        # Room again: EXPUNGE some, then APPEND works and every file has its UID.
        c, p = t.login()
        c.ok(b"SELECT INBOX")
        c.ok(b"STORE 1:3 +FLAGS.SILENT (\\Deleted)")
        c.ok(b"EXPUNGE")
        m = big_mid(t, 200000)
        data = tc.message(m)
        lines, tagged = c.cmd(b"APPEND INBOX {%d+}\r\n" % len(data) + data)
        check(b" OK " in tagged, "APPEND after EXPUNGE freed room: %r" % tagged)
        v = t.view(c, "INBOX")
        c.ok(b"LOGOUT")
        p.wait()
        d = t.disk("INBOX")
        check(set(v) == set(d), "view equals disk after a full disk")
        nxt, recs = t.check_uidlist("INBOX")
        for mid, (fl, base) in d.items():
            check(recs.get(base) == v[mid], "%s keeps its UID" % mid)
        print("tmpfs: full after %d messages: %s" % (len(acked), full.decode()))
    finally:
        if mounted:
            subprocess.run(["umount", srv.maildir])
        srv.close()


def main():
    srv = Server()
    try:
        with tempfile.TemporaryDirectory() as d:
            so = build_shim(d)
            t = tc.Torture(srv)
            c, p = t.login()
            c.ok(b"CREATE Other")
            for f in tc.FOLDERS:
                c.ok(b"SELECT " + f.encode())
            c.ok(b"LOGOUT")
            p.wait()
            for f in tc.FOLDERS:
                t.check_uidlist(f)
            start = time.time()
            runs, stats = sweeps(t, so)
            print("%d runs with faults (%s) in %.1f s" % (runs, stats, time.time() - start))
    finally:
        srv.close()
    if os.geteuid() == 0:
        full_tmpfs()


if __name__ == "__main__":
    main()
