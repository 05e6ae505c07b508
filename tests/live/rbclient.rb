# rbclient.rb — Ruby's Net::SMTP sending one message with set_debug_output on standard
# error: the capture of tests/live/capture-libs.sh.
#
#   ruby tests/live/rbclient.rb HOST PORT SCENARIO 2> capture
#
# SCENARIO: deliver (plain), unknown-user (carol@ is refused), starttls-auth (STARTTLS
# and AUTH PLAIN as alice, as on port 587).  127.0.0.1 only; the test server's
# certificate is not verified.
require 'net/smtp'
require 'openssl'

host, port, scenario = ARGV
abort 'rbclient.rb: 127.0.0.1 only' unless host == '127.0.0.1'
to = scenario == 'unknown-user' ? 'carol@test.example' : 'alice@test.example'
msg = "From: <sender@example.org>\r\nTo: <#{to}>\r\nSubject: ruby test\r\n\r\nHello.\r\n"
smtp = Net::SMTP.new(host, port.to_i)
smtp.open_timeout = 10
smtp.read_timeout = 10
smtp.set_debug_output($stderr)
auth = {}
case scenario
when 'deliver', 'unknown-user'
  smtp.disable_starttls if smtp.respond_to?(:disable_starttls)
when 'starttls-auth'
  ctx = OpenSSL::SSL::SSLContext.new
  ctx.verify_mode = OpenSSL::SSL::VERIFY_NONE
  smtp.enable_starttls(ctx)
  auth = { user: 'alice@mx.test.example', secret: 'secret', authtype: :plain }
else
  abort "rbclient.rb: unknown scenario #{scenario}"
end
begin
  smtp.start('client.test.example', auth[:user], auth[:secret], auth[:authtype]) do |s|
    s.send_message(msg, 'sender@example.org', to)
  end
rescue Net::SMTPFatalError, Net::SMTPServerBusy
  # the refusal is the point of some scenarios; the debug output has it
end
