#!/usr/bin/env python3
"""bad-readme.py: write README.md and expected.tsv for the bad-server captures.

    bad-readme.py testdata/bad-server

For every capture <scenario>.<client>.txt the violations the scenario plants are located in
the file itself (the line numbers are computed, not typed), so the list stays right when the
captures are made again.  A violation that should be visible but is not found is an error
(exit 1): the capture or the client changed and the expectations need a look.

expected.tsv has one row per (file, rule, line): file, rule, line (1-based), kind, group;
kind is "primary" (the violation the scenario is about), "secondary" (a consequence, e.g. a
command left unanswered because the client gave up) or "invisible" (the client's output does
not show the violation at all; rule and line are "-" and 0).  tests/live/run.sh reads it.
"""
import os
import re
import sys

# --- how each client shows server replies (S) and client commands (C) --------------------
PREFIX = {
    "raw": (r"^S: ", r"^C: "),
    "swaks": (r"^(?:<-  |<~  |<\*\* |<~\* )", r"^(?: -> | ~> )"),
    "curl": (r"^< ", r"^> "),
    "msmtp": (r"^<-- ", r"^--> "),
    "smtplib": (r"^(?:[0-9:.]+ )?reply: b'", r"^(?:[0-9:.]+ )?send: b?'"),
}

# --- what each scenario plants ------------------------------------------------------------
# (rule, side, regex on the line after the client's prefix, which, kind, clients, note)
#   which: "first" (first match), "all" (every match), "range:REGEX" (from the first match to
#          the first later line matching REGEX), "bare" (every line of that side ending in a
#          bare LF), "after-queued:N" (the N reply lines after the first "queued as" reply)
#   clients: None for all, or a set of client names
P, S2 = "primary", "secondary"
EXPECT = {
    "bad-greeting": [
        ("bad-greeting", "S", r"250 bad\.test\.example ESMTP badserver ready", "first", P, None,
         "the greeting is 250"),
    ],
    "rcpt-before-mail": [
        ("out-of-sequence", "S", r"250 2\.1\.5 Ok", "first", P, None,
         "250 to RCPT although no MAIL was given"),
    ],
    "data-without-rcpt": [
        ("out-of-sequence", "S", r"354 ", "first", P, None,
         "354 to DATA although no RCPT was accepted"),
    ],
    "334-to-mail": [
        ("reply-not-allowed", "S", r"334 VXNlcm5hbWU6", "first", P, None, "334 to MAIL"),
        ("client-out-of-sequence", "C", r"rcpt TO", "first", S2, {"smtplib"},
         "smtplib goes on with RCPT after the failed MAIL (503 follows)"),
        ("unanswered-command", "C", r"(RCPT|DATA)\b", "all", S2, {"msmtp"},
         "msmtp pipelined RCPT and DATA and stopped reading after the 334"),
    ],
    "354-to-rcpt": [
        ("reply-not-allowed", "S", r"354 Go ahead", "first", P, None, "354 to RCPT"),
        ("unanswered-command", "C", r"DATA\b", "first", S2, {"msmtp"},
         "msmtp pipelined DATA and stopped reading after the 354"),
    ],
    "multiline-code-mismatch": [
        ("multiline-code-mismatch", "S", r"251 8BITMIME", "first", P, None,
         "the last line of the EHLO reply is 251, the others 250"),
    ],
    "malformed-letter": [
        ("malformed-reply", "S", r"25O ", "first", P, None, "'25O 2.1.0 Ok' (letter O)"),
    ],
    "malformed-4digit": [
        ("malformed-reply", "S", r"2500 ", "first", P, None, "'2500 2.1.0 Ok' (four digits)"),
    ],
    "malformed-nospace": [
        ("malformed-reply", "S", r"250Ok", "first", P, None, "'250Ok' (no space after the code)"),
    ],
    "nonstandard-codes": [
        ("nonstandard-code", "S", r"572 ", "first", P, None,
         "572 to RCPT (second digit 7 is outside the RFC 5321 ABNF: malformed-reply is also defensible)"),
        ("nonstandard-code", "S", r"200 Ok", "first", P, {"raw", "smtplib"}, "200 to NOOP"),
        ("reply-not-allowed", "S", r"200 Ok", "first", P, {"raw", "smtplib"}, "200 to NOOP"),
        ("nonstandard-code", "S", r"240 ", "first", P, None, "240 to QUIT"),
        ("reply-not-allowed", "S", r"240 ", "first", P, None, "240 to QUIT"),
    ],
    "enhanced-code-mismatch": [
        ("enhanced-code-mismatch", "S", r"550 4\.1\.1", "first", P, None, "550 with enhanced code 4.1.1"),
        ("unanswered-command", "C", r"DATA\b", "first", S2, {"msmtp"},
         "msmtp pipelined DATA and stopped reading after the 550"),
    ],
    "unsolicited-reply": [
        ("unsolicited-reply", "S", r"250 2\.0\.0 Ok again", "first", P, None,
         "a second reply to NOOP"),
    ],
    "helo-multiline": [
        ("reply-not-allowed", "S", r"250-bad\.test\.example", r"range:250 8BITMIME", P, None,
         "multiline EHLO-style reply to HELO (RFC 5321 4.1.1.1/3.2; DESIGN.md has no own id, "
         "reply-not-allowed or malformed-reply are the nearest)"),
    ],
    "221-to-noop": [
        ("reply-not-allowed", "S", r"221 ", "first", P, None, "221 to NOOP, then the server closes"),
        ("unanswered-command", "C", r"quit", "first", S2, {"smtplib"},
         "smtplib's QUIT after the close gets no reply"),
    ],
    "reply-after-221": [
        ("unsolicited-reply", "S", r"250 2\.0\.0 One more thing", "first", P, None,
         "a reply after 221 to QUIT"),
    ],
    "bare-lf": [
        ("bare-line-ending", "S", r"", "bare", P, None, "every reply line ends in a bare LF"),
    ],
    "long-reply": [
        ("line-too-long", "S", r"250 2\.1\.0 Ok, sender accepted; x+", "first", P, None,
         "a 600-octet reply line to MAIL (limit 512)"),
    ],
    "smuggling": [
        ("bare-line-ending", "C", r"", "bare", P, None,
         "the client's <LF>.<LF> inside the data (the smuggling terminator)"),
        ("unsolicited-reply", "S", r"", "after-queued:4", P, None,
         "the server took <LF>.<LF> as the end of data and answered the smuggled MAIL, RCPT, "
         "DATA and message: four replies no command waits for (by RFC 5321 the data ends only "
         "at the last CRLF.CRLF, which the first 250 answers)"),
    ],
    "pipelining-not-advertised": [
        ("pipelining-not-advertised", "C", r"(RCPT TO|DATA)\b", "all", P, {"raw"},
         "RCPT and DATA written before the reply to MAIL; EHLO has no PIPELINING"),
    ],
    "auth-plain-no-tls": [
        ("auth-without-tls", "C", r"AUTH PLAIN", "first", P, None,
         "AUTH PLAIN on a session without STARTTLS (notice)"),
    ],
    "command-after-quit": [
        ("command-after-quit", "C", r"NOOP", "first", P, None, "NOOP after 221 to QUIT"),
        ("unanswered-command", "C", r"NOOP", "first", S2, None, "the NOOP gets no reply"),
    ],
    "early-talker": [
        ("pipelining-violation", "C", r"EHLO", "first", P, None,
         "EHLO sent before the greeting (early talker)"),
    ],
}
EXPECT["smuggling-postfix"] = EXPECT["smuggling"]

