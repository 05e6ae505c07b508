#!/usr/bin/env python3
"""badserver.py: a deliberately misbehaving SMTP server for smtplint's live tests.

    badserver.py --port 12625 --scenario NAME [--max-conn 1] [--timeout 30] [--ready-file F]

Binds 127.0.0.1 only.  Serves connections one after another and exits by itself after
--max-conn connections or --timeout seconds, whichever comes first; a connection that stays
idle for 10 s is dropped.  Python 3 standard library only.

Every scenario starts from a conformant server (replies as Postfix would give them, 503 for
commands out of order) and breaks exactly one thing; --list prints them.  The violations are
the server's unless the scenario says "client fault": then the server is fine and the point is
to capture what a client does (tests/live/rawclient.py has the matching client scripts).
"""
import argparse
import base64
import re
import socket
import sys
import time

HOST = "127.0.0.1"
NAME = "bad.test.example"
IDLE = 10.0

SCENARIOS = {
    "bad-greeting": "the greeting is 250 instead of 220",
    "rcpt-before-mail": "RCPT without MAIL is accepted with 250",
    "data-without-rcpt": "DATA without any accepted RCPT gets 354",
    "334-to-mail": "MAIL is answered with 334 (an AUTH challenge)",
    "354-to-rcpt": "RCPT is answered with 354",
    "multiline-code-mismatch": "the last line of the EHLO reply says 251 while the others say 250",
    "malformed-letter": "MAIL is answered '25O 2.1.0 Ok' (letter O for a zero)",
    "malformed-4digit": "MAIL is answered '2500 2.1.0 Ok' (four digits)",
    "malformed-nospace": "MAIL is answered '250Ok' (no space after the code)",
    "nonstandard-codes": "RCPT to carol gets 572, NOOP gets 200, QUIT gets 240",
    "enhanced-code-mismatch": "RCPT is refused '550 4.1.1' (class 4 on a 5xx reply)",
    "unsolicited-reply": "NOOP is answered twice (an extra 250 nobody asked for)",
    "helo-multiline": "HELO gets the multiline EHLO-style reply",
    "221-to-noop": "NOOP is answered '221 2.0.0 Bye' and the server closes",
    "reply-after-221": "after '221 Bye' to QUIT the server sends one more reply line",
    "bare-lf": "every reply line ends in a bare LF instead of CRLF",
    "long-reply": "the reply to MAIL is one line of more than 512 octets",
    "smuggling": "<LF>.<LF> (and <LF>.<CR><LF>) end DATA: smuggled commands get answered",
    "pipelining-not-advertised": "client fault: EHLO has no PIPELINING; the client pipelines anyway",
    "auth-plain-no-tls": "client fault: AUTH PLAIN LOGIN offered with no STARTTLS; the client authenticates in clear",
    "command-after-quit": "client fault: the server keeps the line open after 221; the client sends NOOP",
    "early-talker": "client fault: the greeting comes after 1 s; the client speaks first",
}


