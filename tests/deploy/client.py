#!/usr/bin/env python3
"""A real IMAP client session for the deployment tests.

client.py HOST PORT USER PASSWORD: CAPABILITY, LOGIN, NOOP, LOGOUT with
imaplib; exits 0 when every answer is the expected one, prints what it saw.
"""
import imaplib
import sys


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    m = imaplib.IMAP4(host, port, timeout=20)
    print("greeting:", m.welcome.decode(errors="replace"))
    typ, data = m.capability()
    print("CAPABILITY", typ, data)
    assert typ == "OK" and b"IMAP4rev1" in data[0], data
    typ, data = m.login(user, password)
    print("LOGIN", typ, data)
    assert typ == "OK", data
    typ, data = m.noop()
    print("NOOP", typ, data)
    assert typ == "OK", data
    typ, data = m.logout()
    print("LOGOUT", typ, data)
    assert typ == "BYE", data
    print("session ok")


if __name__ == "__main__":
    main()