# captures whose client does not show the planted violation at all (kept as parser input)
INVISIBLE = {
    ("malformed-letter", "swaks"): "swaks skips the malformed line and prints its own "
                                   "'<** Timeout (10 secs) waiting for server response'",
    ("malformed-4digit", "swaks"): "as malformed-letter.swaks",
    ("malformed-nospace", "swaks"): "as malformed-letter.swaks",
    ("malformed-letter", "msmtp"): "msmtp does not print the malformed line, only "
                                   "'msmtp: the server sent an invalid reply'",
    ("malformed-4digit", "msmtp"): "as malformed-letter.msmtp",
    ("malformed-nospace", "msmtp"): "as malformed-letter.msmtp",
    ("pipelining-not-advertised", "swaks"): "swaks --pipeline does not pipeline when PIPELINING "
                                            "is not advertised: a clean session (control)",
}

SCENARIO_TEXT = {
    "smuggling-postfix": "the smuggling attempt of smuggling.raw against the real Postfix 3.7.11 "
                         "on 127.0.0.1:25 with Debian 12 defaults (smtpd_forbid_bare_newline = no): "
                         "Postfix is vulnerable and answers the smuggled transaction",
}


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    out = []
    for raw in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
        out.append(raw.decode("latin-1"))
    return out   # each without its LF; a CR before the LF stays at the end


def side_lines(lines, client, side):
    """[(lineno, text after the prefix, ends_in_bare_lf)] for one side."""
    spre, cpre = PREFIX[client]
    rx = re.compile(spre if side == "S" else cpre)
    res = []
    for i, l in enumerate(lines, 1):
        m = rx.match(l)
        if not m:
            continue
        text = l[m.end():]
        if client == "smtplib":
            bare = text.endswith("\\n'") and not text.endswith("\\r\\n'")
            text = re.sub(r"(\\r)?\\n'$|'$", "", text)
        else:
            bare = not l.endswith("\r")
            text = text.rstrip("\r")
        res.append((i, text, bare))
    return res


