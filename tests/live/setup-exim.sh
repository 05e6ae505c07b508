#!/bin/bash
# setup-exim.sh — install, configure and start a real Exim 4 on 127.0.0.1 for smtplint's live
# Exim log corpus (tests/live/capture-exim.sh).
#
# Needs root on Debian 12 (no systemd needed).  Installing exim4 removes Postfix (the two
# packages conflict); tests/live/setup-postfix.sh brings Postfix back.  Idempotent: running it
# again rewrites the same configuration and restarts the daemon.
#
# What you get (a configuration of our own in /etc/exim4/exim4.conf, which the Debian exim4
# binary reads before the generated one; Debian's conf.d is left alone):
#   127.0.0.1:25   primary_hostname mx.test.example; local domains mx.test.example,
#                  test.example, localhost; users alice and bob (delivered to :blackhole:),
#                  other local parts refused (550 Unrouteable address), relay denied (550),
#                  message_size_limit 100k (552), STARTTLS with the snakeoil certificate,
#                  AUTH PLAIN and LOGIN (alice / bob, password "secret"), at most 3 unknown
#                  commands (smtp_max_unknown_commands), synchronization enforced, and
#                  PIPELINING not advertised to clients that say HELO (RFC 2920 needs EHLO).
#   domain fail.test.example   routed to 127.0.0.1:${EXIM_REMOTE_PORT:-12626}, where
#                  capture-exim.sh runs a small server that refuses recipients: Exim's own
#                  "SMTP error from remote mail server after RCPT TO" lines.
#   logs:  /var/log/exim4/mainlog, rejectlog, paniclog with log_selector = +all, and the same
#          entries to syslog (facility mail: /var/log/mail.log, rsyslog started if it is not
#          running), with Exim's defaults: its timestamp kept, a rejection written once for
#          each of the two logs (syslog_duplication).
# Nothing listens on anything but 127.0.0.1.
set -eu

if [ "$(id -u)" != 0 ]; then
    echo "setup-exim.sh: must run as root" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
REMOTE_PORT=${EXIM_REMOTE_PORT:-12626}

need=""
for p in exim4-daemon-heavy ssl-cert swaks msmtp; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
# exim4-daemon-light is as good as heavy for this configuration
if [ "$need" != "${need/exim4-daemon-heavy/}" ] &&
    dpkg-query -W -f='${Status}' exim4-daemon-light 2>/dev/null | grep -q "install ok installed"; then
    need=${need/exim4-daemon-heavy/}
fi
if [ -n "${need// /}" ]; then
    # shellcheck disable=SC2086
    timeout 600 apt-get install -y $need
fi

if [ ! -s /etc/ssl/certs/ssl-cert-snakeoil.pem ] || [ ! -s /etc/ssl/private/ssl-cert-snakeoil.key ]; then
    make-ssl-cert generate-default-snakeoil --force-overwrite
fi
# Exim runs as Debian-exim: its own copies of the certificate and key
install -m 644 -o root -g Debian-exim /etc/ssl/certs/ssl-cert-snakeoil.pem /etc/exim4/smtplint.crt
install -m 640 -o root -g Debian-exim /etc/ssl/private/ssl-cert-snakeoil.key /etc/exim4/smtplint.key

for u in alice bob; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /usr/sbin/nologin "$u"
done

cat > /etc/exim4/exim4.conf <<EOF
# smtplint live tests (tests/live/setup-exim.sh); rewritten on every run.
primary_hostname = mx.test.example
local_interfaces = 127.0.0.1
daemon_smtp_ports = 25
domainlist local_domains = mx.test.example : test.example : localhost
domainlist relay_to_domains = fail.test.example
hostlist relay_from_hosts =
message_size_limit = 100k
log_selector = +all
log_file_path = /var/log/exim4/%slog : syslog
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = /etc/exim4/smtplint.crt
tls_privatekey = /etc/exim4/smtplint.key
smtp_enforce_sync = true
pipelining_connect_advertise_hosts =
smtp_max_unknown_commands = 3
smtp_banner = \$smtp_active_hostname ESMTP Exim \$version_number \$tod_full
acl_smtp_helo = acl_check_helo
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data
queue_run_max = 1
ignore_bounce_errors_after = 0s
timeout_frozen_after = 1d

begin acl

acl_check_helo:
  accept

acl_check_rcpt:
  accept  hosts = :
  deny    message = relay not permitted
          !domains = +local_domains : +relay_to_domains
          !authenticated = *
  require verify = recipient
  accept

acl_check_data:
  accept

begin routers

fail_remote:
  driver = manualroute
  domains = fail.test.example
  transport = remote_test
  route_list = * 127.0.0.1
  self = send
  no_more

local_user:
  driver = redirect
  domains = +local_domains
  check_local_user
  local_parts = alice : bob : postmaster
  data = :blackhole:
  no_more

begin transports

remote_test:
  driver = smtp
  port = $REMOTE_PORT
  hosts_avoid_tls = *
  allow_localhost

begin retry
*   *   F,1h,15m

begin rewrite

begin authenticators

plain_server:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{inlist{\$auth2}{alice:bob}}{eq{\$auth3}{secret}}}}
  server_set_id = \$auth2

login_server:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and {{inlist{\$auth1}{alice:bob}}{eq{\$auth2}{secret}}}}
  server_set_id = \$auth1
EOF
# PIPELINING only after EHLO: Exim advertises it to all hosts; a HELO client gets no
# extensions at all, so a HELO client that pipelines is a synchronization error.

# syslog: rsyslog, started by hand like the daemon (no systemd in the container)
dpkg-query -W -f='${Status}' rsyslog 2>/dev/null | grep -q "install ok installed" ||
    timeout 600 apt-get install -y rsyslog
pgrep -x rsyslogd >/dev/null || rsyslogd

mkdir -p /var/log/exim4 /run/exim4
chown Debian-exim:adm /var/log/exim4
chown Debian-exim:Debian-exim /run/exim4
exim4 -bV -C /etc/exim4/exim4.conf >/dev/null 2>&1

# An MTA that an earlier setup-*.sh started by hand may still hold the ports.
# shellcheck source=tests/live/stop-mtas.sh
. "$(dirname "$0")/stop-mtas.sh"
stop_mtas /var/spool/postfix/pid/master.pid /run/smtpd.pid

# (re)start the daemon: started by hand (no systemd in the container)
if [ -s /run/exim4/exim.pid ] && kill -0 "$(cat /run/exim4/exim.pid)" 2>/dev/null; then
    kill "$(cat /run/exim4/exim.pid)"
    for _ in $(seq 1 50); do
        [ -z "$(ss -Hltn 'sport = :25' 2>/dev/null)" ] && break
        sleep 0.1
    done
fi
rm -f /run/exim4/exim.pid
exim4 -bd -q15m -oP /run/exim4/exim.pid

for _ in $(seq 1 50); do
    if [ -n "$(ss -Hltn 'sport = :25' 2>/dev/null)" ]; then
        echo "setup-exim.sh: $(exim4 -bV 2>/dev/null | head -1) listening on 127.0.0.1:25"
        exit 0
    fi
    sleep 0.2
done
echo "setup-exim.sh: exim did not come up on 127.0.0.1:25" >&2
exit 1
