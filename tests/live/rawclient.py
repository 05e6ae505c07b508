#!/usr/bin/env python3
"""rawclient.py: a scripted raw-socket SMTP client that writes an RFC-style C:/S: transcript.

    rawclient.py --port 12625 --out FILE SCENARIO

The transcript keeps the exact wire bytes: every line the client wrote becomes "C: " + the
line + its real terminator, every line the server sent becomes "S: " + the line + its real
terminator (CRLF, or a bare LF where one was sent).  A bare CR inside a line stays inside it.
Lines appear in the order they crossed the wire: commands written in one go (pipelining)
appear together, followed by their replies.

After each write the client reads until the replies it expects are complete, then keeps
reading until the server has been silent for --idle seconds (default 0.3), so unsolicited or
extra replies land where they arrived.  Every read has a timeout (--timeout, default 10 s).
Python 3 standard library only.
"""
import argparse
import socket
import sys
import time

HELO = b"client.test.example"
FROM = b"sender@example.org"


def msg(subject=b"raw client test", body=b"Hello.\r\n"):
    return (b"From: <" + FROM + b">\r\nTo: <alice@test.example>\r\nSubject: " + subject
            + b"\r\n\r\n" + body)


EHLO = b"EHLO " + HELO + b"\r\n"
MAIL = b"MAIL FROM:<" + FROM + b">\r\n"
RCPT = b"RCPT TO:<alice@test.example>\r\n"
QUIT = b"QUIT\r\n"

# A scenario is a list of steps:
#   ("greet",)            read the greeting
#   ("cmd", BYTES)        write BYTES, read one reply
#   ("group", BYTES, N)   write BYTES (several commands, or data) in one go, read N replies
#   ("early", BYTES)      write BYTES before reading the greeting
#   ("eof",)              read until the server closes (or --timeout)
#   ("pause", SECONDS)
SMUGGLE = (msg(b"first message", b"This is the first message.\r\n")
           # the smuggling terminator <LF>.<LF>, then a second transaction hidden in the data
           + b"\n.\n"
           + b"MAIL FROM:<admin@test.example>\r\nRCPT TO:<alice@test.example>\r\nDATA\r\n"
           + b"From: <admin@test.example>\r\nSubject: smuggled\r\n\r\nSmuggled message.\r\n"
           + b".\r\n")
PLAIN_SESSION = [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", RCPT), ("cmd", b"DATA\r\n"),
                 ("group", msg() + b".\r\n", 1), ("cmd", QUIT), ("eof",)]

