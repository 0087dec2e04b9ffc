package dev.bridge.core.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate made at test time by the JDK's keytool, for sinks' TLS tests: the
 * server side gets an {@link SSLContext}, the client side a PEM file to trust.
 */
public final class SelfSignedCertificate {

    private static final String PASSWORD = "test-only";

    private final Path caFile;
    private final SSLContext serverContext;

    private SelfSignedCertificate(Path caFile, SSLContext serverContext) {
        this.caFile = caFile;
        this.serverContext = serverContext;
    }

    /** @param names the subject alternative names, in keytool's form: {@code ip:127.0.0.1,dns:localhost} */
    public static SelfSignedCertificate create(String names) {
        try {
            Path dir = Files.createTempDirectory("bridge-tls-");
            Path keystore = dir.resolve("server.p12");
            keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "san=" + names,
                    "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
            Path caFile = dir.resolve("ca.pem");
            keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                    "-file", caFile.toString());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), null, null);
            return new SelfSignedCertificate(caFile, tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not load the test certificate", e);
        }
    }

    /** The certificate in PEM, for a client to trust. */
    public Path caFile() {
        return caFile;
    }

    /** TLS for a server presenting the certificate. */
    public SSLContext serverContext() {
        return serverContext;
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
