// nmserver.js PORT SECONDS — smtp-server (Nodemailer's server module) on 127.0.0.1:PORT for
// SECONDS, its logger on standard output: a capture of tests/live/capture-libs.sh.  Accepts
// any sender, refuses carol@ (550), takes the message and says "Queued".
const { SMTPServer } = require('smtp-server');
const [port, secs] = process.argv.slice(2);
const s = new SMTPServer({ logger: true, authOptional: true, disabledCommands: ['STARTTLS'],
  onRcptTo(a, session, cb) {
    if (a.address.startsWith('carol@')) { const e = new Error('No such user'); e.responseCode = 550; return cb(e); }
    cb();
  },
  onData(stream, session, cb) { stream.on('data', () => {}); stream.on('end', () => cb(null, 'Queued')); } });
s.listen(+port, '127.0.0.1');
setTimeout(() => s.close(), (+secs) * 1000);