SCRIPTS = {
    # --- against tests/live/badserver.py --------------------------------------------------
    "bad-greeting": [("greet",), ("cmd", EHLO), ("cmd", QUIT), ("eof",)],
    "rcpt-before-mail": [("greet",), ("cmd", EHLO), ("cmd", RCPT), ("cmd", QUIT), ("eof",)],
    "data-without-rcpt": [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", b"DATA\r\n"),
                          ("group", msg() + b".\r\n", 1), ("cmd", QUIT), ("eof",)],
    "334-to-mail": [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", b"RSET\r\n"),
                    ("cmd", QUIT), ("eof",)],
    "354-to-rcpt": [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", RCPT), ("cmd", b"RSET\r\n"),
                    ("cmd", QUIT), ("eof",)],
    "multiline-code-mismatch": PLAIN_SESSION,
    "malformed-letter": PLAIN_SESSION,
    "malformed-4digit": PLAIN_SESSION,
    "malformed-nospace": PLAIN_SESSION,
    "nonstandard-codes": [("greet",), ("cmd", EHLO), ("cmd", MAIL),
                          ("cmd", b"RCPT TO:<carol@test.example>\r\n"), ("cmd", RCPT),
                          ("cmd", b"NOOP\r\n"), ("cmd", QUIT), ("eof",)],
    "enhanced-code-mismatch": [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", RCPT),
                               ("cmd", QUIT), ("eof",)],
    "unsolicited-reply": [("greet",), ("cmd", EHLO), ("cmd", b"NOOP\r\n"), ("cmd", QUIT),
                          ("eof",)],
    "helo-multiline": [("greet",), ("cmd", b"HELO " + HELO + b"\r\n"), ("cmd", MAIL),
                       ("cmd", RCPT), ("cmd", QUIT), ("eof",)],
    "221-to-noop": [("greet",), ("cmd", EHLO), ("cmd", b"NOOP\r\n"), ("eof",)],
    "reply-after-221": [("greet",), ("cmd", EHLO), ("cmd", b"NOOP\r\n"), ("cmd", QUIT), ("eof",)],
    "bare-lf": PLAIN_SESSION,
    "long-reply": PLAIN_SESSION,
    "smuggling": [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", RCPT), ("cmd", b"DATA\r\n"),
                  ("group", SMUGGLE, 5), ("cmd", QUIT), ("eof",)],
    "pipelining-not-advertised": [("greet",), ("cmd", EHLO),
                                  ("group", MAIL + RCPT + b"DATA\r\n", 3),
                                  ("group", msg() + b".\r\n", 1), ("cmd", QUIT), ("eof",)],
    "auth-plain-no-tls": [("greet",), ("cmd", EHLO),
                          # AUTH PLAIN with initial response: \0alice\0secret
                          ("cmd", b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"),
                          ("cmd", MAIL), ("cmd", RCPT), ("cmd", b"DATA\r\n"),
                          ("group", msg() + b".\r\n", 1), ("cmd", QUIT), ("eof",)],
    "command-after-quit": [("greet",), ("cmd", EHLO), ("cmd", QUIT),
                           ("group", b"NOOP\r\n", 0), ("eof",)],
    "early-talker": [("early", EHLO), ("greet",), ("cmd", QUIT), ("eof",)],

    # --- against a real MTA (Postfix on 127.0.0.1:25) ---------------------------------------
    "size-param": [("greet",), ("cmd", EHLO), ("cmd", b"MAIL FROM:<" + FROM + b"> SIZE=999999999\r\n"),
                   ("cmd", QUIT), ("eof",)],
    "bad-command": [("greet",), ("cmd", EHLO), ("cmd", b"FOO bar\r\n"), ("cmd", b"NOOP\r\n"),
                    ("cmd", QUIT), ("eof",)],
    "vrfy-expn-help": [("greet",), ("cmd", b"NOOP\r\n"), ("cmd", b"HELP\r\n"), ("cmd", EHLO),
                       ("cmd", b"VRFY alice\r\n"), ("cmd", b"VRFY carol\r\n"),
                       ("cmd", b"EXPN alice\r\n"), ("cmd", b"RSET\r\n"), ("cmd", QUIT), ("eof",)],
    # PIPELINING is advertised by Postfix: a legitimate pipelined transaction
    "pipelining": [("greet",), ("cmd", EHLO),
                   ("group", MAIL + RCPT + b"RCPT TO:<carol@test.example>\r\n"
                    + b"RCPT TO:<bob@test.example>\r\nDATA\r\n", 5),
                   ("group", msg(b"pipelined") + b".\r\n", 1), ("cmd", QUIT), ("eof",)],
    "out-of-order": [("greet",), ("cmd", RCPT), ("cmd", EHLO), ("cmd", RCPT), ("cmd", b"DATA\r\n"),
                     ("cmd", MAIL), ("cmd", MAIL), ("cmd", b"DATA\r\n"), ("cmd", QUIT), ("eof",)],
    "early-quit": [("greet",), ("cmd", EHLO), ("cmd", MAIL), ("cmd", QUIT), ("eof",)],
    "deliver": PLAIN_SESSION,
    # AUTH where the server does not offer it (Postfix port 25: 503 5.5.1)
    "auth-not-offered": [("greet",), ("cmd", EHLO),
                         ("cmd", b"AUTH PLAIN AGFsaWNlQG14LnRlc3QuZXhhbXBsZQBzZWNyZXQ=\r\n"),
                         ("cmd", QUIT), ("eof",)],
}
# the smuggling attempt against a real MTA is the same script as against the bad server
SCRIPTS["smuggling-postfix"] = SCRIPTS["smuggling"]


class Client:
    def __init__(self, host, port, out, timeout, idle):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.out = out
        self.timeout = timeout
        self.idle = idle
        self.buf = b""
        self.eof = False

    def log(self, prefix, data):
        """Write DATA as transcript lines, each with its real terminator."""
        while data:
            i = data.find(b"\n")
            if i < 0:
                line, data = data, b""
            else:
                line, data = data[:i + 1], data[i + 1:]
            self.out.write(prefix + line)

    def write(self, data):
        self.log(b"C: ", data)
        self.sock.sendall(data)

    def recv(self, timeout):
        if self.eof:
            return False
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def take_lines(self):
        """Move complete lines from the buffer to the transcript; return how many were final."""
        finals = 0
        while b"\n" in self.buf:
            i = self.buf.index(b"\n")
            line, self.buf = self.buf[:i + 1], self.buf[i + 1:]
            self.log(b"S: ", line)
            if line[3:4] != b"-":
                finals += 1
        return finals

    def read_replies(self, n):
        """Read until N final reply lines have come, then until the server is idle."""
        deadline = time.monotonic() + self.timeout
        got = self.take_lines()
        while got < n and time.monotonic() < deadline:
            if not self.recv(max(0.01, deadline - time.monotonic())):
                break
            got += self.take_lines()
        while self.recv(self.idle):
            self.take_lines()
        if self.eof and self.buf:
            self.log(b"S: ", self.buf)   # an unterminated last line, as it came
            self.buf = b""

    def read_eof(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline and self.recv(max(0.01, deadline - time.monotonic())):
            self.take_lines()
        if self.buf:
            self.log(b"S: ", self.buf)
            self.buf = b""

    def run(self, script):
        for step in script:
            kind = step[0]
            if kind == "greet":
                self.read_replies(1)
            elif kind == "early":
                self.write(step[1])
            elif kind == "cmd":
                if self.eof:
                    break
                self.write(step[1])
                self.read_replies(1)
            elif kind == "group":
                if self.eof:
                    break
                self.write(step[1])
                self.read_replies(step[2])
            elif kind == "eof":
                self.read_eof()
            elif kind == "pause":
                time.sleep(step[1])
        self.sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("--out", help="transcript file (default: standard output)")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--idle", type=float, default=0.3)
    ap.add_argument("scenario", choices=sorted(SCRIPTS))
    a = ap.parse_args()
    out = open(a.out, "wb") if a.out else sys.stdout.buffer
    try:
        Client(a.host, a.port, out, a.timeout, a.idle).run(SCRIPTS[a.scenario])
    except OSError as e:
        print("rawclient: %s" % e, file=sys.stderr)
        return 1
    finally:
        out.flush()
        if a.out:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
