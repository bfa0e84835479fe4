"""Crash torture: imapd is killed with SIGKILL at random points of APPEND,
COPY, MOVE, STORE, EXPUNGE and UID list rewrites, trial after trial on one
Maildir, and the Maildir is checked after every kill and again after the
next session has recovered it:

  - every file in cur/ and new/ is a whole message (no partial file);
  - no message is lost or duplicated: what was acknowledged with OK is there,
    what was not is there at most once, a moved message is in exactly one of
    the two folders, flags are the old or the new ones (the new ones if OK);
  - the UID list parses, keeps UIDVALIDITY, every file keeps its UID and new
    UIDs are above every UID given before (none is reused);
  - the next session takes over the lock of the dead process, numbers the
    files left without a UID, and removes old tmp/ leftovers; its view is
    exactly what is on disk, with the UIDs APPENDUID and COPYUID announced.

TORTURE_TRIALS sets the number of trials (50; 300 with TORTURE=1),
TORTURE_SEED the random seed (printed on failure).
"""
import functools
import os
import random
import re
import sys
import time

from imapdtest import Server, check, maildir_files, read_uidlist, spawn

TRIALS = int(os.environ.get("TORTURE_TRIALS", "300" if os.environ.get("TORTURE") else "50"))
SEED = int(os.environ.get("TORTURE_SEED", str(int(time.time() * 1000) % 1000000)))
rnd = random.Random(SEED)
FOLDERS = {"INBOX": "", "Other": ".Other"}
MID = re.compile(rb"Message-ID: <([^@>]+)@torture>")
SIZES = [200, 2000, 20000, 70000, 150000]
FLAGS = {"D": b"\\Draft", "F": b"\\Flagged", "R": b"\\Answered", "S": b"\\Seen",
         "T": b"\\Deleted"}


SIZE_FOR = {}  # mid -> size, for messages of a chosen size


def message(mid):
    return _message(mid, SIZE_FOR.get(mid) or SIZES[sum(mid.encode()) % len(SIZES)])


@functools.lru_cache(maxsize=4096)
def _message(mid, size):
    out = ["Message-ID: <%s@torture>\r\nSubject: crash test %s\r\n\r\n" % (mid, mid)]
    n, i = len(out[0]), 0
    while n < size:
        ln = ("%s line %d " % (mid, i)).ljust(70, "x") + "\r\n"
        out.append(ln)
        n += len(ln)
        i += 1
    return "".join(out).encode()


def flag_list(letters):
    return b"(" + b" ".join(FLAGS[c] for c in sorted(letters)) + b")"


def imap_set(nums):
    return b",".join(b"%d" % n for n in sorted(nums))


def expand(s):
    out = []
    for part in s.split(","):
        a, _, b = part.partition(":")
        out += range(int(a), int(b or a) + 1)
    return out