class Session:
    def __init__(self, sock, scenario):
        self.sock = sock
        self.sc = scenario
        self.eol = b"\n" if scenario == "bare-lf" else b"\r\n"
        self.buf = b""
        self.helo = False
        self.mail = False
        self.rcpts = 0
        self.quit = False
        self.queue_id = 0

    # --- output ----------------------------------------------------------------------------
    def reply(self, *lines):
        self.sock.sendall(b"".join(l.encode("latin-1") + self.eol for l in lines))

    # --- input -----------------------------------------------------------------------------
    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def readline(self):
        while b"\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def read_data(self):
        """Read message data up to the end-of-data marker; return nothing (it is dropped)."""
        if self.sc == "smuggling":
            # vulnerable: any of CRLF.CRLF, LF.LF, LF.CRLF, CRLF.LF ends the data
            pat = re.compile(rb"(?:^|\r?\n)\.\r?\n")
        else:
            pat = re.compile(rb"(?:^|\r\n)\.\r\n")
        while True:
            m = pat.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return
            self.fill()

    # --- the dialogue ----------------------------------------------------------------------
    def ehlo_lines(self):
        kw = ["PIPELINING", "SIZE 100000", "ENHANCEDSTATUSCODES", "8BITMIME"]
        if self.sc == "pipelining-not-advertised":
            kw.remove("PIPELINING")
        if self.sc == "auth-plain-no-tls":
            kw.insert(2, "AUTH PLAIN LOGIN")
        lines = ["250-" + NAME] + ["250-" + k for k in kw[:-1]] + ["250 " + kw[-1]]
        if self.sc == "multiline-code-mismatch":
            lines[-1] = "251 " + kw[-1]
        return lines

    def run(self):
        sc = self.sc
        if sc == "early-talker":
            time.sleep(1.0)
        if sc == "bad-greeting":
            self.reply("250 %s ESMTP badserver ready" % NAME)
        else:
            self.reply("220 %s ESMTP badserver" % NAME)
        while True:
            line = self.readline()
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if self.quit:
                # command-after-quit: the line was left open; read the command and hang up
                return
            if not self.command(verb, arg):
                return

    def command(self, verb, arg):
        """Answer one command; return False when the connection is to be closed."""
        sc = self.sc
        if verb == "EHLO":
            self.helo, self.mail, self.rcpts = True, False, 0
            self.reply(*self.ehlo_lines())
        elif verb == "HELO":
            self.helo, self.mail, self.rcpts = True, False, 0
            if sc == "helo-multiline":
                self.reply(*self.ehlo_lines())
            else:
                self.reply("250 " + NAME)
        elif verb == "MAIL":
            if not self.helo:
                self.reply("503 5.5.1 Error: send HELO/EHLO first")
            elif self.mail:
                self.reply("503 5.5.1 Error: nested MAIL command")
            elif sc == "334-to-mail":
                self.reply("334 VXNlcm5hbWU6")
            elif sc == "malformed-letter":
                self.mail = True
                self.reply("25O 2.1.0 Ok")
            elif sc == "malformed-4digit":
                self.mail = True
                self.reply("2500 2.1.0 Ok")
            elif sc == "malformed-nospace":
                self.mail = True
                self.reply("250Ok")
            elif sc == "long-reply":
                self.mail = True
                self.reply("250 2.1.0 Ok, sender accepted; " + "x" * 560)
            else:
                self.mail = True
                self.reply("250 2.1.0 Ok")
        elif verb == "RCPT":
            if not self.mail and sc != "rcpt-before-mail":
                self.reply("503 5.5.1 Error: need MAIL command")
            elif sc == "354-to-rcpt":
                self.reply("354 Go ahead")
            elif sc == "enhanced-code-mismatch":
                self.reply("550 4.1.1 %s: Recipient address rejected: User unknown" % arg[3:].strip())
            elif sc == "nonstandard-codes" and "carol" in arg:
                self.reply("572 5.7.2 %s: Recipient not wanted here" % arg[3:].strip())
            else:
                self.rcpts += 1
                self.reply("250 2.1.5 Ok")
        elif verb == "DATA":
            if not self.mail and sc != "data-without-rcpt":
                self.reply("503 5.5.1 Error: need RCPT command")
            elif self.rcpts == 0 and sc != "data-without-rcpt":
                self.reply("554 5.5.1 Error: no valid recipients")
            else:
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.read_data()
                self.queue_id += 1
                self.mail, self.rcpts = False, 0
                self.reply("250 2.0.0 Ok: queued as BAD%04d" % self.queue_id)
        elif verb == "RSET":
            self.mail, self.rcpts = False, 0
            self.reply("250 2.0.0 Ok")
        elif verb == "NOOP":
            if sc == "221-to-noop":
                self.reply("221 2.0.0 Bye")
                return False
            if sc == "nonstandard-codes":
                self.reply("200 Ok")
            elif sc == "unsolicited-reply":
                self.reply("250 2.0.0 Ok", "250 2.0.0 Ok again")
            else:
                self.reply("250 2.0.0 Ok")
        elif verb == "VRFY":
            self.reply("252 2.0.0 %s" % arg)
        elif verb == "AUTH" and sc == "auth-plain-no-tls":
            return self.auth(arg)
        elif verb == "QUIT":
            if sc == "nonstandard-codes":
                self.reply("240 2.0.0 Bye")
                return False
            self.reply("221 2.0.0 Bye")
            if sc == "reply-after-221":
                time.sleep(0.2)
                self.reply("250 2.0.0 One more thing")
                return False
            if sc == "command-after-quit":
                self.quit = True      # keep the line open for the client's next command
                return True
            return False
        else:
            self.reply("502 5.5.2 Error: command not recognized")
        return True

    def auth(self, arg):
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        if mech == "PLAIN":
            if not initial:
                self.reply("334 ")
                initial = self.readline()
            try:
                base64.b64decode(initial, validate=True)
            except ValueError:
                self.reply("501 5.5.2 Error: malformed authentication data")
                return True
            self.reply("235 2.7.0 Authentication successful")
        elif mech == "LOGIN":
            if not initial:
                self.reply("334 VXNlcm5hbWU6")
                self.readline()
            self.reply("334 UGFzc3dvcmQ6")
            self.readline()
            self.reply("235 2.7.0 Authentication successful")
        else:
            self.reply("504 5.5.4 Error: unsupported authentication mechanism")
        return True


def serve(port, scenario, max_conn, timeout, ready_file):
    deadline = time.monotonic() + timeout
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(4)
    if ready_file:
        with open(ready_file, "w") as f:
            f.write("%d\n" % port)
    served = 0
    try:
        while served < max_conn:
            left = deadline - time.monotonic()
            if left <= 0:
                print("badserver: timeout after %d connection(s)" % served, file=sys.stderr)
                return 1
            ls.settimeout(left)
            try:
                conn, _ = ls.accept()
            except socket.timeout:
                continue
            served += 1
            conn.settimeout(IDLE)
            try:
                Session(conn, scenario).run()
            except (EOFError, OSError):
                pass
            finally:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
    finally:
        ls.close()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=12625)
    ap.add_argument("--scenario", choices=sorted(SCENARIOS))
    ap.add_argument("--max-conn", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds before exiting anyway")
    ap.add_argument("--ready-file", help="written once the port is listening")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    a = ap.parse_args()
    if a.list:
        for k, v in SCENARIOS.items():
            print("%-26s %s" % (k, v))
        return 0
    if not a.scenario:
        ap.error("--scenario is required")
    return serve(a.port, a.scenario, a.max_conn, a.timeout, a.ready_file)


if __name__ == "__main__":
    sys.exit(main())