def locate(lines, client, exp):
    rule, side, rx, which, kind, clients, note = exp
    cand = side_lines(lines, client, side)
    r = re.compile(rx)
    if which == "first":
        hits = [n for n, t, _ in cand if r.match(t)][:1]
    elif which == "all":
        hits = [n for n, t, _ in cand if r.match(t)]
    elif which.startswith("range:"):
        end = re.compile(which[6:])
        first = [n for n, t, _ in cand if r.match(t)][:1]
        hits = []
        if first:
            last = [n for n, t, _ in cand if n >= first[0] and end.match(t)][:1]
            hits = list(range(first[0], (last or first)[0] + 1))
    elif which == "bare":
        if client == "swaks":
            return []
        hits = [n for n, t, bare in cand if bare]
    elif which.startswith("after-queued:"):
        k = int(which.split(":")[1])
        q = [idx for idx, (n, t, _) in enumerate(cand) if "queued as" in t][:1]
        hits = [n for n, _, _ in cand[q[0] + 1:q[0] + 1 + k]] if q else []
    else:
        raise ValueError(which)
    return hits


def compact(nums):
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else "%d–%d" % (nums[i], nums[j]))
        i = j + 1
    return ", ".join(out)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "testdata/bad-server"
    files = sorted(f for f in os.listdir(d) if f.endswith(".txt"))
    rows, readme, errors = [], [], []
    for f in files:
        parts = f[:-4].split(".")
        if len(parts) != 2 or parts[0] not in EXPECT or parts[1] not in PREFIX:
            errors.append("%s: unknown scenario or client" % f)
            continue
        sc, client = parts
        group = 0
        lines = lines_of(os.path.join(d, f))
        if (sc, client) in INVISIBLE:
            rows.append((f, "-", 0, "invisible", 0))
            readme.append("| `%s` | — | — | not visible: %s |" % (f, INVISIBLE[(sc, client)]))
            continue
        for exp in EXPECT[sc]:
            rule, side, rx, which, kind, clients, note = exp
            if clients is not None and client not in clients:
                continue
            hits = locate(lines, client, exp)
            if not hits:
                if kind == P:
                    errors.append("%s: %s not found" % (f, rule))
                continue
            for n in hits:
                group += 1 if (n == hits[0] or not which.startswith("range:")) else 0
                rows.append((f, rule, n, kind, group))
            readme.append("| `%s` | %s%s | %s | %s |" % (
                f, rule, "" if kind == P else " (secondary)", compact(hits), note))
    with open(os.path.join(d, "expected.tsv"), "w") as out:
        out.write("file\trule\tline\tkind\tgroup\n")
        for r in rows:
            out.write("%s\t%s\t%d\t%s\t%d\n" % r)
    with open(os.path.join(d, "README.md"), "w") as out:
        out.write(HEADER)
        for sc in EXPECT:
            out.write("- `%s`: %s\n" % (sc, SCENARIO_TEXT.get(sc) or BADSERVER_TEXT.get(sc, "")))
        out.write(TABLE_HEAD)
        out.write("\n".join(readme) + "\n")
        out.write(FOOTER)
    for e in errors:
        print("bad-readme.py: " + e, file=sys.stderr)
    return 1 if errors else 0


def _badserver_text():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import badserver   # noqa: E402  (the scenario descriptions live there)
    return badserver.SCENARIOS


BADSERVER_TEXT = _badserver_text()

HEADER = """# Captures against a misbehaving SMTP server

Made by `tests/live/capture-bad.sh` (this file and `expected.tsv` by `tests/live/bad-readme.py`,
which finds the line numbers in the captures themselves). The server is
`tests/live/badserver.py --scenario NAME` on 127.0.0.1 (Python standard library; one
connection per capture), except `smuggling-postfix`, which is the real Postfix of
`tests/live/setup-postfix.sh`.

File names: `<scenario>.<client>.txt`. Clients: `raw` = `tests/live/rawclient.py`, RFC-style
`C: `/`S: ` lines with the exact wire bytes (each line keeps its real terminator: CRLF, or a
bare LF where one was sent); `swaks` = swaks 20201014.0; `curl` = curl 7.88.1 `-sS -v`
(stdout and stderr together); `msmtp` = msmtp 1.8.23 `--debug` (stdout and stderr together);
`smtplib` = Python 3.11 smtplib with `set_debuglevel(1)` (its stderr). The exact commands are
in `tests/live/capture-bad.sh`.

Line numbers are 1-based lines of the file: the server's reply line for a server fault, the
client's command line for a client fault. Rule ids are those of DESIGN.md; "secondary" rows
are consequences a complete linter may also report (not the point of the scenario).
Client-fault scenarios (the server is fine): pipelining-not-advertised, auth-plain-no-tls,
command-after-quit, early-talker. `smuggling-postfix.log` is Postfix's own log of that
session (RFC 3164 timestamps), with `improper command pipelining after DATA`.

## Scenarios

"""

TABLE_HEAD = """
## Files, violations and lines

| file | violation (rule) | line(s) | what |
| --- | --- | --- | --- |
"""

FOOTER = """
Not visible: the capture is kept as parser input (a client's own error lines, a clean
session), but its client does not show the planted violation; `tests/live/run.sh` does not
require a finding for it.
"""

if __name__ == "__main__":
    sys.exit(main())
