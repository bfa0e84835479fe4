#!/usr/bin/env python3
"""Logs in over TCP and, while the session is open, reads the uid and gid of
the imapd process serving it from /proc (the process whose socket has the
client's port as its peer). Prints "uid gid" before and after LOGIN, and
"caps CapEff CapBnd NoNewPrivs" before it.

privdrop.py PORT USER PASSWORD
"""
import imaplib
import os
import sys


def serving_pid(client_port):
    """The pid of the process holding the server end of our connection."""
    inode = None
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        rem_port = int(f[2].split(":")[1], 16)
        if rem_port == client_port and f[3] == "01":  # ESTABLISHED
            inode = f[9]
    if inode is None:
        return None
    target = "socket:[%s]" % inode
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir("/proc/%s/fd" % pid):
                if os.readlink("/proc/%s/fd/%s" % (pid, fd)) == target:
                    return pid
        except OSError:
            continue
    return None


def ids(pid):
    uid = gid = None
    for line in open("/proc/%s/status" % pid):
        if line.startswith("Uid:"):
            uid = line.split()[1:]
        if line.startswith("Gid:"):
            gid = line.split()[1:]
    return uid, gid


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
    pid = serving_pid(m.sock.getsockname()[1])
    assert pid, "no process found for the connection"
    print("before", *ids(pid))
    print("caps", caps(pid))
    typ, data = m.login(user, password)
    assert typ == "OK", data
    m.noop()
    print("after", *ids(pid))
    m.logout()


if __name__ == "__main__":
    main()
