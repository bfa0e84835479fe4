#!/usr/bin/env python3
"""Logs in over TCP and, while the session is open, reads the uid and gid of
the imapd process serving it from /proc (the process whose socket has the
client's port as its peer): one line "WHEN UIDS GIDS" per process before
and after LOGIN, and "caps CapEff CapBnd NoNewPrivs" for those running as
root.

privdrop.py PORT USER PASSWORD
"""
import imaplib
import os
import sys


def serving_pids(client_port):
    """The pids of the processes holding the server end of our connection."""
    inode = None
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        rem_port = int(f[2].split(":")[1], 16)
        if rem_port == client_port and f[3] == "01":  # ESTABLISHED
            inode = f[9]
    if inode is None:
        return []
    target = "socket:[%s]" % inode
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == target:
                    pids.append(pid)
                    break
        except OSError:
            continue
    return pids


def ids(pid):
    uid = gid = None
    for line in open("/proc/%s/status" % pid):
        if line.startswith("Uid:"):
            uid = ",".join(line.split()[1:])
        if line.startswith("Gid:"):
            gid = ",".join(line.split()[1:])
    return "%s %s" % (uid, gid)


def report(when, pids):
    """One line per process: WHEN UIDS GIDS (real,effective,saved,fs),
    sorted; and the capabilities of the root ones."""
    lines = sorted("%s %s" % (when, ids(p)) for p in pids)
    for line in lines:
        print(line)
    for p in pids:
        if ids(p).startswith("0,"):
            print("caps", caps(p))


def caps(pid):
    """CapEff, CapBnd and NoNewPrivs of the process."""
    out = {}
    for line in open("/proc/%s/status" % pid):
        k, _, v = line.partition(":")
        if k in ("CapEff", "CapBnd", "NoNewPrivs"):
            out[k] = v.strip()
    return "%s %s %s" % (out["CapEff"], out["CapBnd"], out["NoNewPrivs"])


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    port_here = m.sock.getsockname()[1]
    pids = serving_pids(port_here)
    assert pids, "no process found for the connection"
    report("before", pids)
    typ, data = m.login(user, password)
    assert typ == "OK", data
    m.noop()
    report("after", serving_pids(port_here))
    m.logout()


if __name__ == "__main__":
    main()
