"""AUTHENTICATE SCRAM-SHA-256 (RFC 7677) end to end: a client written from
the RFC against a passwd-file entry made by `imapd --hash`, with and without
SASL-IR, and a wrong password."""
import base64
import hashlib
import hmac
import os
import socket
import subprocess

from imapdtest import IMAPD, Server, check

srv = Server(extra_config="treat_loopback_as_remote = yes\nauth_mechanisms = PLAIN SCRAM-SHA-256")
try:
    line = subprocess.run([IMAPD, "--hash", "--scheme", "SCRAM-SHA-256", "demo"],
                          input=b"s3cret\n", capture_output=True, check=True).stdout.decode().strip()
    check(line.startswith("demo:{SCRAM-SHA-256}"), "hash line: %r" % line)
    with open(os.path.join(srv.dir, "passwd"), "w") as f:
        f.write("%s:%d:%d::%s::\n" % (line, srv.uid, srv.gid, srv.home))

    def scram(password, ir):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        f = s.makefile("rb")
        greeting = f.readline()
        # Without TLS and with loopback treated as remote, PLAIN is not
        # offered, but SCRAM (no password on the wire) is.
        check(b"AUTH=SCRAM-SHA-256" in greeting and b"AUTH=PLAIN" not in greeting,
              "greeting: %r" % greeting)
        cnonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = "n=demo,r=" + cnonce
        first = "n,," + first_bare
        b64 = base64.b64encode(first.encode()).decode()
        if ir:
            s.sendall(("a AUTHENTICATE SCRAM-SHA-256 %s\r\n" % b64).encode())
        else:
            s.sendall(b"a AUTHENTICATE SCRAM-SHA-256\r\n")
            check(f.readline().startswith(b"+"), "empty challenge")
            s.sendall((b64 + "\r\n").encode())
        chal = f.readline()
        check(chal.startswith(b"+ "), "server-first: %r" % chal)
        server_first = base64.b64decode(chal[2:].strip()).decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        check(attrs["r"].startswith(cnonce), "nonce extends ours")
        salt = base64.b64decode(attrs["s"])
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = "c=biws,r=" + attrs["r"]
        auth_msg = ",".join([first_bare, server_first, final_bare]).encode()
        sig = hmac.new(stored_key, auth_msg, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        final = final_bare + ",p=" + base64.b64encode(proof).decode()
        s.sendall((base64.b64encode(final.encode()).decode() + "\r\n").encode())
        resp = f.readline()
        result = None
        if resp.startswith(b"+ "):
            server_final = base64.b64decode(resp[2:].strip()).decode()
            server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
            want = base64.b64encode(hmac.new(server_key, auth_msg, hashlib.sha256).digest()).decode()
            check(server_final == "v=" + want, "server signature verifies")
            s.sendall(b"\r\n")
            resp = f.readline()
        result = resp
        s.sendall(b"z LOGOUT\r\n")
        s.close()
        return result

    r = scram("s3cret", ir=True)
    check(r.startswith(b"a OK"), "SCRAM with SASL-IR: %r" % r)
    r = scram("s3cret", ir=False)
    check(r.startswith(b"a OK"), "SCRAM without SASL-IR: %r" % r)
    r = scram("wrong", ir=True)
    check(r.startswith(b"a NO [AUTHENTICATIONFAILED]"), "wrong password: %r" % r)
finally:
    srv.close()
print("scram: all checks passed")

# Out of the box only PLAIN is offered: SCRAM needs stored SCRAM secrets.
srv = Server()
try:
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    greeting = s.makefile("rb").readline()
    check(b"AUTH=PLAIN" in greeting and b"SCRAM" not in greeting, "default: %r" % greeting)
    s.close()
finally:
    srv.close()
