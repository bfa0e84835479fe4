"""Concurrency torture: while an MDA delivers messages into new/ (tmp/ then
rename, as Postfix does), several sessions keep INBOX selected and loop over
NOOP, FETCH 1:* (UID FLAGS) and short IDLEs, and another session sets flags
and expunges. Every session's view must stay valid all along:

  - UIDs ascend with sequence numbers and a message never changes its UID;
  - EXISTS never shrinks, EXPUNGE names a message of the view, FETCH too;
  - a UID that left a view never comes back, and it left because the
    message is really gone from the disk.

At the end (after a NOOP and FETCH 1:*) every view equals the messages on
disk, with the UIDs of the UID list, and every delivered message was seen
exactly once: it is on disk once or it was expunged by the expunger.

TORTURE_MESSAGES sets how many are delivered (300; 2,000 with TORTURE=1).
"""
import os
import random
import re
import socket
import threading
import time

from imapdtest import Server, check, maildir_files, read_uidlist, spawn

COUNT = int(os.environ.get("TORTURE_MESSAGES", "2000" if os.environ.get("TORTURE") else "300"))
WATCHERS = 4
MID = re.compile(rb"Message-ID: <([^@>]+)@mda>")
rnd = random.Random(int(os.environ.get("TORTURE_SEED", "0")) or None)


class View:
    """A session's idea of the mailbox, checked at every response."""

    def __init__(self, name):
        self.name = name
        self.uids = []        # by sequence number; None until a FETCH tells
        self.gone = set()     # UIDs expunged from this view
        self.expunges = 0

    def fail(self, what, ln):
        raise AssertionError("%s: %s: %r" % (self.name, what, ln[:200]))

    def untagged(self, ln):
        m = re.match(rb"\* (\d+) (EXISTS|EXPUNGE|FETCH)\b", ln)
        if not m:
            return
        n, kind = int(m.group(1)), m.group(2)
        if kind == b"EXISTS":
            if n < len(self.uids):
                self.fail("EXISTS %d shrinks a view of %d" % (n, len(self.uids)), ln)
            self.uids += [None] * (n - len(self.uids))
        elif kind == b"EXPUNGE":
            if not 1 <= n <= len(self.uids):
                self.fail("EXPUNGE of %d in a view of %d" % (n, len(self.uids)), ln)
            uid = self.uids.pop(n - 1)
            if uid is not None:
                self.gone.add(uid)
            self.expunges += 1
        else:
            if not 1 <= n <= len(self.uids):
                self.fail("FETCH of %d in a view of %d" % (n, len(self.uids)), ln)
            u = re.search(rb"UID (\d+)", ln)
            if not u:
                return
            uid = int(u.group(1))
            if self.uids[n - 1] not in (None, uid):
                self.fail("message %d changed UID %d -> %d" % (n, self.uids[n - 1], uid), ln)
            if uid in self.gone:
                self.fail("expunged UID %d came back" % uid, ln)
            lower = [x for x in self.uids[:n - 1] if x is not None]
            higher = [x for x in self.uids[n:] if x is not None]
            if (lower and lower[-1] >= uid) or (higher and higher[0] <= uid):
                self.fail("UID %d out of order at %d" % (uid, n), ln)
            self.uids[n - 1] = uid


class Session:
    def __init__(self, srv, name):
        self.c, self.p = spawn(srv.config)
        self.view = View(name)
        check(self.c.line().startswith(b"* OK"), "greeting")
        self.ok(b"LOGIN demo demo")
        self.ok(b"SELECT INBOX")

    def cmd(self, text):
        t = self.c.tag()
        self.c.send(t + b" " + text + b"\r\n")
        while True:
            ln = self.c.line()
            if ln.startswith(t + b" "):
                return ln
            self.view.untagged(ln)

    def ok(self, text):
        tagged = self.cmd(text)
        check(tagged.split(b" ")[1] == b"OK", "%s: %r -> %r" % (self.view.name, text, tagged))
        return tagged

    def idle(self, secs):
        t = self.c.tag()
        self.c.send(t + b" IDLE\r\n")
        check(self.c.line().startswith(b"+"), "IDLE continuation")
        end = time.time() + secs
        while time.time() < end:
            try:
                ln = self.c.line(timeout=max(0.01, end - time.time()))
            except socket.timeout:
                break
            self.view.untagged(ln)
        self.c.send(b"DONE\r\n")
        while True:
            ln = self.c.line()
            if ln.startswith(t + b" "):
                check(b" OK" in ln, "IDLE ends OK")
                return
            self.view.untagged(ln)

    def final(self):
        """NOOP, then FETCH 1:*: {mid: uid}, checked against the tracked view."""
        self.ok(b"NOOP")
        t = self.c.tag()
        self.c.send(t + b" FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n"
                    if self.view.uids else t + b" NOOP\r\n")
        seen = {}
        while True:
            ln = self.c.line()
            if ln.startswith(t + b" "):
                check(b" OK " in ln, "final FETCH")
                break
            self.view.untagged(ln)
            m = MID.search(ln)
            if m:
                mid = m.group(1).decode()
                check(mid not in seen, "%s: %s twice in the view" % (self.view.name, mid))
                seen[mid] = int(re.search(rb"UID (\d+)", ln).group(1))
        check(sorted(seen.values()) == self.view.uids,
              "%s: final FETCH differs from the tracked view" % self.view.name)
        self.ok(b"LOGOUT")
        self.c.close()
        check(self.p.wait() == 0, "imapd exit status %d" % self.p.returncode)
        return seen


