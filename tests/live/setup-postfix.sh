#!/bin/bash
# setup-postfix.sh — install, configure and start a real Postfix on 127.0.0.1 for the
# live capture corpus of smtplint (tests/live/capture.sh).
#
# Needs root on Debian 12 (apt-get works, no systemd needed). Idempotent: running it again
# rewrites the same configuration and (re)starts what is not running.
#
# What you get:
#   127.0.0.1:25    smtpd, myhostname mx.test.example, STARTTLS offered (security level may),
#                   no AUTH (AUTH → 503 5.5.1), relay denied (554 5.7.1), unknown local users
#                   rejected (550 5.1.1), message_size_limit 100000 (552 5.3.4; still above the 64K RFC 5321 minimum).
#   127.0.0.1:587   "submission": TLS required (530 5.7.0 before STARTTLS), AUTH (Cyrus SASL,
#                   sasldb) only after STARTTLS; syslog name postfix/submission.
#   127.0.0.1:10587  "plain-auth": AUTH PLAIN/LOGIN offered WITHOUT TLS (for auth-without-tls
#                   captures); syslog name postfix/plainauth.
#   users alice, bob (local mailboxes); SASL users alice@mx.test.example / bob@mx.test.example
#   with password "secret".
#   logs (rsyslog, started by hand):
#     /var/log/mail.log       rsyslog default on Debian 12: RFC 3339 timestamps
#     /var/log/mail-3164.log  RSYSLOG_TraditionalFileFormat: classic "Nov 22 19:01:02 host ..."
#
# Nothing binds anything but 127.0.0.1 (inet_interfaces = 127.0.0.1, inet_protocols = ipv4).
set -eu

if [ "$(id -u)" != 0 ]; then
    echo "setup-postfix.sh: must run as root" >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive

# --- packages -------------------------------------------------------------------------------
# Preseed debconf so the postfix package does not ask and does not pick "Internet Site".
echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
echo "postfix postfix/mailname string mx.test.example" | debconf-set-selections
need=""
for p in postfix rsyslog sasl2-bin libsasl2-modules ssl-cert swaks curl msmtp; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    timeout 600 apt-get install -y $need
fi

# --- TLS certificate (self-signed "snakeoil" from the ssl-cert package) ------------------------
if [ ! -s /etc/ssl/certs/ssl-cert-snakeoil.pem ] || [ ! -s /etc/ssl/private/ssl-cert-snakeoil.key ]; then
    make-ssl-cert generate-default-snakeoil --force-overwrite
fi

# --- local users (so other local parts get 550 5.1.1 User unknown) ---------------------------
for u in alice bob; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /usr/sbin/nologin "$u"
done

# --- SASL (Cyrus, sasldb; no saslauthd daemon needed) ------------------------------------------
mkdir -p /etc/postfix/sasl
cat > /etc/postfix/sasl/smtpd.conf <<'EOF'
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN CRAM-MD5
EOF
for u in alice bob; do
    echo secret | saslpasswd2 -p -c -u mx.test.example "$u"
done
chown root:sasl /etc/sasldb2 && chmod 640 /etc/sasldb2
adduser postfix sasl >/dev/null 2>&1 || true

# --- main.cf ------------------------------------------------------------------------------------
postconf -e \
    'myhostname = mx.test.example' \
    'mydomain = test.example' \
    'myorigin = $myhostname' \
    'mydestination = $myhostname, test.example, localhost' \
    'inet_interfaces = 127.0.0.1' \
    'inet_protocols = ipv4' \
    'mynetworks = 127.0.0.2/32' \
    'smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)' \
    'smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination' \
    'smtpd_recipient_restrictions = reject_unlisted_recipient, permit' \
    'message_size_limit = 100000' \
    'mailbox_size_limit = 0' \
    'default_transport = discard' \
    'relay_transport = discard' \
    'disable_vrfy_command = no' \
    'smtpd_tls_cert_file = /etc/ssl/certs/ssl-cert-snakeoil.pem' \
    'smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key' \
    'smtpd_tls_security_level = may' \
    'smtpd_tls_loglevel = 1' \
    'smtpd_sasl_auth_enable = no' \
    'smtpd_sasl_type = cyrus' \
    'smtpd_sasl_path = smtpd' \
    'smtpd_sasl_security_options = noanonymous' \
    'smtpd_sasl_tls_security_options = noanonymous' \
    'cyrus_sasl_config_path = /etc/postfix/sasl' \
    'debug_peer_list =' \
    'debug_peer_level = 2' \
    'smtputf8_enable = yes'
postconf -X 'maillog_file' 2>/dev/null || true

# --- master.cf ----------------------------------------------------------------------------------
# No chroot anywhere: the SASL database and the syslog socket are then found without copies.
postconf -F '*/*/chroot = n'
# Submission on 587: TLS required, AUTH only after STARTTLS.
postconf -M submission/inet='submission inet n - n - - smtpd'
postconf -P \
    'submission/inet/syslog_name=postfix/submission' \
    'submission/inet/smtpd_tls_security_level=encrypt' \
    'submission/inet/smtpd_sasl_auth_enable=yes' \
    'submission/inet/smtpd_tls_auth_only=yes' \
    'submission/inet/smtpd_relay_restrictions=permit_sasl_authenticated,reject_unauth_destination'
# Port 10587: AUTH offered in clear text (a client fault to lint: auth-without-tls).
postconf -M 10587/inet='10587 inet n - n - - smtpd'
postconf -P \
    '10587/inet/syslog_name=postfix/plainauth' \
    '10587/inet/smtpd_sasl_auth_enable=yes' \
    '10587/inet/smtpd_tls_auth_only=no'

newaliases

# --- rsyslog: two files, RFC 3339 (Debian default) and RFC 3164 ---------------------------------
# The kernel log module does not work in a container; disable it.
sed -i 's/^module(load="imklog")/#module(load="imklog")/' /etc/rsyslog.conf
cat > /etc/rsyslog.d/30-smtplint.conf <<'EOF'
# smtplint live tests: report the host as "mx" and write mail.* a second time in the classic
# RFC 3164 format (the default /var/log/mail.log uses RFC 3339 timestamps on Debian 12).
$LocalHostName mx
mail.*    -/var/log/mail-3164.log;RSYSLOG_TraditionalFileFormat
EOF
if [ -s /run/rsyslogd.pid ] && kill -0 "$(cat /run/rsyslogd.pid)" 2>/dev/null; then
    kill -HUP "$(cat /run/rsyslogd.pid)"
else
    rm -f /run/rsyslogd.pid
    rsyslogd
fi

# An MTA that an earlier setup-*.sh started by hand may still hold the ports.
# shellcheck source=tests/live/stop-mtas.sh
. "$(dirname "$0")/stop-mtas.sh"
stop_mtas /run/exim4/exim.pid /run/smtpd.pid

# --- start or reload postfix ------------------------------------------------------------------
postfix check
if postfix status >/dev/null 2>&1; then
    postfix reload
else
    postfix start
fi

# Wait (bounded) until port 25 listens (ss, not a test connection, which would be logged).
for _ in $(seq 1 50); do
    if [ -n "$(ss -Hltn 'sport = :25' 2>/dev/null)" ]; then
        echo "setup-postfix.sh: postfix $(postconf -h mail_version) listening on 127.0.0.1:25, 587, 10587"
        exit 0
    fi
    sleep 0.2
done
echo "setup-postfix.sh: postfix did not come up on 127.0.0.1:25" >&2
exit 1
