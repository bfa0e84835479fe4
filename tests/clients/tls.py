"""TLS with real clients: python's ssl module and gnutls-cli, on the
STARTTLS port and the implicit TLS port, plus the STARTTLS injection case."""
import imaplib
import socket
import ssl
import subprocess
import sys

from imapdtest import Server, check

srv = Server(extra_config="treat_loopback_as_remote = yes")
try:
    ctx = ssl.create_default_context(cafile=srv.cert)

    # STARTTLS: no plaintext login before, a fresh capability list after.
    m = imaplib.IMAP4("127.0.0.1", srv.port)
    check("STARTTLS" in m.capabilities, "STARTTLS advertised")
    check("LOGINDISABLED" in m.capabilities, "LOGINDISABLED before TLS")
    try:
        m.login("demo", "demo")
        check(False, "LOGIN before TLS must fail")
    except imaplib.IMAP4.error as e:
        check("PRIVACYREQUIRED" in str(e), "PRIVACYREQUIRED: %s" % e)
    m.starttls(ssl_context=ctx)
    check("STARTTLS" not in m.capabilities, "no STARTTLS after TLS")
    check("LOGINDISABLED" not in m.capabilities, "login allowed after TLS")
    check(m.login("demo", "demo")[0] == "OK", "login over STARTTLS")
    m.logout()

    # STARTTLS is refused once TLS is on.
    s = socket.create_connection(("127.0.0.1", srv.tls_port))
    t = ctx.wrap_socket(s, server_hostname="localhost")
    f = t.makefile("rb")
    check(f.readline().startswith(b"* OK"), "greeting over implicit TLS")
    t.sendall(b"a STARTTLS\r\n")
    check(f.readline().startswith(b"a BAD"), "STARTTLS refused under TLS")
    t.sendall(b"b LOGIN demo demo\r\n")
    check(f.readline().startswith(b"b OK"), "login over implicit TLS")
    t.sendall(b"c LOGOUT\r\n")
    t.close()

    # Commands pipelined after STARTTLS were sent in the clear: discarded.
    s = socket.create_connection(("127.0.0.1", srv.port))
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"a STARTTLS\r\nb LOGIN demo demo\r\n")
    check(f.readline().startswith(b"a OK"), "STARTTLS accepted")
    t = ctx.wrap_socket(s, server_hostname="localhost")
    f = t.makefile("rb")
    t.sendall(b"c NOOP\r\n")
    line = f.readline()
    check(line.startswith(b"c OK"), "injected command was not run: %r" % line)
    t.sendall(b"d LOGOUT\r\n")
    t.close()

    # implicit TLS with imaplib
    m = imaplib.IMAP4_SSL("127.0.0.1", srv.tls_port, ssl_context=ctx)
    check(m.login("demo", "demo")[0] == "OK", "IMAP4_SSL login")
    check(m.select("INBOX")[0] == "OK", "select over TLS")
    m.logout()

    # gnutls-cli on both ports, verifying the certificate. Its stdin stays
    # open until the answer is in: at end of input it hangs up at once.
    def gnutls_cli(args, commands, until):
        p = subprocess.Popen(["gnutls-cli", "--x509cafile", srv.cert] + args + ["localhost"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        out = b""
        try:
            for line in p.stdout:
                out += line
                if b"Simple Client Mode" in line and commands:
                    p.stdin.write(commands)
                    p.stdin.flush()
                    commands = b""
                if line.startswith(until):
                    break
        finally:
            p.kill()
            p.wait()
        return out

    out = gnutls_cli(["-p", str(srv.tls_port)], b"a1 LOGOUT\r\n", b"a1 ")
    check(b"* OK [CAPABILITY" in out and b"a1 OK" in out, "gnutls-cli implicit TLS: %r" % out[-300:])
    out = gnutls_cli(["--starttls-proto=imap", "-p", str(srv.port)],
                     b"a1 CAPABILITY\r\n", b"a1 ")
    caps = [l for l in out.split(b"\n") if l.startswith(b"* CAPABILITY")]
    check(b"a1 OK" in out and caps and b"STARTTLS" not in caps[-1],
          "gnutls-cli STARTTLS: %r" % out[-400:])
    check("tls: TLSv1.3" in srv.log_text(), "TLS logged")
finally:
    srv.close()

# A certificate that cannot be read: no TLS, and the log names the file.
srv = Server(extra_config="tls_cert = /nonexistent/cert.pem")
try:
    s = socket.create_connection(("127.0.0.1", srv.tls_port))
    try:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.wrap_socket(s, server_hostname="localhost")
        check(False, "handshake must fail")
    except (ssl.SSLError, OSError):
        pass
    import time
    for _ in range(100):
        if "/nonexistent/cert.pem" in srv.log_text():
            break
        time.sleep(0.05)
    check("/nonexistent/cert.pem" in srv.log_text(), "log names the certificate file")
    r = subprocess.run([__import__("imapdtest").IMAPD, "--check-config", "--config", srv.config],
                       capture_output=True)
    check(r.returncode != 0 and b"/nonexistent/cert.pem" in r.stderr,
          "--check-config reports the certificate: %r" % r.stderr)
finally:
    srv.close()
print("tls: all checks passed")
