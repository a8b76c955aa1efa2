package io.gridvec.grid.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link GridvecConfig} in layers: the defaults in code, then the YAML file, then environment variables,
 * then command-line overrides; validates once and reports every problem together (unknown keys, wrong types, invalid
 * values, a data directory that cannot be created or written, an address that does not resolve), naming the environment variable or the command line
 * for a value that came from there. Stateless and thread-safe.
 *
 * <p>Every key {@code section.key} can be set from the environment as {@code GRIDVEC_SECTION_KEY} in upper snake
 * case, e.g. {@code GRIDVEC_REST_PORT} or {@code GRIDVEC_CLUSTER_DISCOVERY_PORT}; lists take comma-separated values.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The shortest first admin key accepted: it must resist guessing like a generated one. */
    private static final int MIN_ADMIN_KEY = 20;

    private ConfigLoader() {}

    /**
     * Loads the configuration.
     *
     * @param file the YAML file, or null for defaults only
     * @param environment environment variables (the process environment in production)
     * @param overrides {@code section.key} to value, from command-line flags; applied last
     * @throws ConfigException listing every problem: unreadable file, unknown keys, wrong types, invalid values
     */
    public static GridvecConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        String source = file == null ? "the configuration" : file.toString();
        ObjectNode defaults = YAML.valueToTree(GridvecConfig.defaults());
        ObjectNode tree = defaults.deepCopy();
        List<String> problems = new ArrayList<>();
        // Where each key set outside the file came from, to name it beside its problems.
        Map<String, String> origins = new HashMap<>();
        if (file != null) {
            mergeFile(file, tree, problems);
        }
        applyEnvironment(tree, environment, origins);
        overrides.forEach((key, value) -> {
            if (set(tree, key, value, problems, "command line")) {
                origins.put(key, "command line");
            }
        });
        checkTypes(tree, defaults, origins, problems);
        GridvecConfig config;
        try {
            config = YAML.treeToValue(tree, GridvecConfig.class);
        } catch (JsonProcessingException e) {
            problems.add(describe(e));
            throw new ConfigException(source, problems);
        }
        for (String problem : config.problems()) {
            String key = problem.substring(0, Math.max(0, problem.indexOf(' ')));
            problems.add(origins.containsKey(key) ? problem + " (" + origins.get(key) + ")" : problem);
        }
        String dir = config.node().dataDir();
        String dataDir = dir == null || dir.isBlank() ? null : DirectoryCheck.problem(dir); // empty: reported above
        if (dataDir != null) {
            String origin = origins.get("node.dataDir");
            problems.add("node.dataDir " + dataDir + (origin == null ? "" : " (" + origin + ")"));
        }
        // Each address, by the words that name it in a problem; the key (before the first space) names its origin.
        Map<String, String> hosts = new LinkedHashMap<>();
        hosts.put("rest.host", config.rest().host());
        hosts.put("cluster.host", config.cluster().host());
        for (String seed : config.cluster().seeds() == null ? List.<String>of() : config.cluster().seeds()) {
            if (seed != null && seed.lastIndexOf(':') > 0) {
                hosts.putIfAbsent("cluster.seeds entry '" + seed + "':", seed.substring(0, seed.lastIndexOf(':')));
            }
        }
        hosts.forEach((words, host) -> {
            String unresolved = host == null || host.isBlank() ? null : NetworkCheck.unresolved(host);
            if (unresolved != null) {
                String origin = origins.get(words.split(" ")[0]);
                problems.add(words + " " + unresolved + (origin == null ? "" : " (" + origin + ")"));
            }
        });
        securityProblems(config, environment, origins, problems);
        String logFile = config.log().file();
        String logDir = logFile == null || logFile.isBlank() ? null
                : DirectoryCheck.problem(config.logFile().getParent().toString());
        if (logDir != null) {
            String origin = origins.get("log.file");
            problems.add("log.file's directory " + logDir + (origin == null ? "" : " (" + origin + ")"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return config;
    }

    /**
     * The checks of the security section that look beyond the values: REST on an address other than loopback needs
     * security on (or {@code security.allowInsecure}); the first admin key, when given, is long enough and its file
     * readable.
     */
    private static void securityProblems(GridvecConfig config, Map<String, String> environment,
            Map<String, String> origins, List<String> problems) {
        GridvecConfig.Security security = config.security();
        String host = config.rest().host();
        if (!security.enabled() && !security.allowInsecure() && host != null && !host.isBlank()
                && NetworkCheck.unresolved(host) == null && !NetworkCheck.loopback(host)) {
            String origin = origins.get("rest.host");
            problems.add("rest.host '" + host + "' is reachable from other machines"
                    + (origin == null ? "" : " (" + origin + ")") + ": turn security.enabled on (API keys), bind "
                    + "127.0.0.1, or set "
                    + "security.allowInsecure: true to serve everyone without keys");
        }
        String adminKey = environment.get("GRIDVEC_ADMIN_KEY");
        String file = security.adminKeyFile();
        if (adminKey != null && !adminKey.isBlank()) {
            if (adminKey.trim().length() < MIN_ADMIN_KEY) {
                problems.add("GRIDVEC_ADMIN_KEY must have at least " + MIN_ADMIN_KEY + " characters (environment)");
            }
        } else if (file != null && !file.isBlank()) {
            try {
                if (Files.readString(Path.of(file)).trim().length() < MIN_ADMIN_KEY) {
                    problems.add("security.adminKeyFile " + file + " must hold a key of at least " + MIN_ADMIN_KEY
                            + " characters");
                }
            } catch (IOException | RuntimeException e) {
                problems.add("security.adminKeyFile " + file + " cannot be read: " + e.getMessage());
            }
        }
    }

    /**
     * Checks every key's value against the type of its default (integer within its range, string, list) and puts the
     * default back where it does not fit, so the values of the other keys can still be checked.
     */
    private static void checkTypes(ObjectNode tree, ObjectNode defaults, Map<String, String> origins,
            List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> sections = defaults.fields(); sections.hasNext(); ) {
            Map.Entry<String, JsonNode> section = sections.next();
            ObjectNode target = (ObjectNode) tree.get(section.getKey());
            for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> key = keys.next();
                String name = section.getKey() + "." + key.getKey();
                JsonNode fallback = key.getValue();
                JsonNode value = target.get(key.getKey());
                String wrong = null;
                if (fallback.isIntegralNumber()) {
                    Long number = value.isIntegralNumber() && value.canConvertToLong() ? Long.valueOf(value.asLong())
                            : value.isTextual() ? parseLong(value.asText().trim()) : null;
                    if (number == null || fallback.isInt() && number != number.intValue()) {
                        wrong = "must be " + (fallback.isInt() ? "an integer in [-2^31, 2^31)" : "an integer");
                    } else {
                        target.put(key.getKey(), number);
                    }
                } else if (fallback.isFloatingPointNumber()) {
                    Double number = value.isNumber() ? Double.valueOf(value.asDouble())
                            : value.isTextual() ? parseDouble(value.asText().trim()) : null;
                    if (number == null || !Double.isFinite(number)) {
                        wrong = "must be a number";
                    } else {
                        target.put(key.getKey(), number);
                    }
                } else if (fallback.isBoolean()) {
                    String text = value.isBoolean() ? value.asText() : value.isTextual()
                            ? value.asText().trim().toLowerCase(Locale.ROOT) : "";
                    if (text.equals("true") || text.equals("false")) {
                        target.put(key.getKey(), Boolean.parseBoolean(text));
                    } else {
                        wrong = "must be true or false";
                    }
                } else if (fallback.isArray() && !value.isArray()) {
                    wrong = "must be a list";
                } else if (fallback.isTextual() && !value.isValueNode()) {
                    wrong = "must be a string";
                }
                if (wrong != null) {
                    String origin = origins.get(name);
                    problems.add(name + " has the wrong type: " + wrong + ", was " + (value.isTextual()
                            ? "'" + value.asText() + "'" : value.toString())
                            + (origin == null ? "" : " (" + origin + ")"));
                    target.set(key.getKey(), fallback);
                }
            }
        }
    }

    private static Double parseDouble(String text) {
        try {
            return Double.valueOf(text);
        } catch (NumberFormatException e) {
            return null; // not a number: the caller reports it
        }
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null; // not an integer: the caller reports it
        }
    }

    private static void mergeFile(Path file, ObjectNode tree, List<String> problems) {
        JsonNode fromFile;
        try {
            fromFile = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            problems.add("not valid YAML: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            problems.add("cannot be read: " + e.getMessage());
            return;
        }
        if (fromFile == null || fromFile.isMissingNode() || fromFile.isNull()) {
            return;
        }
        if (!fromFile.isObject()) {
            problems.add("must be a YAML mapping of sections (" + sections(tree) + ")");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> sections = fromFile.fields(); sections.hasNext(); ) {
            Map.Entry<String, JsonNode> section = sections.next();
            JsonNode target = tree.get(section.getKey());
            if (target == null) {
                problems.add("unknown section '" + section.getKey() + "' (known: " + sections(tree) + ")");
            } else if (!section.getValue().isObject()) {
                problems.add(section.getKey() + " must be a mapping");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> keys = section.getValue().fields(); keys.hasNext(); ) {
                    Map.Entry<String, JsonNode> key = keys.next();
                    String name = section.getKey() + "." + key.getKey();
                    if (!target.has(key.getKey())) {
                        problems.add("unknown key '" + name + "'");
                    } else {
                        ((ObjectNode) target).set(key.getKey(), key.getValue());
                    }
                }
            }
        }
    }

    private static String sections(ObjectNode tree) {
        List<String> names = new ArrayList<>();
        tree.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> environment,
            Map<String, String> origins) {
        for (Iterator<Map.Entry<String, JsonNode>> sections = tree.fields(); sections.hasNext(); ) {
            Map.Entry<String, JsonNode> section = sections.next();
            for (Iterator<String> keys = section.getValue().fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                String variable = environmentName(section.getKey(), key);
                String value = environment.get(variable);
                if (value != null) {
                    set(tree, section.getKey() + "." + key, value, new ArrayList<>(), "environment");
                    origins.put(section.getKey() + "." + key, "environment " + variable);
                }
            }
        }
    }

    /** Returns the environment variable for {@code section.key}: {@code GRIDVEC_SECTION_KEY}. */
    public static String environmentName(String section, String key) {
        return ("GRIDVEC_" + section + "_" + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2")).toUpperCase(Locale.ROOT);
    }

    /** Sets {@code section.key} from text; returns false (with a problem) for an unknown key. */
    private static boolean set(ObjectNode tree, String dottedKey, String value, List<String> problems,
            String origin) {
        int dot = dottedKey.indexOf('.');
        JsonNode section = dot < 0 ? null : tree.get(dottedKey.substring(0, dot));
        String key = dot < 0 ? dottedKey : dottedKey.substring(dot + 1);
        if (!(section instanceof ObjectNode target) || !target.has(key)) {
            problems.add("unknown key '" + dottedKey + "' (" + origin + ")");
            return false;
        }
        if (target.get(key).isArray()) {
            ArrayNode list = target.putArray(key);
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    list.add(item.trim());
                }
            }
        } else {
            target.put(key, value);
        }
        return true;
    }

    private static String describe(JsonProcessingException e) {
        String path = e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                ? m.getPath().stream()
                        .map(ref -> ref.getFieldName() == null ? "[" + ref.getIndex() + "]" : ref.getFieldName())
                        .reduce((a, b) -> a + "." + b)
                        .orElse("?")
                : "?";
        return path + " has the wrong type: " + e.getOriginalMessage();
    }
}