def mda(srv, delivered, done):
    """Delivers like Postfix: write into tmp/, then rename into new/."""
    host = socket.gethostname()
    for i in range(COUNT):
        mid = "d%d" % i
        name = "%d.M%dP%dQ%d.%s" % (int(time.time()), i, os.getpid(), i, host)
        tmp = os.path.join(srv.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(b"Message-ID: <%s@mda>\nSubject: delivery %d\n\n%s\n"
                    % (mid.encode(), i, b"x" * rnd.randrange(10, 3000)))
            os.fchown(f.fileno(), srv.uid, srv.gid)
        os.rename(tmp, os.path.join(srv.maildir, "new", name))
        delivered.append(mid)
        time.sleep(0.002)  # spread over a few seconds, so the sessions keep up with it
    done.set()


def watcher(s, done, errors):
    try:
        while not done.is_set():
            k = rnd.random()
            if k < 0.4:
                s.ok(b"NOOP")
            elif k < 0.7:
                if s.view.uids:
                    # Another process may have removed a message: RFC 9051 7.1.
                    tagged = s.cmd(b"FETCH 1:* (UID FLAGS)")
                    check(b" OK " in tagged or b" NO [EXPUNGEISSUED]" in tagged,
                          "%s: FETCH -> %r" % (s.view.name, tagged))
            else:
                s.idle(rnd.uniform(0.02, 0.2))
    except Exception as e:  # reported by the main thread
        errors.append(e)


def expunger(s, done, expunged, errors):
    try:
        while True:
            last = done.is_set()
            s.ok(b"NOOP")
            n = len(s.view.uids)
            if n:
                # Flag a few, delete a few (remembering which messages), expunge.
                seqs = rnd.sample(range(1, n + 1), min(n, rnd.randint(1, 8)))
                s.ok(b"STORE %s +FLAGS.SILENT (\\Seen)" % b",".join(b"%d" % q for q in seqs))
                dels = rnd.sample(range(1, n + 1), min(n, rnd.randint(1, 4)))
                t = s.c.tag()
                s.c.send(t + b" FETCH %s (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n"
                         % b",".join(b"%d" % q for q in dels))
                mids = []
                while True:
                    ln = s.c.line()
                    if ln.startswith(t + b" "):
                        break
                    s.view.untagged(ln)
                    m = MID.search(ln)
                    if m:
                        mids.append(m.group(1).decode())
                check(len(mids) == len(dels), "expunger: FETCH of the messages to delete")
                s.ok(b"STORE %s +FLAGS.SILENT (\\Deleted)" % b",".join(b"%d" % q for q in dels))
                before = s.view.expunges
                s.ok(b"EXPUNGE")
                check(s.view.expunges - before == len(mids),
                      "expunger: EXPUNGE reported %d of %d" % (s.view.expunges - before, len(mids)))
                expunged.extend(mids)
            if last:
                return
            time.sleep(rnd.uniform(0, 0.02))
    except Exception as e:
        errors.append(e)


def main():
    srv = Server()
    try:
        sessions = [Session(srv, "watcher %d" % i) for i in range(WATCHERS)]
        ex = Session(srv, "expunger")
        delivered, expunged, errors = [], [], []
        done = threading.Event()
        threads = [threading.Thread(target=mda, args=(srv, delivered, done))]
        threads += [threading.Thread(target=watcher, args=(s, done, errors)) for s in sessions]
        threads.append(threading.Thread(target=expunger, args=(ex, done, expunged, errors)))
        start = time.time()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=600)
        check(not any(th.is_alive() for th in threads), "threads finished")
        if errors:
            raise errors[0]
        check(len(delivered) == COUNT, "all delivered")
        check(len(set(expunged)) == len(expunged), "a message expunged twice")
        # What is on disk, numbered by the UID list.
        files = maildir_files(srv.maildir)
        _, _, recs = read_uidlist(os.path.join(srv.maildir, "dovecot-uidlist"))
        disk = {}
        for sub, name, base, flags, data in files:
            mid = MID.search(data).group(1).decode()
            check(mid not in disk, "%s twice on disk" % mid)
            check(base in recs, "%s has no UID" % name)
            disk[mid] = recs[base]
        check(set(disk) | set(expunged) == set(delivered), "delivered messages lost")
        check(not set(disk) & set(expunged), "expunged messages still on disk")
        for s in sessions + [ex]:
            told = s.view.gone & set(disk.values())
            check(not told, "%s: told EXPUNGE for UIDs still on disk: %s"
                  % (s.view.name, sorted(told)[:10]))
            seen = s.final()
            check(seen == disk, "%s: final view (%d) differs from disk (%d)"
                  % (s.view.name, len(seen), len(disk)))
        print("%d delivered, %d expunged, %d left, %d sessions, %.1f s" % (
            COUNT, len(expunged), len(disk), WATCHERS + 1, time.time() - start))
    finally:
        if os.environ.get("KEEP"):
            print(srv.dir)
        else:
            srv.close()


if __name__ == "__main__":
    main()
