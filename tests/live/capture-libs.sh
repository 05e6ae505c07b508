#!/bin/bash
# capture-libs.sh — real debug output of mail libraries against the Postfix of
# tests/live/setup-postfix.sh: PHPMailer's SMTPDebug (Debian's libphp-phpmailer, php-cli),
# Ruby's Net::SMTP set_debug_output (ruby), Jakarta Mail's mail.debug (Debian's
# libjakarta-mail-java, java), Nodemailer's logger (node; nodemailer from the npm registry
# into a temporary directory); and the log of Nodemailer's smtp-server as a server, driven
# by swaks.  Installs the Debian packages when run as root and missing.
#
#   tests/live/capture-libs.sh [OUTDIR]       default OUTDIR: testdata/real
#
# Writes OUTDIR/phpmailer-*.txt, OUTDIR/ruby-*.txt, OUTDIR/javamail-*.txt,
# OUTDIR/nodemailer-*.txt, and
# OUTDIR/README-libs.md with one line
# per file (library version, command).  Scenarios: a delivery, an unknown recipient (550),
# STARTTLS with AUTH on the submission port; PHPMailer also with Debugoutput "html" and at
# SMTPDebug level 4.  Every client runs under timeout(1); a refusal does not stop the script.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-testdata/real}
HOST=127.0.0.1
SMTP_PORT=${SMTP_PORT:-25}
SUB_PORT=${SUB_PORT:-587}
PHPMAILER=/usr/share/php/libphp-phpmailer/autoload.php

JM_CP=/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar
if [ ! -r "$PHPMAILER" ] || ! command -v php >/dev/null || ! command -v ruby >/dev/null ||
    [ ! -r /usr/share/java/jakarta-mail.jar ]; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq php-cli libphp-phpmailer ruby libjakarta-mail-java >/dev/null
	else
		echo "capture-libs.sh: needs php-cli, libphp-phpmailer, ruby and libjakarta-mail-java" >&2
		exit 1
	fi
fi
if [ -z "$(ss -Hltn "sport = :$SMTP_PORT" 2>/dev/null)" ]; then
	echo "capture-libs.sh: nothing listens on $HOST:$SMTP_PORT (run tests/live/setup-postfix.sh)" >&2
	exit 1
fi
mkdir -p "$OUT"
V_PHP="PHPMailer $(sed -n 's/.*VERSION = .\([0-9.]*\).*/\1/p' \
    /usr/share/php/libphp-phpmailer/src/PHPMailer.php | head -1), PHP $(php -r 'echo PHP_VERSION;')"
V_RB="Ruby $(ruby -e 'print RUBY_VERSION') Net::SMTP $(ruby -rnet/smtp -e 'print Net::SMTP::VERSION')"
README=$OUT/README-libs.md
{
	echo "# Captures of mail libraries' debug output"
	echo
	echo "Made by \`tests/live/capture-libs.sh\` against the Postfix of \`tests/live/setup-postfix.sh\`"
	echo "on 127.0.0.1 (the other captures here: \`README.md\`, \`tests/live/capture.sh\`)."
	echo
} > "$README"

# php_cap FILE PORT LEVEL OUTPUT SCENARIO: PHPMailer's debug output is on standard output
php_cap() {
	timeout 30 php "$HERE/phpclient.php" "$HOST" "$2" "$3" "$4" "$5" > "$OUT/$1" 2>&1 || true
	printf -- '- `%s` — %s: `php tests/live/phpclient.php %s %s %s %s %s > %s`\n' \
	    "$1" "$V_PHP" "$HOST" "$2" "$3" "$4" "$5" "$1" >> "$README"
	echo "  $OUT/$1"
}
# rb_cap FILE PORT SCENARIO: Net::SMTP's debug output goes to standard error
rb_cap() {
	timeout 30 ruby "$HERE/rbclient.rb" "$HOST" "$2" "$3" > /dev/null 2> "$OUT/$1" || true
	printf -- '- `%s` — %s: `ruby tests/live/rbclient.rb %s %s %s 2> %s`\n' \
	    "$1" "$V_RB" "$HOST" "$2" "$3" "$1" >> "$README"
	echo "  $OUT/$1"
}

