#!/usr/bin/env python3
"""refuser.py: a small, well-behaved SMTP server that refuses some recipients, for the MTA
log captures (the MTA as a client logs the remote server's refusals).

    refuser.py [--port 12626] [--max-conn N] [--timeout S]

127.0.0.1 only.  RFC 5321 replies throughout: 220 greeting, EHLO with 8BITMIME and
ENHANCEDSTATUSCODES, HELO, MAIL 250, RCPT: local part "nouser" 550 5.1.1, "later" 451 4.3.0,
"full" 552 5.2.2, anything else 250; DATA 354, end of data 250, RSET/NOOP 250, QUIT 221,
anything else 500 5.5.2.  One connection at a time; exits after --max-conn connections or
--timeout seconds.  Python 3 standard library only.
"""
import argparse
import socket
import time


def serve(conn):
    f = conn.makefile("rb")

    def say(line):
        conn.sendall(line.encode() + b"\r\n")

    say("220 remote.test.example ESMTP refuser")
    in_data = False
    while True:
        raw = f.readline(4096)
        if not raw:
            return
        line = raw.rstrip(b"\r\n").decode("latin-1")
        if in_data:
            if line == ".":
                in_data = False
                say("250 2.0.0 Ok: queued")
            continue
        verb = line.split(" ", 1)[0].split(":", 1)[0].upper()
        if verb == "EHLO":
            say("250-remote.test.example")
            say("250-8BITMIME")
            say("250 ENHANCEDSTATUSCODES")
        elif verb == "HELO":
            say("250 remote.test.example")
        elif verb == "MAIL":
            say("250 2.1.0 Ok")
        elif verb == "RCPT":
            low = line.lower()
            if "<nouser@" in low:
                say("550 5.1.1 <%s>: Recipient address rejected: User unknown" % line[8:].strip("<>"))
            elif "<later@" in low:
                say("451 4.3.0 Temporary lookup failure, try again later")
            elif "<full@" in low:
                say("552 5.2.2 Mailbox full")
            else:
                say("250 2.1.5 Ok")
        elif verb == "DATA":
            say("354 End data with <CR><LF>.<CR><LF>")
            in_data = True
        elif verb in ("RSET", "NOOP"):
            say("250 2.0.0 Ok")
        elif verb == "QUIT":
            say("221 2.0.0 Bye")
            return
        else:
            say("500 5.5.2 Error: command not recognized")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=12626)
    ap.add_argument("--max-conn", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(5)
    end = time.time() + a.timeout
    n = 0
    while n < a.max_conn and time.time() < end:
        ls.settimeout(max(0.1, end - time.time()))
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            break
        n += 1
        conn.settimeout(10)
        try:
            serve(conn)
        except OSError:
            pass
        conn.close()


if __name__ == "__main__":
    main()
