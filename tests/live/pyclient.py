#!/usr/bin/env python3
"""pyclient.py: drive one SMTP scenario with Python's smtplib and its debug output.

smtplib prints its debug trace ("send: ...", "reply: ...") on stderr; the capture scripts keep
stderr as the transcript.  Errors of the scenario itself (a refused recipient, a dropped
connection) are expected: they are reported on stdout, never in the trace, and the exit status
is 0 as long as the scenario ran.

    pyclient.py --port 25 --debuglevel 1 SCENARIO

debuglevel 1 gives plain lines, debuglevel 2 prefixes each with the time of day
("19:07:58.123456 send: ...").  Every socket operation has a timeout (--timeout, default 10 s).
"""
import argparse
import smtplib
import ssl
import sys

FROM = "sender@example.org"
HELO = "client.test.example"


def message(to, subject="smtplib test", body="Hello from smtplib.\r\n", size=0):
    head = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <pyclient@client.test.example>\r\n\r\n"
            % (FROM, to, subject))
    if size:
        line = "x" * 76 + "\r\n"
        body = line * (size // len(line) + 1)
    return head + body


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE   # snakeoil certificate
    return ctx


def connect(args):
    s = smtplib.SMTP(local_hostname=HELO, timeout=args.timeout)
    s.set_debuglevel(args.debuglevel)
    s._host = args.host      # SMTP() without a host leaves it empty; starttls() needs it (SNI)
    s.connect(args.host, args.port)
    return s


def safe_quit(s):
    try:
        s.quit()
    except (smtplib.SMTPException, OSError) as e:
        print("quit: %r" % (e,))


# --- scenarios against a well-behaved MTA (Postfix) -------------------------------------------
def sc_deliver(s, a):
    s.sendmail(FROM, ["alice@test.example"], message("alice@test.example"))
    safe_quit(s)


def sc_unknown_user(s, a):
    s.sendmail(FROM, ["carol@test.example"], message("carol@test.example"))


def sc_relay_denied(s, a):
    s.sendmail(FROM, ["someone@example.org"], message("someone@example.org"))


def sc_mixed_rcpt(s, a):
    rcpts = ["alice@test.example", "carol@test.example", "someone@example.org", "bob@test.example"]
    refused = s.sendmail(FROM, rcpts, message(", ".join(rcpts)))
    print("refused: %r" % (refused,))
    safe_quit(s)


def sc_starttls(s, a):
    s.ehlo()
    s.starttls(context=tls_context())
    s.ehlo()
    s.sendmail(FROM, ["alice@test.example"], message("alice@test.example", "over TLS"))
    safe_quit(s)


def sc_tls_required(s, a):
    """Port 587 without STARTTLS: MAIL gets 530 5.7.0 Must issue a STARTTLS command first."""
    s.sendmail(FROM, ["alice@test.example"], message("alice@test.example"))


def sc_auth_fail(s, a):
    s.ehlo()
    s.starttls(context=tls_context())
    s.ehlo()
    s.login("alice@mx.test.example", "wrong-password")


def sc_auth_ok(s, a):
    s.ehlo()
    s.starttls(context=tls_context())
    s.ehlo()
    s.login("alice@mx.test.example", "secret")
    s.sendmail("alice@test.example", ["someone@example.org"], message("someone@example.org"))
    safe_quit(s)


def sc_auth_not_offered(s, a):
    """AUTH on port 25 where AUTH is not offered: Postfix answers 503 5.5.1."""
    s.ehlo()
    s.docmd("AUTH", "PLAIN AGFsaWNlQG14LnRlc3QuZXhhbXBsZQBzZWNyZXQ=")
    safe_quit(s)


def sc_auth_plain_cleartext(s, a):
    """Port 10587 offers AUTH without TLS: a successful AUTH PLAIN in clear text."""
    s.ehlo()
    s.user, s.password = "alice@mx.test.example", "secret"
    s.auth("PLAIN", s.auth_plain, initial_response_ok=True)
    s.sendmail("alice@test.example", ["bob@test.example"], message("bob@test.example"))
    safe_quit(s)


def sc_auth_cram_cleartext(s, a):
    """Port 10587 without TLS: login() picks CRAM-MD5 (its first choice), a 334 challenge."""
    s.ehlo()
    s.login("alice@mx.test.example", "secret")
    s.sendmail("alice@test.example", ["bob@test.example"], message("bob@test.example"))
    safe_quit(s)


def sc_oversize(s, a):
    """sendmail() adds SIZE=<len> since the server advertises SIZE: 552 5.3.4 to MAIL."""
    s.sendmail(FROM, ["alice@test.example"], message("alice@test.example", size=120000))


def sc_size_param(s, a):
    s.ehlo()
    s.mail(FROM, ["SIZE=999999999"])
    safe_quit(s)


def sc_vrfy_expn_help(s, a):
    s.ehlo()
    s.verify("alice")
    s.verify("carol")
    s.expn("alice")
    s.help()
    s.noop()
    s.rset()
    safe_quit(s)


def sc_bad_command(s, a):
    s.ehlo()
    s.docmd("FOO", "bar")
    s.noop()
    safe_quit(s)


def sc_early_quit(s, a):
    s.ehlo()
    s.mail(FROM)
    safe_quit(s)


def sc_helo(s, a):
    s.helo()
    s.sendmail(FROM, ["bob@test.example"], message("bob@test.example", "sent after HELO"))
    safe_quit(s)


def sc_dotstuff(s, a):
    body = "line one\r\n.line starting with a dot\r\n..two dots\r\n.\r\nnot the end\r\n"
    s.sendmail(FROM, ["alice@test.example"], message("alice@test.example", "dot stuffing", body))
    safe_quit(s)


# --- scenarios against tests/live/badserver.py ------------------------------------------------
def sc_plain_session(s, a):
    """A normal session (EHLO, MAIL, RCPT, DATA, QUIT); the server decides what goes wrong."""
    s.ehlo()
    s.mail(FROM)
    code, _ = s.rcpt("alice@test.example")
    if code in (250, 251):
        s.data(message("alice@test.example"))
    safe_quit(s)


def sc_rcpt_before_mail(s, a):
    s.ehlo()
    s.rcpt("alice@test.example")
    safe_quit(s)


def sc_data_without_rcpt(s, a):
    s.ehlo()
    s.mail(FROM)
    code, _ = s.docmd("DATA")
    if code == 354:
        # the server asked for data: send a minimal message and the terminator
        s.send(b"Subject: no recipient\r\n\r\nbody\r\n.\r\n")
        s.getreply()
    safe_quit(s)


def sc_helo_session(s, a):
    s.helo()
    s.mail(FROM)
    s.rcpt("alice@test.example")
    safe_quit(s)


def sc_noop_quit(s, a):
    s.ehlo()
    s.noop()
    safe_quit(s)


def sc_nonstandard(s, a):
    s.ehlo()
    s.mail(FROM)
    s.rcpt("carol@test.example")
    s.rcpt("alice@test.example")
    s.noop()
    safe_quit(s)


def sc_login_plain(s, a):
    s.ehlo()
    s.login("alice", "secret", initial_response_ok=True)
    s.sendmail(FROM, ["alice@test.example"], message("alice@test.example"))
    safe_quit(s)


SCENARIOS = {name[3:].replace("_", "-"): fn for name, fn in globals().items()
             if name.startswith("sc_")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("--debuglevel", type=int, default=1, choices=(1, 2))
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    a = ap.parse_args()
    try:
        s = connect(a)
    except (smtplib.SMTPException, OSError) as e:
        print("connect: %r" % (e,))
        return 0
    try:
        SCENARIOS[a.scenario](s, a)
    except (smtplib.SMTPException, OSError, ValueError) as e:
        print("scenario %s: %s: %s" % (a.scenario, type(e).__name__, e))
    finally:
        try:
            s.close()
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