echo "capture-libs.sh: writing into $OUT"
php_cap phpmailer-deliver.txt "$SMTP_PORT" 2 echo deliver
php_cap phpmailer-unknown-user.txt "$SMTP_PORT" 2 echo unknown-user
php_cap phpmailer-starttls-auth.txt "$SUB_PORT" 2 echo starttls-auth
php_cap phpmailer-html-deliver.txt "$SMTP_PORT" 2 html deliver
php_cap phpmailer-level4-deliver.txt "$SMTP_PORT" 4 echo deliver
rb_cap ruby-deliver.txt "$SMTP_PORT" deliver
rb_cap ruby-unknown-user.txt "$SMTP_PORT" unknown-user
rb_cap ruby-starttls-auth.txt "$SUB_PORT" starttls-auth

# jm_cap FILE PORT SCENARIO: Jakarta Mail's debug output, on standard output
if command -v java >/dev/null; then
	V_JM="Jakarta Mail $(dpkg-query -W -f '${Version}' libjakarta-mail-java 2>/dev/null), $(java -version 2>&1 | head -1)"
	jm_cap() {
		timeout 60 java -cp "$JM_CP" "$HERE/JmClient.java" "$HOST" "$2" "$3" > "$OUT/$1" 2>&1 || true
		printf -- '- `%s` — %s: `java -cp %s tests/live/JmClient.java %s %s %s > %s`\n' \
		    "$1" "$V_JM" "$JM_CP" "$HOST" "$2" "$3" "$1" >> "$README"
		echo "  $OUT/$1"
	}
	jm_cap javamail-deliver.txt "$SMTP_PORT" deliver
	jm_cap javamail-unknown-user.txt "$SMTP_PORT" unknown-user
	jm_cap javamail-starttls-auth.txt "$SUB_PORT" starttls-auth
fi

# Nodemailer and smtp-server: from the npm registry, into a directory removed at the end
if command -v node >/dev/null && command -v npm >/dev/null; then
	NM=$(mktemp -d)
	trap 'rm -rf "$NM"' EXIT
	(cd "$NM" && npm init -y >/dev/null 2>&1 && timeout 120 npm install --silent nodemailer smtp-server >/dev/null 2>&1) || true
	if [ -d "$NM/node_modules/nodemailer" ]; then
		cp "$HERE/nmclient.js" "$HERE/nmserver.js" "$NM/"
		V_NM="Nodemailer $(node -p "require('$NM/node_modules/nodemailer/package.json').version"), Node.js $(node --version)"
		V_NS="smtp-server $(node -p "require('$NM/node_modules/smtp-server/package.json').version"), Node.js $(node --version)"
		nm_cap() {
			timeout 30 node "$NM/nmclient.js" "$HOST" "$2" "$3" > "$OUT/$1" 2>&1 || true
			printf -- '- `%s` — %s: `node tests/live/nmclient.js %s %s %s > %s`\n' \
			    "$1" "$V_NM" "$HOST" "$2" "$3" "$1" >> "$README"
			echo "  $OUT/$1"
		}
		nm_cap nodemailer-deliver.txt "$SMTP_PORT" deliver
		nm_cap nodemailer-unknown-user.txt "$SMTP_PORT" unknown-user
		nm_cap nodemailer-starttls-auth.txt "$SUB_PORT" starttls-auth
		# the server's log: three swaks sessions (delivered, refused, pipelined)
		NS_PORT=${NS_PORT:-2528}
		timeout 20 node "$NM/nmserver.js" "$NS_PORT" 10 > "$OUT/nodemailer-smtp-server.txt" 2>&1 &
		sleep 1
		for to in alice@test.example carol@test.example; do
			timeout 15 swaks --server "$HOST" -p "$NS_PORT" --from a@example.org --to "$to" >/dev/null 2>&1 || true
		done
		timeout 15 swaks --server "$HOST" -p "$NS_PORT" --from a@example.org --pipeline \
		    --to alice@test.example,bob@example.net >/dev/null 2>&1 || true
		wait
		printf -- '- `%s` — %s: `node tests/live/nmserver.js %s 10 > %s`, three swaks sessions to it\n' \
		    nodemailer-smtp-server.txt "$V_NS" "$NS_PORT" nodemailer-smtp-server.txt >> "$README"
		echo "  $OUT/nodemailer-smtp-server.txt"
	else
		echo "capture-libs.sh: npm could not install nodemailer; skipped" >&2
	fi
fi
