package dev.bridge.sink.redis;

import dev.bridge.core.sink.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLServerSocket;

/**
 * Terminates TLS in front of a plain Redis, as a TLS-enabled Redis or a stunnel would: accepts TLS
 * on a free port of 127.0.0.1 and forwards the decrypted bytes to the Redis port, both ways. Its
 * certificate is a {@link SelfSignedCertificate} for the given names; {@link #caFile} holds it in
 * PEM for a client to trust.
 */
final class TlsProxy implements AutoCloseable {

    final int port;
    final Path caFile;
    private final SSLServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    /** @param names the certificate's subject alternative names, in keytool's form: {@code ip:127.0.0.1,dns:localhost} */
    TlsProxy(int redisPort, String names) {
        SelfSignedCertificate certificate = SelfSignedCertificate.create(names);
        caFile = certificate.caFile();
        try {
            server = (SSLServerSocket) certificate.serverContext().getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            port = server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(() -> accept(redisPort), "tls-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept(int redisPort) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket redis = new Socket();
                sockets.add(client);
                sockets.add(redis);
                try {
                    redis.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort), 2000);
                } catch (IOException e) {
                    // Redis is down: refuse the client as Redis itself would.
                    closeQuietly(client);
                    closeQuietly(redis);
                    continue;
                }
                pump(client, redis);
                pump(redis, client);
            } catch (IOException e) {
                // Closed by close(), or one client failed: keep serving the others until closed.
            }
        }
    }

    /** Copies from one socket to the other until either end closes, then closes both. */
    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // A TLS handshake the client refused, or an end closed: both ends go.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tls-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        sockets.forEach(TlsProxy::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Closing for good: nothing to do.
        }
    }
}
