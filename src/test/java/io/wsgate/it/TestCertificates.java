package io.wsgate.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA with a server certificate for localhost/127.0.0.1 and a client certificate,
 * made with the openssl command line, as PEM files in a directory.
 */
final class TestCertificates {

	final Path dir;

	private TestCertificates(Path dir) {
		this.dir = dir;
	}

	static TestCertificates create(Path dir) throws IOException, InterruptedException {
		return create(dir, "DNS:localhost,IP:127.0.0.1");
	}

	/** @param subjectAltName the server certificate's names, e.g. {@code DNS:backends.wsgate.test} */
	static TestCertificates create(Path dir, String subjectAltName) throws IOException, InterruptedException {
		Files.writeString(dir.resolve("san.ext"), "subjectAltName=" + subjectAltName + "\n");
		run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
				"-days", "2", "-subj", "/CN=wsgate test CA");
		for (String name : List.of("server", "client")) {
			run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
					"-subj", "/CN=" + ("server".equals(name) ? "localhost" : "wsgate-client"));
			run(dir, "openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
					"-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", "san.ext");
		}
		return new TestCertificates(dir);
	}

	String location(String file) {
		return "file:" + dir.resolve(file);
	}

	private static void run(Path dir, String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IOException(String.join(" ", command) + " failed: " + output);
		}
	}
}
