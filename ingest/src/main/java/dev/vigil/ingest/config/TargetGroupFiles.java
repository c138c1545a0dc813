package dev.vigil.ingest.config;

import dev.vigil.tsdb.Labels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a file_sd file: a list of target groups in JSON ({@code .json}) or YAML ({@code .yml},
 * {@code .yaml}), as Prometheus's {@code discovery/file} does. Each group's source is {@code
 * path:index} and its labels gain {@code __meta_filepath}. YAML is strict (unknown keys are
 * errors); JSON ignores unknown fields, like Go's {@code encoding/json}.
 */
public final class TargetGroupFiles {
    /** The label file_sd adds to every group: the path of the file it came from. */
    public static final String FILEPATH_LABEL = "__meta_filepath";

    private TargetGroupFiles() {}

    /**
     * Parses {@code file}.
     *
     * @throws ConfigException when it is unreadable, has an unknown extension or bad content
     */
    public static List<TargetGroup> read(Path file) {
        String name = file.toString();
        boolean json = name.endsWith(".json");
        if (!json && !name.endsWith(".yml") && !name.endsWith(".yaml")) {
            throw ConfigException.ofFile(name, "retrieval target groups from \"" + name + "\" failed: unknown extension", null);
        }
        return parse(ConfigParser.read(file), name, json);
    }

    /** Parses file_sd content; {@code name} is the source prefix and the {@code __meta_filepath} value. */
    public static List<TargetGroup> parse(String text, String name, boolean json) {
        YamlNodes y = new YamlNodes(name);
        // SnakeYAML reads JSON, but not tabs used as indentation; JSON never needs them outside strings.
        Node root = y.compose(json ? untab(text) : text);
        List<Node> items = y.seq(root, "");
        List<TargetGroup> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String path = "[" + i + "]";
            if (json) n = withoutUnknownJsonFields(y, n, path);
            TargetGroup g = ConfigParser.targetGroup(y, n, path, name + ":" + i, false);
            Labels labels = g.labels().toBuilder().set(FILEPATH_LABEL, name).build();
            out.add(new TargetGroup(g.source(), g.targets(), labels));
        }
        return out;
    }

    private static Node withoutUnknownJsonFields(YamlNodes y, Node n, String path) {
        if (!(n instanceof org.yaml.snakeyaml.nodes.MappingNode m)) return n;
        List<org.yaml.snakeyaml.nodes.NodeTuple> keep = new ArrayList<>();
        for (var t : m.getValue()) {
            String k = y.scalar(t.getKeyNode(), path);
            if (k.equals("targets") || k.equals("labels")) keep.add(t);
        }
        return new org.yaml.snakeyaml.nodes.MappingNode(m.getTag(), keep, m.getFlowStyle());
    }

    /** Replaces tabs outside double-quoted strings with spaces (JSON strings cannot hold raw tabs anyway). */
    private static String untab(String s) {
        if (s.indexOf('\t') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        boolean inString = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\' && i + 1 < s.length()) {
                    sb.append(c).append(s.charAt(++i));
                    continue;
                }
                if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '\t') {
                c = ' ';
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
