#!/usr/bin/env python3
"""rawsend.py: drive an SMTP server with raw bytes, for the MTA log captures.

    rawsend.py [--host H] [--port P] STEP...

Each STEP is one of
    WAIT        read what the server sends until it is quiet for 0.5 s (a reply)
    CLOSE       hang up at once (a lost connection, as the server sees it)
    SLEEP=N     pause N seconds
    TLS         wrap the socket in TLS (after a STARTTLS that got 220), no certificate check
    anything    sent as it is after decoding backslash escapes (\\r\\n, \\x00), in one write
After the last step the client reads until the server closes (at most --timeout s).
What the server says is printed on standard output; nothing is checked: the server's log
is the point.  Python 3 standard library only.
"""
import argparse
import socket
import ssl
import sys
import time


def drain(s, quiet):
    s.settimeout(quiet)
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            return got
        if not b:
            return got
        got += b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("--timeout", type=float, default=8.0)
    ap.add_argument("steps", nargs="*")
    a = ap.parse_args()
    s = socket.create_connection((a.host, a.port), timeout=a.timeout)
    for step in a.steps:
        if step == "WAIT":
            sys.stdout.write(drain(s, 0.5).decode("latin-1"))
        elif step == "CLOSE":
            s.close()
            return 0
        elif step.startswith("SLEEP="):
            time.sleep(float(step[6:]))
        elif step == "TLS":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s)
        else:
            try:
                s.sendall(step.encode("latin-1").decode("unicode_escape").encode("latin-1"))
            except OSError:
                return 0
    s.settimeout(a.timeout)
    end = time.time() + a.timeout
    while time.time() < end:
        try:
            b = s.recv(65536)
        except (socket.timeout, OSError):
            break
        if not b:
            break
        sys.stdout.write(b.decode("latin-1"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
