package dev.vigil.rules.config;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.QueryException;
import dev.vigil.rules.template.Expander;
import dev.vigil.rules.template.TemplateException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Parses and validates rule files: Prometheus's format ({@code groups:}) and Kubernetes {@code PrometheusRule}
 * manifests ({@code spec.groups}, several documents per file allowed). Validation is strict and collects every error,
 * each naming the file, the line:column of the offending YAML node, the group, the rule and what is wrong, in
 * promtool's shape: {@code rules.yml: 5:15: group "g", rule 1, "job:up:sum": could not parse expression: ...}.
 *
 * <p>We walk SnakeYAML's node tree rather than binding to objects because the nodes carry line numbers, and because an
 * unknown key must be an error (Prometheus decodes rule files strictly). Stateless and thread-safe.
 */
public final class RuleFiles {
    private RuleFiles() {}

    private static final Pattern METRIC_NAME = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
    private static final Pattern LABEL_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");
    private static final Set<String> GROUP_KEYS = Set.of("name", "interval", "query_offset", "limit", "rules",
            "labels");
    private static final Set<String> RULE_KEYS = Set.of("record", "alert", "expr", "for", "keep_firing_for", "labels",
            "annotations");

    /** The groups of one file and the errors found; a file with errors must not be used. */
    public record Result(String file, List<RuleGroupConfig> groups, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        public int ruleCount() {
            int n = 0;
            for (RuleGroupConfig g : groups) n += g.rules().size();
            return n;
        }
    }