class Torture:
    def __init__(self, srv):
        self.srv = srv
        self.model = {f: {} for f in FOLDERS}     # folder -> {mid: flags}
        self.uids = {f: {} for f in FOLDERS}      # folder -> {base: uid}
        self.high = {f: 0 for f in FOLDERS}       # highest UID ever seen
        self.validity = {}
        self.next_mid = 0
        self.stats = {}

    def dir(self, f):
        return os.path.join(self.srv.maildir, FOLDERS[f])

    def mid(self):
        self.next_mid += 1
        return "m%d" % self.next_mid

    def login(self, env=None):
        c, p = spawn(self.srv.config, env)
        check(c.line().startswith(b"* OK"), "greeting")
        c.ok(b"LOGIN demo demo")
        return c, p

    def view(self, c, folder):
        """SELECT and FETCH: {mid: uid}; checks UIDs ascend and mids are unique."""
        sel = c.ok(b"SELECT " + folder.encode())
        exists = [int(ln.split(b" ")[1]) for ln in sel if ln.endswith(b" EXISTS")]
        check(len(exists) == 1, "SELECT gives EXISTS once")
        lines = c.ok(b"FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])") \
            if exists[0] else []
        v, last = {}, 0
        for ln in lines:
            m = re.match(rb"\* \d+ FETCH \(UID (\d+) ", ln)
            if not m:
                continue
            uid = int(m.group(1))
            check(uid > last, "UIDs ascend in FETCH")
            last = uid
            mid = MID.search(ln).group(1).decode()
            check(mid not in v, "%s shown twice in %s" % (mid, folder))
            v[mid] = uid
        return v

    def disk(self, f):
        """{mid: (flags, base)} of a folder, every file checked whole."""
        out = {}
        for sub, name, base, flags, data in maildir_files(self.dir(f)):
            m = MID.search(data)
            check(m is not None, "%s/%s: no Message-ID: partial file" % (f, name))
            mid = m.group(1).decode()
            check(data == message(mid).replace(b"\r\n", b"\n"),
                  "%s/%s/%s: content differs from %s (partial file)" % (f, sub, name, mid))
            s = re.search(r",S=(\d+)", base)
            check(s and int(s.group(1)) == len(data), "%s: S= size" % name)
            check(mid not in out, "%s duplicated in %s" % (mid, f))
            out[mid] = ("".join(c for c in flags if c in FLAGS), base)
        return out

    def check_uidlist(self, f):
        v, nxt, recs = read_uidlist(os.path.join(self.dir(f), "dovecot-uidlist"))
        if f in self.validity:
            check(v == self.validity[f], "%s: UIDVALIDITY changed" % f)
        self.validity[f] = v
        for base, uid in recs.items():
            if base in self.uids[f]:
                check(uid == self.uids[f][base], "%s: %s changed UID %d -> %d"
                      % (f, base, self.uids[f][base], uid))
            else:
                check(uid > self.high[f], "%s: new UID %d not above %d (reused)"
                      % (f, uid, self.high[f]))
        return nxt, recs

    # --- the operations, each returning (command bytes, expectations) ---

    def op_append(self, c, sel, garbage=False):
        f = rnd.choice(list(FOLDERS))
        if garbage:
            f = "INBOX"
            with open(os.path.join(self.dir(f), "dovecot-uidlist"), "ab") as u:
                u.write(b"4000000000 :unfinished-record-of-a-dead-writer")
        mids = [self.mid() for _ in range(rnd.choice([1, 1, 2, 3]))]
        fl = {m: "".join(sorted(rnd.choice(["", "S", "F", "SF", "D"]))) for m in mids}
        cmd = b"APPEND " + f.encode()
        for m in mids:
            data = message(m)
            cmd += b" " + flag_list(fl[m]) + b" {%d+}\r\n" % len(data) + data
        exp = {f: {m: (fl[m], True) for m in mids}}
        return cmd, exp, []

    def op_copy(self, c, sel, move):
        dst = "Other" if sel == "INBOX" else "INBOX"
        cand = [m for m in self.view_now if m not in self.model[dst]]
        if not cand:
            return None
        mids = rnd.sample(cand, rnd.randint(1, min(len(cand), 20)))
        cmd = (b"UID MOVE " if move else b"UID COPY ") + \
            imap_set(self.view_now[m] for m in mids) + b" " + dst.encode()
        exp = {dst: {m: (self.model[sel][m], True) for m in mids}}
        if move:
            exp[sel] = {m: (None, True) for m in mids}
        return cmd, exp, [(sel, dst, m) for m in mids] if move else []

    def op_store(self, c, sel):
        mids = rnd.sample(list(self.view_now), rnd.randint(1, len(self.view_now)))
        kind = rnd.choice(["+", "-", ""])
        letters = "".join(rnd.sample("DFRS", rnd.randint(1, 3)))
        exp = {sel: {}}
        for m in mids:
            old = set(self.model[sel][m])
            new = old | set(letters) if kind == "+" else old - set(letters) \
                if kind == "-" else set(letters)
            exp[sel][m] = ("".join(sorted(new)), False)
        cmd = b"UID STORE " + imap_set(self.view_now[m] for m in mids) + \
            b" " + kind.encode() + b"FLAGS.SILENT " + flag_list(letters)
        return cmd, exp, []

    def op_expunge(self, c, sel):
        mids = rnd.sample(list(self.view_now), rnd.randint(1, max(1, len(self.view_now) // 2)))
        c.ok(b"UID STORE " + imap_set(self.view_now[m] for m in mids) + b" +FLAGS.SILENT (\\Deleted)")
        for m in mids:
            self.model[sel][m] = "".join(sorted(set(self.model[sel][m]) | {"T"}))
        exp = {sel: {m: (None, True) for m in self.model[sel] if "T" in self.model[sel][m]}}
        return b"EXPUNGE", exp, []

    def trial(self, n):
        c, p = self.login()
        total = sum(len(v) for v in self.model.values())
        sel = self.sel = rnd.choice(list(FOLDERS)) if self.model["Other"] else "INBOX"
        self.view_now = self.view(c, sel)
        kinds = ["append", "rewrite"]
        if self.view_now:
            kinds += ["copy", "move", "move", "store", "store", "expunge"]
            if total > 60:
                kinds += ["expunge"] * 6
        kind = rnd.choice(kinds)
        r = None
        if kind == "append":
            r = self.op_append(c, sel)
        elif kind == "rewrite":
            r = self.op_append(c, sel, garbage=True)
        elif kind in ("copy", "move"):
            r = self.op_copy(c, sel, kind == "move")
        elif kind == "store":
            r = self.op_store(c, sel)
        else:
            r = self.op_expunge(c, sel)
        if r is None:
            kind = "append"
            r = self.op_append(c, sel)
        cmd, exp, moves = r
        tag = c.tag()
        full = tag + b" " + cmd + b"\r\n"
        if kind in ("append", "rewrite") and rnd.random() < 0.3:
            c.send(full[:rnd.randrange(len(full))])  # killed while the literal streams in
            time.sleep(rnd.random() * 0.002)
        else:
            c.send(full)
            time.sleep(rnd.random() ** 2 * 0.03)
        p.kill()
        p.wait()
        lines = c.drain()
        c.close()
        acked = any(ln.startswith(tag + b" OK") for ln in lines)
        announced = {}
        for ln in lines:
            m = re.search(rb"\[APPENDUID \d+ ([\d:,]+)\]", ln)
            if m and ln.startswith(tag + b" OK"):
                f = cmd.split(b" ")[1].decode()
                for mid, uid in zip(list(exp[f]), expand(m.group(1).decode())):
                    announced[f, mid] = uid
            m = re.search(rb"\[COPYUID \d+ ([\d:,]+) ([\d:,]+)\]", ln)
            if m and acked:
                back = {u: mid for mid, u in self.view_now.items()}
                dst = [f for f in exp if f != self.sel][0]
                for su, du in zip(expand(m.group(1).decode()), expand(m.group(2).decode())):
                    announced[dst, back[su]] = du
        key = "%s %s" % (kind, "acked" if acked else "killed")
        self.stats[key] = self.stats.get(key, 0) + 1
        self.verify(n, kind, exp, moves, acked, p.pid, announced)

    def verify(self, n, kind, exp, moves, acked, pid, announced):
        where = "trial %d (%s, %s)" % (n, kind, "acknowledged" if acked else "killed")
        # 1. On disk right after the kill.
        found = {f: self.disk(f) for f in FOLDERS}
        for f in FOLDERS:
            want = dict((m, {(fl, True)}) for m, fl in self.model[f].items())
            for m, (fl, may_vanish) in exp.get(f, {}).items():
                if fl is None:  # removed (EXPUNGE, MOVE source)
                    want[m] = {(None, False)} if acked else {(self.model[f][m], True), (None, False)}
                elif may_vanish:  # added (APPEND, COPY, MOVE target)
                    want[m] = {(fl, True)} if acked else {(fl, True), (None, False)}
                else:  # flags changed
                    want[m] = {(fl, True)} if acked else {(fl, True), (self.model[f][m], True)}
            for m in set(want) | set(found[f]):
                got = (found[f][m][0], True) if m in found[f] else (None, False)
                check(m in want, "%s: unexpected message %s in %s" % (where, m, f))
                check(got in want[m], "%s: %s in %s is %r, expected one of %r"
                      % (where, m, f, got, want[m]))
        for src, dst, m in moves:
            check((m in found[src]) != (m in found[dst]),
                  "%s: moved %s is in %s" % (where, m, "both folders" if m in found[src]
                                               else "neither folder"))
        leftovers = {}
        for f in FOLDERS:
            self.check_uidlist(f)
            lock = os.path.join(self.dir(f), "dovecot-uidlist.lock")
            if os.path.exists(lock):
                with open(lock) as lf:
                    owner = lf.read().split(":")[0]
                # Empty when the kill came between creating and writing it.
                check(owner in ("", str(pid)), "%s: lock of %s left by pid %s"
                      % (where, f, owner))
                self.stats["stale lock"] = self.stats.get("stale lock", 0) + 1
            tmp = os.path.join(self.dir(f), "tmp")
            leftovers[f] = os.listdir(tmp)
            old = time.time() - 40 * 3600  # older than the 36 h limit
            for name in leftovers[f]:
                os.utime(os.path.join(tmp, name), (old, old))
            if leftovers[f]:
                self.stats["tmp leftover"] = self.stats.get("tmp leftover", 0) + 1
                os.utime(tmp, (time.time() - 9 * 3600, os.stat(tmp).st_mtime))
        # 2. The next session: appends (taking over the lock), selects, fetches.
        c, p = self.login()
        for f in FOLDERS:
            mid = self.mid()
            data = message(mid)
            lines, tagged = c.cmd(b"APPEND %s {%d+}\r\n" % (f.encode(), len(data)) + data)
            check(b" OK [APPENDUID " in tagged, "%s: recovery APPEND to %s: %r" % (where, f, tagged))
            uid = int(tagged.split(b" ")[4].rstrip(b"]"))
            check(uid > self.high[f], "%s: recovery APPEND got UID %d, not above %d"
                  % (where, uid, self.high[f]))
            announced[f, mid] = uid
            v = self.view(c, f)
            d = self.disk(f)
            check(set(v) == set(d), "%s: %s view %s differs from disk %s"
                  % (where, f, sorted(v), sorted(d)))
            nxt, recs = self.check_uidlist(f)
            for m, (fl, base) in d.items():
                check(base in recs, "%s: %s has no UID after recovery" % (where, base))
                check(recs[base] == v[m], "%s: %s UID %d on disk, %d in view"
                      % (where, m, recs[base], v[m]))
                if (f, m) in announced:
                    check(v[m] == announced[f, m], "%s: %s in %s announced UID %d, has %d"
                          % (where, m, f, announced[f, m], v[m]))
            check(not os.listdir(os.path.join(self.dir(f), "new")), "new/ emptied")
            for name in leftovers[f]:
                check(not os.path.exists(os.path.join(self.dir(f), "tmp", name)),
                      "%s: old tmp/ leftover %s not removed" % (where, name))
            self.model[f] = {m: fl for m, (fl, base) in d.items()}
            self.uids[f] = dict(recs)
            self.high[f] = max([self.high[f], nxt - 1] + list(recs.values()))
        c.ok(b"LOGOUT")
        c.close()
        check(p.wait() == 0, "imapd exit status %d" % p.returncode)
        for f in FOLDERS:
            check(not os.path.exists(os.path.join(self.dir(f), "dovecot-uidlist.lock")),
                  "%s: lock of %s still there after recovery" % (where, f))


def stale_locks(t):
    """Locks left by a creator that died before writing, or untouched for
    longer than the stale time, are broken by the next writer."""
    lock = os.path.join(t.dir("INBOX"), "dovecot-uidlist.lock")
    for content, age in ((b"", 10), (b"1:elsewhere.example", 200)):
        with open(lock, "wb") as f:
            f.write(content)
        then = time.time() - age
        os.utime(lock, (then, then))
        os.utime(os.path.join(t.dir("INBOX"), "dovecot-uidlist"), (then, then))
        c, p = t.login()
        mid = t.mid()
        data = message(mid)
        start = time.time()
        lines, tagged = c.cmd(b"APPEND INBOX {%d+}\r\n" % len(data) + data)
        check(b" OK " in tagged, "APPEND over a stale lock: %r" % tagged)
        check(time.time() - start < 30, "stale lock waited for")
        c.ok(b"LOGOUT")
        c.close()
        check(p.wait() == 0, "imapd exit status %d" % p.returncode)
        check(not os.path.exists(lock), "stale lock removed")
        t.model["INBOX"][mid] = ""


def main():
    srv = Server()
    t = Torture(srv)
    try:
        c, p = t.login()
        c.ok(b"CREATE Other")
        for f in FOLDERS:
            c.ok(b"SELECT " + f.encode())
        c.ok(b"LOGOUT")
        p.wait()
        for f in FOLDERS:
            t.check_uidlist(f)
        stale_locks(t)
        for f in FOLDERS:
            t.model[f] = {m: fl for m, (fl, b) in t.disk(f).items()}
            t.uids[f] = dict(t.check_uidlist(f)[1])
            t.high[f] = max(t.uids[f].values(), default=0)
        for n in range(TRIALS):
            t.trial(n)
        print("%d trials, seed %d: %s" % (TRIALS, SEED, ", ".join(
            "%s %d" % kv for kv in sorted(t.stats.items()))))
    except Exception:
        print("seed %d (TORTURE_SEED=%d reproduces)" % (SEED, SEED), file=sys.stderr)
        raise
    finally:
        srv.close()


if __name__ == "__main__":
    main()
