package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.ConfigLoader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/**
 * The image tarball the package phase makes with Jib, target/bridge-image.tar: what it declares
 * (user, port, command, environment) and what it holds (the runnable jar, alone). The default build
 * puts it on an empty base, which this checks as well as a -Pimage build on a JRE; whether the image
 * then runs is for deploy/image/smoke.sh, which needs root.
 */
class ImageIT {

    private static final Path IMAGE = Path.of("target", "bridge-image.tar");
    private static final Path JAR = Path.of("target", "bridge.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theImageRunsTheShadedJarAsANonRootUserWithTheOpsPortExposed() throws Exception {
        assertThat(IMAGE).as("the image tarball; jib-maven-plugin makes it in the package phase").isRegularFile();
        Image image = read(IMAGE);
        JsonNode manifest = JSON.readTree(image.json.get("manifest.json"));
        assertThat(manifest).hasSize(1);
        JsonNode config = JSON.readTree(image.json.get(manifest.get(0).path("Config").asText())).path("config");
        List<String> layers = new ArrayList<>();
        manifest.get(0).path("Layers").forEach(l -> layers.add(l.asText()));
        assertThat(image.layers.keySet()).as("the layers the manifest lists").containsExactlyInAnyOrderElementsOf(layers);

        // Not root, and numeric, so that Kubernetes' runAsNonRoot can check it without /etc/passwd.
        String[] user = config.path("User").asText().split(":");
        assertThat(user).hasSize(2);
        assertThat(Integer.parseInt(user[0])).as("uid").isPositive();
        assertThat(Integer.parseInt(user[1])).as("gid").isPositive();

        int opsPort = ConfigFactory.defaultReference(ImageIT.class.getClassLoader()).getInt("bridge.ops.port");
        List<String> ports = new ArrayList<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).as("exposed ports against bridge.ops.port of reference.conf").containsExactly(opsPort + "/tcp");

        List<String> entrypoint = strings(config.path("Entrypoint"));
        assertThat(entrypoint).first().isEqualTo("java");
        int jar = entrypoint.indexOf("-jar") + 1;
        assertThat(jar).as("-jar in %s", entrypoint).isPositive().isLessThan(entrypoint.size());
        String jarPath = entrypoint.get(jar);
        assertThat(strings(config.path("Cmd"))).containsExactly("run");

        // The image's variables as the daemon reads them: they name settings, and the ops endpoint listens on every interface.
        Map<String, String> env = new HashMap<>();
        config.path("Env").forEach(v -> env.put(v.asText().substring(0, v.asText().indexOf('=')), v.asText().substring(v.asText().indexOf('=') + 1)));
        assertThat(env).containsEntry("BRIDGE_OPS_HOST", "0.0.0.0").containsEntry("JDK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        ClassLoader loader = ImageIT.class.getClassLoader();
        BridgeSettings settings = BridgeSettings.load(ConfigLoader.load(Optional.empty(), env, new Properties(), loader), loader);
        assertThat(settings.ops().host()).isEqualTo("0.0.0.0");

        // The jar the build tested, byte for byte, owned by root and not writable by the image's user.
        String inImage = jarPath.substring(1);
        assertThat(image.digests.keySet()).as("files of the image's layers").contains(inImage);
        try (InputStream built = Files.newInputStream(JAR)) {
            assertThat(image.digests.get(inImage)).as("the jar in the image against %s", JAR).isEqualTo(sha256(built));
        }
        assertThat(image.owners.get(inImage)).isZero();
        assertThat(image.modes.get(inImage) & 0022).as("group and others may not write the jar").isZero();
        // Jib's own layers of classes and dependency jars (under /app) are dropped: the jar holds them.
        assertThat(image.digests.keySet()).noneMatch(f -> f.startsWith("app/"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** The tarball's JSON files, and of each layer's regular files their owner, mode and (jars only) digest. */
    private record Image(Map<String, byte[]> json, Map<String, Integer> layers, Map<String, String> digests, Map<String, Long> owners,
            Map<String, Integer> modes) {
    }

    private static Image read(Path tarball) throws IOException {
        Image image = new Image(new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
        try (TarArchiveInputStream outer = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tarball)))) {
            for (TarArchiveEntry entry = outer.getNextEntry(); entry != null; entry = outer.getNextEntry()) {
                if (entry.getName().endsWith(".json")) {
                    image.json.put(entry.getName(), outer.readAllBytes());
                } else if (entry.isFile()) {
                    image.layers.put(entry.getName(), readLayer(outer, image));
                }
            }
        }
        return image;
    }

    /** Reads one layer (gzipped or not) from the outer stream without closing it; its number of files. */
    private static int readLayer(InputStream in, Image image) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(new NonClosing(in));
        buffered.mark(2);
        boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
        buffered.reset();
        int count = 0;
        try (TarArchiveInputStream layer = new TarArchiveInputStream(gzip ? new GZIPInputStream(buffered) : buffered)) {
            for (TarArchiveEntry entry = layer.getNextEntry(); entry != null; entry = layer.getNextEntry()) {
                if (entry.isFile()) {
                    String name = entry.getName().replaceFirst("^\\./", "");
                    image.digests.put(name, name.endsWith(".jar") ? sha256(layer) : "");
                    image.owners.put(name, entry.getLongUserId());
                    image.modes.put(name, entry.getMode());
                    count++;
                }
            }
        }
        return count;
    }

    /** Of what is left of {@code in}, which stays open. */
    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets a layer's reader close without closing the tarball it is read from. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