    /** Reads and parses one file; a read error is reported as an error of the result. */
    public static Result parseFile(Path file) {
        String name = file.toString();
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Result(name, List.of(), List.of(name + ": " + e.getMessage()));
        }
        return parse(name, content);
    }

    /** Parses {@code content} as the rule file named {@code file} (the name is used in errors and in the API). */
    public static Result parse(String file, String content) {
        Ctx c = new Ctx(file);
        List<RuleGroupConfig> groups = new ArrayList<>();
        try {
            Yaml yaml = new Yaml(new LoaderOptions());
            for (Node doc : yaml.composeAll(new StringReader(content))) {
                if (doc == null) continue;
                parseDocument(c, doc, groups);
            }
        } catch (MarkedYAMLException e) {
            var m = e.getProblemMark();
            c.errors.add(file + ": " + (m == null ? "" : (m.getLine() + 1) + ":" + (m.getColumn() + 1) + ": ")
                    + "yaml: " + e.getProblem());
        } catch (RuntimeException e) {
            c.errors.add(file + ": yaml: " + e.getMessage());
        }
        return new Result(file, List.copyOf(groups), List.copyOf(c.errors));
    }

    /**
     * Expands {@code rule_files} patterns (Go filepath.Glob syntax in the last path elements, relative paths resolved
     * against {@code base}) into existing files, sorted and without duplicates. A pattern without glob characters
     * that names a missing file is kept, so that loading it reports the error.
     */
    public static List<Path> expand(List<String> patterns, Path base) throws IOException {
        TreeSet<Path> out = new TreeSet<>();
        for (String pattern : patterns) {
            Path p = base == null ? Path.of(pattern) : base.resolve(pattern);
            if (!pattern.matches(".*[*?\\[].*")) {
                out.add(p.normalize());
                continue;
            }
            // walk from the deepest directory without glob characters
            Path root = p.getRoot() == null ? Path.of("") : p.getRoot();
            int firstGlob = 0;
            for (int i = 0; i < p.getNameCount(); i++) {
                if (p.getName(i).toString().matches(".*[*?\\[].*")) {
                    firstGlob = i;
                    break;
                }
                root = root.resolve(p.getName(i));
            }
            if (!Files.isDirectory(root)) continue;
            int depth = p.getNameCount() - firstGlob;
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.toString().replace("\\", "\\\\"));
            try (Stream<Path> s = Files.walk(root, depth)) {
                s.filter(f -> f.getNameCount() == p.getNameCount() && m.matches(f) && Files.isRegularFile(f))
                        .forEach(f -> out.add(f.normalize()));
            }
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------

    private static final class Ctx {
        final String file;
        final List<String> errors = new ArrayList<>();

        Ctx(String file) {
            this.file = file;
        }

        void error(Node at, String msg) {
            errors.add(file + ": " + pos(at) + msg);
        }

        void ruleError(Node at, String group, int ruleIndex, String ruleName, String msg) {
            errors.add(file + ": " + pos(at) + "group \"" + group + "\", rule " + ruleIndex + ", \"" + ruleName + "\": "
                    + msg);
        }
    }

    private static String pos(Node n) {
        if (n == null) return "";
        return (n.getStartMark().getLine() + 1) + ":" + (n.getStartMark().getColumn() + 1) + ": ";
    }

    private static int line(Node n) {
        return n == null ? 0 : n.getStartMark().getLine() + 1;
    }

    private static Map<String, NodeTuple> mapping(Ctx c, Node n, String what, Set<String> allowed) {
        if (!(n instanceof MappingNode m)) {
            c.error(n, what + " must be a mapping");
            return null;
        }
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                c.error(t.getKeyNode(), "non-scalar key in " + what);
                continue;
            }
            String key = k.getValue();
            if (allowed != null && !allowed.contains(key)) {
                c.error(k, "field " + key + " not found in " + what);
                continue;
            }
            if (out.containsKey(key)) {
                c.error(k, "field " + key + " already set in " + what);
                continue;
            }
            out.put(key, t);
        }
        return out;
    }

    private static boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
    }

    private static String scalar(Ctx c, Node n, String what) {
        if (isNull(n)) return "";
        if (n instanceof ScalarNode s) return s.getValue();
        c.error(n, what + " must be a string");
        return null;
    }

    private static void parseDocument(Ctx c, Node doc, List<RuleGroupConfig> groups) {
        if (isNull(doc)) return;
        if (!(doc instanceof MappingNode)) {
            c.error(doc, "a rule file must be a mapping with 'groups' (or a PrometheusRule manifest)");
            return;
        }
        Map<String, NodeTuple> top = mapping(c, doc, "rule file", null);
        if (top == null) return;
        Node groupsNode;
        if (top.containsKey("spec") || top.containsKey("kind") || top.containsKey("apiVersion")) {
            NodeTuple kind = top.get("kind");
            String k = kind == null ? null : scalar(c, kind.getValueNode(), "kind");
            if (!"PrometheusRule".equals(k)) {
                c.error(kind == null ? doc : kind.getValueNode(), "a Kubernetes manifest must have kind PrometheusRule, got "
                        + (k == null ? "none" : "\"" + k + "\""));
                return;
            }
            NodeTuple spec = top.get("spec");
            if (spec == null) {
                c.error(doc, "PrometheusRule manifest without spec");
                return;
            }
            Map<String, NodeTuple> s = mapping(c, spec.getValueNode(), "PrometheusRule spec", Set.of("groups"));
            if (s == null || !s.containsKey("groups")) return;
            groupsNode = s.get("groups").getValueNode();
            parseGroups(c, groupsNode, groups, true);
        } else {
            for (Map.Entry<String, NodeTuple> e : top.entrySet()) {
                if (!e.getKey().equals("groups")) c.error(e.getValue().getKeyNode(), "field " + e.getKey()
                        + " not found in rule file (expected groups)");
            }
            if (!top.containsKey("groups")) return;
            parseGroups(c, top.get("groups").getValueNode(), groups, false);
        }
    }

    private static void parseGroups(Ctx c, Node n, List<RuleGroupConfig> out, boolean manifest) {
        if (isNull(n)) return;
        if (!(n instanceof SequenceNode seq)) {
            c.error(n, "groups must be a list");
            return;
        }
        Set<String> seen = new HashSet<>();
        for (RuleGroupConfig g : out) seen.add(g.name());
        Set<String> allowed = manifest ? union(GROUP_KEYS, Set.of("partial_response_strategy")) : GROUP_KEYS;
        for (Node gn : seq.getValue()) {
            Map<String, NodeTuple> g = mapping(c, gn, "rule group", allowed);
            if (g == null) continue;
            String name = g.containsKey("name") ? scalar(c, g.get("name").getValueNode(), "group name") : "";
            if (name == null) continue;
            Node nameNode = g.containsKey("name") ? g.get("name").getValueNode() : gn;
            if (name.isEmpty()) {
                c.error(nameNode, "Groupname must not be empty");
                continue;
            }
            if (!seen.add(name)) {
                // promtool points at the group, not at its name
                c.error(gn, "groupname: \"" + name + "\" is repeated in the same file");
                continue;
            }
            long intervalMs = 0;
            if (g.containsKey("interval")) intervalMs = duration(c, g.get("interval").getValueNode(), name, "interval");
            long queryOffsetMs = -1;
            if (g.containsKey("query_offset")) {
                queryOffsetMs = duration(c, g.get("query_offset").getValueNode(), name, "query_offset");
            }
            int limit = 0;
            if (g.containsKey("limit")) {
                Node ln = g.get("limit").getValueNode();
                String lv = scalar(c, ln, "limit");
                try {
                    limit = Integer.parseInt(lv);
                    if (limit < 0) c.error(ln, "group \"" + name + "\": limit must not be negative");
                } catch (NumberFormatException e) {
                    c.error(ln, "group \"" + name + "\": limit must be an integer, got \"" + lv + "\"");
                }
            }
            Map<String, String> labels = g.containsKey("labels")
                    ? labels(c, g.get("labels").getValueNode(), name, 0, "", "label") : Map.of();
            List<RuleConfig> rules = new ArrayList<>();
            if (g.containsKey("rules") && !isNull(g.get("rules").getValueNode())) {
                Node rn = g.get("rules").getValueNode();
                if (!(rn instanceof SequenceNode rs)) {
                    c.error(rn, "group \"" + name + "\": rules must be a list");
                } else {
                    int idx = 0;
                    for (Node r : rs.getValue()) {
                        idx++;
                        RuleConfig rc = parseRule(c, r, name, idx);
                        if (rc != null) rules.add(rc);
                    }
                }
            }
            out.add(new RuleGroupConfig(c.file, name, intervalMs, limit, queryOffsetMs, labels, List.copyOf(rules),
                    line(gn)));
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return s;
    }

    private static long duration(Ctx c, Node n, String group, String field) {
        String v = scalar(c, n, field);
        if (v == null) return 0;
        try {
            return Durations.parseMs(v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            c.error(n, "group \"" + group + "\": " + field + ": " + e.getMessage());
            return 0;
        }
    }

    private static Map<String, String> labels(Ctx c, Node n, String group, int ruleIdx, String rule, String kind) {
        if (isNull(n)) return Map.of();
        Map<String, NodeTuple> m = mapping(c, n, kind + "s", null);
        if (m == null) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            String v = scalar(c, e.getValue().getValueNode(), kind + " value");
            if (v == null) continue;
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static RuleConfig parseRule(Ctx c, Node rn, String group, int idx) {
        Map<String, NodeTuple> r = mapping(c, rn, "rule", null);
        if (r == null) return null;
        // unknown keys first, reported with the rule's identity once we know its name
        String record = r.containsKey("record") ? scalar(c, r.get("record").getValueNode(), "record") : null;
        String alert = r.containsKey("alert") ? scalar(c, r.get("alert").getValueNode(), "alert") : null;
        String name = record != null ? record : alert != null ? alert : "";
        // promtool reports misplaced fields of a recording rule at the record name
        Node recordNode = record != null ? r.get("record").getValueNode() : rn;
        int before = c.errors.size();
        for (Map.Entry<String, NodeTuple> e : r.entrySet()) {
            if (!RULE_KEYS.contains(e.getKey())) {
                c.ruleError(e.getValue().getKeyNode(), group, idx, name, "field " + e.getKey() + " not found in rule");
            }
        }
        if (record != null && alert != null) {
            c.ruleError(r.get("record").getKeyNode(), group, idx, name, "only one of 'record' and 'alert' must be set");
        } else if ((record == null || record.isEmpty()) && (alert == null || alert.isEmpty())) {
            c.ruleError(rn, group, idx, name, "one of 'record' or 'alert' must be set");
        }
        Node exprNode = r.containsKey("expr") ? r.get("expr").getValueNode() : null;
        String expr = exprNode == null ? "" : scalar(c, exprNode, "expr");
        if (expr == null) expr = "";
        if (expr.isBlank()) {
            c.ruleError(exprNode == null ? rn : exprNode, group, idx, name, "field 'expr' must be set in rule");
        } else {
            try {
                Engine.parse(expr);
            } catch (QueryException e) {
                c.ruleError(exprNode, group, idx, name, "could not parse expression: " + e.getMessage());
            }
        }
        long forMs = 0, keepMs = 0;
        if (r.containsKey("for")) {
            Node fn = r.get("for").getValueNode();
            if (record != null) c.ruleError(recordNode, group, idx, name, "invalid field 'for' in recording rule");
            forMs = ruleDuration(c, fn, group, idx, name, "for");
        }
        if (r.containsKey("keep_firing_for")) {
            Node fn = r.get("keep_firing_for").getValueNode();
            if (record != null) {
                c.ruleError(recordNode, group, idx, name, "invalid field 'keep_firing_for' in recording rule");
            }
            keepMs = ruleDuration(c, fn, group, idx, name, "keep_firing_for");
        }
        Map<String, String> labels = r.containsKey("labels")
                ? labels(c, r.get("labels").getValueNode(), group, idx, name, "label") : Map.of();
        Map<String, String> annotations = Map.of();
        if (r.containsKey("annotations")) {
            Node an = r.get("annotations").getValueNode();
            if (record != null) c.ruleError(recordNode, group, idx, name, "invalid field 'annotations' in recording rule");
            annotations = labels(c, an, group, idx, name, "annotation");
        }
        if (record != null && !record.isEmpty() && !METRIC_NAME.matcher(record).matches()) {
            c.ruleError(r.get("record").getValueNode(), group, idx, name, "invalid recording rule name: " + record);
        }
        Node labelsNode = r.containsKey("labels") ? r.get("labels").getValueNode() : rn;
        for (String k : labels.keySet()) {
            if (!LABEL_NAME.matcher(k).matches() || k.equals("__name__")) {
                c.ruleError(labelsNode, group, idx, name, "invalid label name: " + k);
            }
        }
        for (String k : annotations.keySet()) {
            if (!LABEL_NAME.matcher(k).matches()) {
                c.ruleError(r.get("annotations").getValueNode(), group, idx, name, "invalid annotation name: " + k);
            }
        }
        if (alert != null && record == null) {
            for (Map.Entry<String, String> e : labels.entrySet()) {
                checkTemplate(c, labelsNode, group, idx, name, "label", e);
            }
            for (Map.Entry<String, String> e : annotations.entrySet()) {
                checkTemplate(c, r.get("annotations").getValueNode(), group, idx, name, "annotation", e);
            }
        }
        if (c.errors.size() > before) return null;
        return new RuleConfig(record != null ? RuleConfig.Kind.RECORD : RuleConfig.Kind.ALERT, name, expr, forMs, keepMs,
                labels, annotations, line(rn));
    }

    private static void checkTemplate(Ctx c, Node at, String group, int idx, String name, String kind,
            Map.Entry<String, String> e) {
        if (at instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(e.getKey())) at = t.getValueNode();
            }
        }
        try {
            Expander.parseAlert(name, e.getValue());
        } catch (TemplateException ex) {
            c.ruleError(at, group, idx, name, kind + " \"" + e.getKey() + "\": " + ex.getMessage());
        }
    }

    private static long ruleDuration(Ctx c, Node n, String group, int idx, String name, String field) {
        String v = scalar(c, n, field);
        if (v == null) return 0;
        try {
            return Durations.parseMs(v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            c.ruleError(n, group, idx, name, field + ": " + e.getMessage());
            return 0;
        }
    }
}
