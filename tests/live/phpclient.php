<?php
// phpclient.php — PHPMailer (Debian's libphp-phpmailer) sending one message with
// SMTPDebug output on standard output: the capture of tests/live/capture-libs.sh.
//
//   php tests/live/phpclient.php HOST PORT LEVEL OUTPUT SCENARIO
//
// LEVEL: SMTPDebug (1..4); OUTPUT: Debugoutput, "echo" (time stamps) or "html";
// SCENARIO: deliver (port 25, plain), unknown-user (carol@ is refused), starttls-auth
// (STARTTLS and AUTH as alice, as on port 587).  127.0.0.1 only; the certificate is
// the test server's own, so it is not verified.
require '/usr/share/php/libphp-phpmailer/autoload.php';

use PHPMailer\PHPMailer\PHPMailer;

[$self, $host, $port, $level, $output, $scenario] = $argv + array_fill(0, 6, '');
if ($host !== '127.0.0.1') {
    fwrite(STDERR, "phpclient.php: 127.0.0.1 only\n");
    exit(2);
}
$m = new PHPMailer(true);
$m->isSMTP();
$m->Host = $host;
$m->Port = (int)$port;
$m->Hostname = 'client.test.example';
$m->Helo = 'client.test.example';
$m->SMTPDebug = (int)$level;
$m->Debugoutput = $output;
$m->Timeout = 10;
$m->SMTPOptions = ['ssl' => ['verify_peer' => false, 'verify_peer_name' => false,
    'allow_self_signed' => true]];
$m->SMTPAutoTLS = false;
$m->SMTPSecure = '';
$to = 'alice@test.example';
switch ($scenario) {
case 'deliver':
    break;
case 'unknown-user':
    $to = 'carol@test.example';
    break;
case 'starttls-auth':
    $m->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS;
    $m->SMTPAuth = true;
    $m->Username = 'alice@mx.test.example';
    $m->Password = 'secret';
    break;
default:
    fwrite(STDERR, "phpclient.php: unknown scenario $scenario\n");
    exit(2);
}
$m->setFrom('sender@example.org');
$m->addAddress($to);
$m->Subject = 'phpmailer test';
$m->Body = "Hello.\n";
try {
    $m->send();
} catch (Exception $e) {
    // the refusal is the point of some scenarios; the debug output has it
}
