#!/bin/bash
# setup-opensmtpd.sh — install, configure and start a real OpenSMTPD on 127.0.0.1 for
# smtplint's live OpenSMTPD log corpus (tests/live/capture-opensmtpd.sh).
#
# Needs root on Debian 12 (no systemd needed).  Installing opensmtpd removes Postfix or Exim
# (they all provide mail-transport-agent); tests/live/setup-postfix.sh brings Postfix back.
# Idempotent: running it again rewrites the same configuration and restarts the daemon.
#
# What you get (/etc/smtpd.conf is replaced; the package's file is kept as
# /etc/smtpd.conf.dpkg-smtplint the first time):
#   127.0.0.1:25   hostname mx.test.example; STARTTLS offered with the snakeoil certificate;
#                  AUTH PLAIN/LOGIN after STARTTLS (alice / bob, password "secret");
#                  local domains test.example and mx.test.example for users alice and bob
#                  (maildir), other local parts and other domains refused (550 Invalid
#                  recipient); max-message-size 100K (552).
#   domain fail.test.example   relayed to 127.0.0.1:${SMTPD_REMOTE_PORT:-12627}, where
#                  capture-opensmtpd.sh runs tests/live/refuser.py: OpenSMTPD's own
#                  "mta delivery … result=PermFail" lines.
#   logs: syslog facility mail through rsyslog (/var/log/mail.log; started if not running).
# Nothing listens on anything but 127.0.0.1.
set -eu

if [ "$(id -u)" != 0 ]; then
    echo "setup-opensmtpd.sh: must run as root" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
REMOTE_PORT=${SMTPD_REMOTE_PORT:-12627}

need=""
for p in opensmtpd rsyslog ssl-cert swaks msmtp; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    timeout 600 apt-get install -y $need
fi

if [ ! -s /etc/ssl/certs/ssl-cert-snakeoil.pem ] || [ ! -s /etc/ssl/private/ssl-cert-snakeoil.key ]; then
    make-ssl-cert generate-default-snakeoil --force-overwrite
fi
mkdir -p /etc/smtpd
install -m 644 -o root -g root /etc/ssl/certs/ssl-cert-snakeoil.pem /etc/smtpd/smtplint.crt
install -m 600 -o root -g root /etc/ssl/private/ssl-cert-snakeoil.key /etc/smtpd/smtplint.key

for u in alice bob; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /usr/sbin/nologin "$u"
done
# credentials table: "user bcrypt-hash"
: > /etc/smtpd/passwd
for u in alice bob; do
    printf '%s %s\n' "$u" "$(smtpctl encrypt secret)" >> /etc/smtpd/passwd
done
chmod 640 /etc/smtpd/passwd
chgrp _smtpd /etc/smtpd/passwd 2>/dev/null || true
printf 'alice\nbob\n' > /etc/smtpd/users

[ -e /etc/smtpd.conf.dpkg-smtplint ] || cp /etc/smtpd.conf /etc/smtpd.conf.dpkg-smtplint
cat > /etc/smtpd.conf <<EOF
# smtplint live tests (tests/live/setup-opensmtpd.sh); rewritten on every run.
pki mx.test.example cert "/etc/smtpd/smtplint.crt"
pki mx.test.example key "/etc/smtpd/smtplint.key"
table aliases file:/etc/aliases
table passwd file:/etc/smtpd/passwd
table users file:/etc/smtpd/users
smtp max-message-size 100K
listen on 127.0.0.1 port 25 hostname mx.test.example tls pki mx.test.example auth-optional <passwd>
action "local" maildir alias <aliases>
action "remote_test" relay host smtp://127.0.0.1:$REMOTE_PORT
match from any for domain "fail.test.example" action "remote_test"
match from any for domain { "test.example", "mx.test.example" } rcpt-to regex "^(alice|bob|postmaster)@" action "local"
EOF
smtpd -n -f /etc/smtpd.conf

# rsyslog (setup-postfix.sh configures the same; here only make sure it runs)
sed -i 's/^module(load="imklog")/#module(load="imklog")/' /etc/rsyslog.conf
if ! { [ -s /run/rsyslogd.pid ] && kill -0 "$(cat /run/rsyslogd.pid)" 2>/dev/null; }; then
    rm -f /run/rsyslogd.pid
    rsyslogd
fi

# (re)start smtpd by hand (no systemd in the container)
# An MTA that an earlier setup-*.sh started by hand may still hold the ports.
# shellcheck source=tests/live/stop-mtas.sh
. "$(dirname "$0")/stop-mtas.sh"
stop_mtas /var/spool/postfix/pid/master.pid /run/exim4/exim.pid

if [ -s /run/smtpd.pid ] && kill -0 "$(cat /run/smtpd.pid)" 2>/dev/null; then
    kill "$(cat /run/smtpd.pid)"
    for _ in $(seq 1 50); do
        [ -z "$(ss -Hltn 'sport = :25' 2>/dev/null)" ] && break
        sleep 0.1
    done
fi
smtpd -f /etc/smtpd.conf
for _ in $(seq 1 50); do
    if [ -n "$(ss -Hltn 'sport = :25' 2>/dev/null)" ]; then
        pgrep -o -x smtpd > /run/smtpd.pid || true
        echo "setup-opensmtpd.sh: OpenSMTPD $(dpkg-query -W -f='${Version}' opensmtpd) listening on 127.0.0.1:25"
        exit 0
    fi
    sleep 0.2
done
echo "setup-opensmtpd.sh: smtpd did not come up on 127.0.0.1:25" >&2
exit 1
