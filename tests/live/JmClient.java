// JmClient.java — Jakarta Mail (Debian's libjakarta-mail-java) sending one message with
// mail.debug on: a capture of tests/live/capture-libs.sh (its debug output goes to
// standard output).
//
//   java -cp /usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar \
//       tests/live/JmClient.java HOST PORT SCENARIO
//
// SCENARIO: deliver, unknown-user (carol@ is refused), starttls-auth (STARTTLS and AUTH
// as alice on port 587).  127.0.0.1 only; the test server's certificate is trusted as is.
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;

public class JmClient {
	public static void main(String[] a) throws Exception {
		if (!a[0].equals("127.0.0.1")) {
			System.err.println("JmClient: 127.0.0.1 only");
			System.exit(2);
		}
		Properties p = new Properties();
		p.put("mail.smtp.host", a[0]);
		p.put("mail.smtp.port", a[1]);
		p.put("mail.smtp.localhost", "client.test.example");
		p.put("mail.debug", "true");
		p.put("mail.smtp.timeout", "10000");
		p.put("mail.smtp.connectiontimeout", "10000");
		boolean auth = a[2].equals("starttls-auth");
		if (auth) {
			p.put("mail.smtp.starttls.enable", "true");
			p.put("mail.smtp.ssl.trust", "*");
			p.put("mail.smtp.auth", "true");
		}
		Session s = Session.getInstance(p);
		s.setDebugOut(System.out);
		MimeMessage m = new MimeMessage(s);
		m.setFrom(new InternetAddress("sender@example.org"));
		m.setRecipient(Message.RecipientType.TO, new InternetAddress(
		    a[2].equals("unknown-user") ? "carol@test.example" : "alice@test.example"));
		m.setSubject("jakarta mail test");
		m.setText("Hello.\n");
		try {
			if (auth)
				Transport.send(m, "alice@mx.test.example", "secret");
			else
				Transport.send(m);
		} catch (MessagingException e) {
			// the refusal is the point of some scenarios; the debug output has it
		}
	}
}
