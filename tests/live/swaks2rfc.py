#!/usr/bin/env python3
"""swaks2rfc.py: convert a swaks transcript (stdin) to an RFC 5321-style C:/S: transcript (stdout).

    swaks2rfc.py < swaks-deliver.txt > rfc-deliver.txt

swaks marks client lines " -> " (" ~> " once TLS is on) and server lines "<-  " ("<~  " under
TLS; "<** " and "<~* " for replies swaks treats as errors).  These become "C: " and "S: ".
swaks' own lines ("=== " information, "*** " errors, and "<** " lines without a reply code
such as "<** Timeout (10 secs) waiting for server response") are dropped.  swaks prints
message data lines with a CR before the LF; it is removed, so every output line ends in LF
(swaks does not show the wire line endings, so none are invented).
"""
import re
import sys

CLIENT = (" -> ", " ~> ")
SERVER = ("<-  ", "<~  ", "<** ", "<~* ")


def main():
    out = sys.stdout
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", "replace").rstrip("\n").rstrip("\r")
        head, rest = line[:4], line[4:]
        if head in CLIENT:
            out.write("C: " + rest + "\n")
        elif head in SERVER:
            if re.match(r"\d{3}", rest):
                out.write("S: " + rest + "\n")
        # everything else is swaks talking about itself
    return 0


if __name__ == "__main__":
    sys.exit(main())
