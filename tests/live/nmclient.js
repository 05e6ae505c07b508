// nmclient.js HOST PORT SCENARIO — nodemailer sending one message with logger and debug
// output on standard output: a capture of tests/live/capture-libs.sh.  SCENARIO: deliver,
// unknown-user (carol@ is refused), starttls-auth (STARTTLS and AUTH as alice, port 587).
// 127.0.0.1 only; the test server's certificate is not verified.
const nodemailer = require('nodemailer');
const [host, port, sc] = process.argv.slice(2);
if (host !== '127.0.0.1') { console.error('nmclient.js: 127.0.0.1 only'); process.exit(2); }
const opts = { host, port: +port, secure: false, name: 'client.test.example',
  logger: true, debug: true, tls: { rejectUnauthorized: false },
  ignoreTLS: sc !== 'starttls-auth' };
if (sc === 'starttls-auth') opts.auth = { user: 'alice@mx.test.example', pass: 'secret' };
const t = nodemailer.createTransport(opts);
t.sendMail({ from: 'sender@example.org',
  to: sc === 'unknown-user' ? 'carol@test.example' : 'alice@test.example',
  subject: 'nodemailer test', text: 'Hello.\n' }).then(() => {}, () => {});
