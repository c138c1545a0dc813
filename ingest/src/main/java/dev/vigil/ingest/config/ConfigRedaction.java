package dev.vigil.ingest.config;

import java.io.StringWriter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A configuration file as {@code /api/v1/status/config} may show it: every value Prometheus keeps in
 * a {@code Secret} (basic_auth passwords, authorization credentials, bearer tokens, inline TLS keys,
 * OAuth2 and SigV4 secrets, proxy_connect_header and http_headers secrets) replaced by
 * {@code <secret>}, as Prometheus marshals them. File paths ({@code password_file}, ...) stay.
 */
public final class ConfigRedaction {
    public static final String SECRET = "<secret>";

    /** Key → the mapping it is a secret in (null: in any mapping). */
    private static final Map<String, Set<String>> SECRET_KEYS = Map.of(
            "password", Set.of("basic_auth"),
            "credentials", Set.of("authorization"),
            "bearer_token", Set.of(),
            "key", Set.of("tls_config"),
            "client_secret", Set.of("oauth2", "azuread"),
            "secret_key", Set.of("sigv4"));

    private ConfigRedaction() {}

    /**
     * @param fileName for the error of a text that is not YAML (a configuration that loaded never is)
     * @return the text as YAML with secrets replaced; comments are not kept
     */
    public static String redact(String yaml, String fileName) {
        Node root = new YamlNodes(fileName).compose(yaml);
        if (root == null) return "";
        walk(root, "", new IdentityHashMap<>());
        DumperOptions opts = new DumperOptions();
        opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        opts.setIndent(2);
        opts.setIndicatorIndent(0);
        opts.setWidth(Integer.MAX_VALUE);
        StringWriter out = new StringWriter();
        new Yaml(opts).serialize(root, out);
        return out.toString();
    }

    private static void walk(Node n, String parentKey, IdentityHashMap<Node, Boolean> seen) {
        if (seen.put(n, Boolean.TRUE) != null) return; // an alias to a node already redacted
        if (n instanceof org.yaml.snakeyaml.nodes.CollectionNode<?> c) c.setFlowStyle(DumperOptions.FlowStyle.BLOCK); // as Prometheus prints it
        if (n instanceof SequenceNode s) {
            for (Node item : s.getValue()) walk(item, parentKey, seen);
        } else if (n instanceof MappingNode m) {
            List<NodeTuple> tuples = m.getValue();
            for (int i = 0; i < tuples.size(); i++) {
                NodeTuple t = tuples.get(i);
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
                Node value = t.getValueNode();
                if (isSecret(key, parentKey)) {
                    tuples.set(i, new NodeTuple(t.getKeyNode(), secret(value)));
                } else if (parentKey.equals("proxy_connect_header")) { // NAME: [secret, ...]
                    tuples.set(i, new NodeTuple(t.getKeyNode(), secretValues(value)));
                } else if (key.equals("secrets") && value instanceof SequenceNode) {
                    tuples.set(i, new NodeTuple(t.getKeyNode(), secretValues(value))); // http_headers: NAME: {secrets: [...]}
                } else {
                    walk(value, key, seen);
                }
            }
        }
    }

    private static boolean isSecret(String key, String parentKey) {
        Set<String> in = SECRET_KEYS.get(key);
        return in != null && (in.isEmpty() || in.contains(parentKey));
    }

    /** Empty and null values stay (Prometheus omits an empty secret; there is nothing to hide). */
    private static Node secret(Node value) {
        if (value instanceof ScalarNode s && (s.getTag().equals(Tag.NULL) || s.getValue().isEmpty())) return value;
        return new ScalarNode(Tag.STR, SECRET, value.getStartMark(), value.getEndMark(), DumperOptions.ScalarStyle.PLAIN);
    }

    private static Node secretValues(Node value) {
        if (!(value instanceof SequenceNode s)) return secret(value);
        List<Node> items = s.getValue().stream().map(ConfigRedaction::secret).toList();
        return new SequenceNode(Tag.SEQ, true, items, s.getStartMark(), s.getEndMark(), DumperOptions.FlowStyle.BLOCK);
    }
}
