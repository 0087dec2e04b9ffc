package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.ConfigLoader;
import dev.bridge.app.config.InvalidConfigException;
import dev.bridge.app.config.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * deploy/kubernetes holds what the daemon really runs with in a cluster. The bridge.conf of the
 * ConfigMap and the environment of the Deployment (the Secret's keys taken from
 * secret.example.yaml, whose values are placeholders) are handed to a JVM of their own, whose
 * environment is exactly that, and loaded there as {@code bridge run} loads them; the injector is
 * built. Then every {@code BRIDGE_*} and {@code DB_*} variable of the Deployment must have set a
 * setting, and the manifests must agree with each other, with the image (this module's pom.xml)
 * and with the settings loaded.
 *
 * <p>The YAML is read with Jackson's YAML module (SnakeYAML), a test dependency of this module only.
 * The image's own environment (BRIDGE_OPS_HOST, set in pom.xml) is not added: the Deployment sets
 * that variable itself.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROBE_LINE = "probe: ";

    @TempDir
    static Path dir;

    private static Map<String, JsonNode> manifests;
    private static JsonNode pod;
    private static JsonNode container;
    private static Map<String, String> environment;
    private static JsonNode loaded;

    @BeforeAll
    static void loadTheManifestsAsTheDaemonWould() throws Exception {
        manifests = manifests();
        JsonNode deployment = manifest("Deployment", "bridge");
        pod = deployment.at("/spec/template/spec");
        assertThat(pod.path("containers")).as("containers of the Deployment").hasSize(1);
        container = pod.path("containers").get(0);
        environment = environment(container);
        loaded = probe(environment);
    }

    @Test
    void theDaemonLoadsTheConfigMapWithTheDeploymentsEnvironmentAndBuildsItsInjector() {
        assertThat(loaded.path("problems")).as("problems of the configuration").isEmpty();
        assertThat(loaded.path("injector").asText()).isEqualTo("built");
        assertThat(loaded.at("/postgres/host").asText()).isEqualTo(environment.get("DB_HOST")).isNotBlank();
        assertThat(loaded.at("/postgres/password").asText()).as("the password is DB_PASSWORD, from the Secret")
                .isEqualTo(secretValue(container, "DB_PASSWORD"));
        assertThat(loaded.at("/ops/host").asText()).as("probes come from outside the pod").isEqualTo("0.0.0.0");
        // No secret is written in the ConfigMap: each webhook sink's signing secrets come from the Secret.
        List<String> fromSecret = secretKeyRefs(container).keySet().stream().map(name -> secretValue(container, name)).toList();
        int webhooks = 0;
        for (JsonNode sink : loaded.path("sinks")) {
            if (sink.path("type").asText().equals("webhook")) {
                webhooks++;
                assertThat(sink.path("secrets")).as("secrets of webhook sink %s", sink.path("name").asText()).isNotEmpty();
                sink.path("secrets").forEach(s -> assertThat(fromSecret).as("sink %s", sink.path("name").asText()).contains(s.asText()));
            }
        }
        assertThat(webhooks).as("webhook sinks in bridge.conf").isPositive();
    }

    @Test
    void everyBridgeAndDbVariableOfTheDeploymentSetsASetting() {
        assertThat(variablesThatSetNothing(environment, loaded)).as("variables of the Deployment that name no setting").isEmpty();
        assertThat(environment).containsKeys("BRIDGE_CONFIG", "DB_HOST", "DB_PASSWORD");
    }

    @Test
    void aMisspelledVariableIsCaught() throws Exception {
        // Near a real key: the daemon itself refuses it, as it does a misspelled key in the file.
        Map<String, String> nearMiss = new TreeMap<>(environment);
        nearMiss.put("BRIDGE_OPS_PROT", "8686");
        assertThat(probe(nearMiss).path("problems").toString()).contains("bridge.ops.prot").contains("BRIDGE_OPS_PROT");
        // Far from any: the daemon ignores it (it may be another program's), and only this test's check sees it.
        Map<String, String> typo = new TreeMap<>(environment);
        typo.put("DB_HSOT", "db.example.com");
        typo.put("BRIDGE_REDIS_URI", "redis://elsewhere:6379");
        JsonNode result = probe(typo);
        assertThat(result.path("problems")).isEmpty();
        assertThat(variablesThatSetNothing(typo, result)).containsExactly("BRIDGE_REDIS_URI", "DB_HSOT");
    }

    @Test
    void theDeploymentMatchesTheImageAndTheDaemonsSettings() throws Exception {
        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
        int opsPort = loaded.at("/ops/port").asInt();
        assertThat(opsPort).isEqualTo(Integer.parseInt(property(pom, "properties", "image.ops.port")));

        JsonNode ops = null;
        for (JsonNode port : container.path("ports")) {
            if (port.path("containerPort").asInt() == opsPort) {
                ops = port;
            }
        }
        assertThat(ops).as("a container port for the ops endpoint, %d", opsPort).isNotNull();
        String opsName = ops.path("name").asText();
        assertProbe("startupProbe", "/health/live", opsPort, opsName);
        assertProbe("livenessProbe", "/health/live", opsPort, opsName);
        assertProbe("readinessProbe", "/health/ready", opsPort, opsName);
        assertThat(manifest("Deployment", "bridge").at("/spec/template/metadata/annotations/prometheus.io~1port").asText())
                .isEqualTo(String.valueOf(opsPort));

        String[] user = property(pom, "properties", "image.user").split(":");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asText()).as("the image's uid").isEqualTo(user[0]).isNotEqualTo("0");
        assertThat(pod.at("/securityContext/runAsGroup").asText()).as("the image's gid").isEqualTo(user[1]);
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(mountPaths()).as("a writable /tmp beside the read-only root").containsKey("/tmp");

        String version = ((Element) pom.getElementsByTagName("parent").item(0)).getElementsByTagName("version").item(0).getTextContent();
        assertThat(container.path("image").asText()).as("the name -Pimage tags")
                .isEqualTo(property(pom, "profiles", "image.name").replace("${project.version}", version));
        assertThat(container.at("/resources/requests/cpu").asText()).isNotBlank();
        assertThat(container.at("/resources/requests/memory").asText()).isNotBlank();
        assertThat(manifest("Deployment", "bridge").at("/spec/replicas").asInt()).isEqualTo(2);

        // SIGTERM: deliveries in flight get the deadline, then the checkpoint is saved and connections closed.
        long deadline = TimeUnit.MILLISECONDS.toSeconds(loaded.path("shutdownDeadlineMillis").asLong());
        assertThat(deadline).isPositive();
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).as("grace period against shutdown-deadline %ds", deadline)
                .isGreaterThanOrEqualTo(deadline + 10);

        List<String> resources = new ArrayList<>();
        manifest("Kustomization", null).path("resources").forEach(r -> resources.add(r.asText()));
        try (Stream<Path> files = Files.list(DIR)) {
            assertThat(resources).as("kustomization.yaml: every manifest but the example Secret").containsExactlyInAnyOrderElementsOf(
                    files.map(f -> f.getFileName().toString())
                            .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml") && !f.equals("secret.example.yaml"))
                            .toList());
        }
    }

    /**
     * The {@code BRIDGE_*} and {@code DB_*} variables (but BRIDGE_CONFIG, the file's name) from
     * which no value of the loaded configuration came.
     */
    private static List<String> variablesThatSetNothing(Map<String, String> env, JsonNode result) {
        return env.keySet().stream()
                .filter(name -> (name.startsWith("BRIDGE_") || name.startsWith("DB_")) && !name.equals("BRIDGE_CONFIG"))
                .filter(name -> result.path("origins").path(name).isEmpty())
                .sorted().toList();
    }

    private static void assertProbe(String probe, String path, int port, String portName) {
        JsonNode get = container.path(probe).path("httpGet");
        assertThat(get.path("path").asText()).as(probe).isEqualTo(path);
        assertThat(get.path("port").asText()).as("%s's port", probe).isIn(String.valueOf(port), portName);
    }

    private static Map<String, String> mountPaths() {
        Map<String, String> paths = new LinkedHashMap<>();
        container.path("volumeMounts").forEach(m -> paths.put(m.path("mountPath").asText(), m.path("name").asText()));
        return paths;
    }

    /** Every document of every YAML file of deploy/kubernetes, by kind and name ("Kind/name"). */
    private static Map<String, JsonNode> manifests() throws IOException {
        Map<String, JsonNode> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && doc.isObject()) {
                            String key = doc.path("kind").asText() + "/" + doc.at("/metadata/name").asText(null);
                            assertThat(found.put(key, doc)).as("%s defined twice", key).isNull();
                        }
                    }
                }
            }
        }
        return found;
    }

    private static JsonNode manifest(String kind, String name) {
        JsonNode m = manifests.get(kind + "/" + name);
        assertThat(m).as("%s %s in %s (found %s)", kind, name, DIR, manifests.keySet()).isNotNull();
        return m;
    }

    /**
     * The container's environment as the pod gets it: plain values, and the Secret's keys from
     * secret.example.yaml. BRIDGE_CONFIG is checked to name a file of the mounted ConfigMap, which
     * is written to a file here, and then points to that file.
     */
    private static Map<String, String> environment(JsonNode container) throws IOException {
        Map<String, String> env = new TreeMap<>();
        for (JsonNode var : container.path("env")) {
            String name = var.path("name").asText();
            if (var.has("value")) {
                env.put(name, var.path("value").asText());
            } else if (var.at("/valueFrom/secretKeyRef").isObject()) {
                env.put(name, secretValue(container, name));
            } else {
                fail("%s: only value and valueFrom.secretKeyRef are supported by this test", name);
            }
        }
        String file = env.get("BRIDGE_CONFIG");
        assertThat(file).as("BRIDGE_CONFIG").isNotBlank();
        String configMap = null;
        String key = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            String at = mount.path("mountPath").asText().replaceAll("/$", "") + "/";
            if (file.startsWith(at)) {
                key = file.substring(at.length());
                for (JsonNode volume : pod.path("volumes")) {
                    if (volume.path("name").asText().equals(mount.path("name").asText())) {
                        assertThat(volume.at("/configMap/items").isMissingNode()).as("items of the ConfigMap volume (not supported here)").isTrue();
                        configMap = volume.at("/configMap/name").asText(null);
                    }
                }
            }
        }
        assertThat(configMap).as("a ConfigMap volume mounted where BRIDGE_CONFIG (%s) points", file).isNotNull();
        JsonNode conf = manifest("ConfigMap", configMap).path("data").path(key);
        assertThat(conf.isTextual()).as("key %s of ConfigMap %s", key, configMap).isTrue();
        env.put("BRIDGE_CONFIG", Files.writeString(dir.resolve(key), conf.asText()).toString());
        return env;
    }

    private static Map<String, JsonNode> secretKeyRefs(JsonNode container) {
        Map<String, JsonNode> refs = new TreeMap<>();
        container.path("env").forEach(v -> {
            if (v.at("/valueFrom/secretKeyRef").isObject()) {
                refs.put(v.path("name").asText(), v.at("/valueFrom/secretKeyRef"));
            }
        });
        return refs;
    }

    /** The placeholder secret.example.yaml gives the Secret key that variable {@code name} reads. */
    private static String secretValue(JsonNode container, String name) {
        JsonNode ref = secretKeyRefs(container).get(name);
        assertThat(ref).as("%s from a secretKeyRef", name).isNotNull();
        JsonNode value = manifest("Secret", ref.path("name").asText()).path("stringData").path(ref.path("key").asText());
        assertThat(value.isTextual()).as("key %s of Secret %s in secret.example.yaml", ref.path("key").asText(), ref.path("name").asText())
                .isTrue();
        return value.asText();
    }

    /** A property of the pom's {@code <properties>}, or of the image profile's ({@code profiles}). */
    private static String property(Element pom, String where, String name) {
        for (Node n = pom.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(where)) {
                Element properties = where.equals("properties") ? e : (Element) e.getElementsByTagName("properties").item(0);
                return properties.getElementsByTagName(name).item(0).getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + where + "> in pom.xml");
    }

    /** Runs {@link Probe} in a JVM whose environment is {@code env} and nothing else; its JSON answer. */
    private static JsonNode probe(Map<String, String> env) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dguice_bytecode_gen_option=DISABLED", "-cp", classPath, Probe.class.getName())
                .directory(dir.toFile())
                .redirectError(dir.resolve("probe-stderr.txt").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(dir.resolve("probe-stderr.txt"));
        assertThat(process.exitValue()).as("the probe's exit code; stdout: %s, stderr: %s", out, stderr).isZero();
        return out.lines().filter(l -> l.startsWith(PROBE_LINE)).findFirst()
                .map(l -> {
                    try {
                        return JSON.readTree(l.substring(PROBE_LINE.length()));
                    } catch (IOException e) {
                        throw new AssertionError(l, e);
                    }
                })
                .orElseThrow(() -> new AssertionError("no answer from the probe; stdout: " + out + ", stderr: " + stderr));
    }

    /**
     * Loads the configuration from this JVM's environment and system properties as {@code bridge run}
     * does ({@link Cli.Common#settings}: the file BRIDGE_CONFIG names, the variables over it), builds
     * the injector, and prints what it loaded on one line of JSON, or the problems found. It loads
     * the configuration a second time through {@link ConfigLoader} for the origin of each value:
     * which setting each variable set.
     */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            ObjectNode out = JSON.createObjectNode();
            StringWriter log = new StringWriter();
            Cli.Env env = new Cli.Env(System.getenv(), new PrintWriter(log), new PrintWriter(log));
            BridgeSettings settings = null;
            try {
                settings = new Cli.Common().settings(env);
            } catch (InvalidConfigException e) {
                e.problems().stream().map(Problem::toString).forEach(out.putArray("problems")::add);
            }
            if (settings != null) {
                Bridge.injector(settings).getInstance(Bridge.class);
                out.put("injector", "built");
                out.putObject("postgres").put("host", settings.postgres().host()).put("port", settings.postgres().port())
                        .put("database", settings.postgres().database()).put("user", settings.postgres().user())
                        .put("password", settings.postgres().password());
                out.putObject("ops").put("host", settings.ops().host()).put("port", settings.ops().port());
                out.put("shutdownDeadlineMillis", settings.engine().shutdownDeadline().toMillis());

                ClassLoader loader = Probe.class.getClassLoader();
                Config config = ConfigLoader.load(Optional.of(Path.of(System.getenv("BRIDGE_CONFIG"))), System.getenv(),
                        System.getProperties(), loader);
                var sinks = out.putArray("sinks");
                for (Config sink : config.getConfigList("bridge.sinks")) {
                    ObjectNode s = sinks.addObject();
                    s.put("type", sink.getString("type")).put("name", sink.hasPath("name") ? sink.getString("name") : sink.getString("type"));
                    if (sink.hasPath("secrets")) {
                        sink.getStringList("secrets").forEach(s.putArray("secrets")::add);
                    }
                }
                Map<String, List<String>> origins = new TreeMap<>();
                for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
                    String origin = e.getValue().origin().description();
                    if (origin.startsWith("environment variable ")) {
                        origins.computeIfAbsent(origin.substring("environment variable ".length()), k -> new ArrayList<>()).add(e.getKey());
                    }
                }
                out.set("origins", JSON.valueToTree(origins));
            }
            System.out.println(PROBE_LINE + JSON.writeValueAsString(out));
        }
    }
}
