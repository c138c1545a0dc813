package dev.vigil.ingest.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Strict reading of a SnakeYAML node tree: every mapping declares its keys up front, so an unknown
 * or duplicated key is an error at its own line, like Go's {@code yaml.UnmarshalStrict}. Scalars are
 * read from their source text, so {@code regex: true} is the string {@code "true"} as in Prometheus.
 * One instance per file being read.
 */
final class YamlNodes {
    final String file;

    YamlNodes(String file) {
        this.file = file;
    }

    /** The root node of a single-document YAML text, or null for an empty document. */
    Node compose(String text) {
        LoaderOptions opts = new LoaderOptions();
        opts.setAllowDuplicateKeys(true); // checked by Obj with a better message
        opts.setMaxAliasesForCollections(1000);
        opts.setCodePointLimit(64 << 20);
        try (Reader r = new StringReader(text)) {
            return new Yaml(opts).compose(r);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = (e.getContext() != null ? e.getContext() + ": " : "") + e.getProblem();
            throw ConfigException.at(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, "", "invalid YAML: " + what);
        } catch (YAMLException e) {
            throw ConfigException.ofFile(file, "invalid YAML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("a StringReader does not fail", e);
        }
    }

    ConfigException error(Node n, String key, String detail) {
        Mark m = n == null ? null : n.getStartMark();
        return ConfigException.at(file, m == null ? 0 : m.getLine() + 1, m == null ? 0 : m.getColumn() + 1, key, detail);
    }

    static boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
    }

    /** A mapping with a fixed set of keys; null node means absent (all getters return defaults). */
    Obj obj(Node n, String path, Set<String> allowed) {
        return new Obj(n, path, allowed);
    }

    /** The elements of a sequence node; an absent or null node is an empty list. */
    List<Node> seq(Node n, String path) {
        if (isNull(n)) return List.of();
        if (!(n instanceof SequenceNode s)) throw error(n, path, "expected a list, got " + kind(n));
        return s.getValue();
    }

    String scalar(Node n, String path) {
        if (isNull(n)) return "";
        if (!(n instanceof ScalarNode s)) throw error(n, path, "expected a single value, got " + kind(n));
        return s.getValue();
    }

    List<String> strings(Node n, String path) {
        List<Node> items = seq(n, path);
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) out.add(scalar(items.get(i), path + "[" + i + "]"));
        return out;
    }

    /** A mapping of strings to strings in document order (e.g. labels, headers). */
    Map<String, String> stringMap(Node n, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeTuple t : entries(n, path)) {
            String k = scalar(t.getKeyNode(), path);
            out.put(k, scalar(t.getValueNode(), path + "." + k));
        }
        return out;
    }

    /** The entries of a mapping, merge keys ({@code <<}) resolved, duplicates rejected. */
    List<NodeTuple> entries(Node n, String path) {
        return entries(n, path, new IdentityHashMap<>());
    }

    // mergeChain: the mappings being merged into this one, so that an alias merging a mapping into
    // itself is an error rather than endless recursion.
    private List<NodeTuple> entries(Node n, String path, IdentityHashMap<Node, Boolean> mergeChain) {
        if (isNull(n)) return List.of();
        if (mergeChain.put(n, Boolean.TRUE) != null) throw error(n, path, "recursive merge key (<<) refers to the mapping that holds it");
        if (!(n instanceof MappingNode m)) throw error(n, path, "expected a mapping, got " + kind(n));
        List<NodeTuple> own = new ArrayList<>();
        List<NodeTuple> merged = new ArrayList<>();
        Map<String, Node> seen = new HashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = scalar(t.getKeyNode(), path);
            if (k.equals("<<") && t.getKeyNode() instanceof ScalarNode ks && ks.getTag().equals(Tag.MERGE)) {
                Node v = t.getValueNode();
                List<Node> sources = v instanceof SequenceNode s ? s.getValue() : List.of(v);
                for (Node src : sources) merged.addAll(entries(src, path, mergeChain));
                continue;
            }
            Node prev = seen.put(k, t.getKeyNode());
            if (prev != null) {
                throw error(t.getKeyNode(), join(path, k), "mapping key \"" + k + "\" already defined at line " + (prev.getStartMark().getLine() + 1));
            }
            own.add(t);
        }
        for (NodeTuple t : merged) {
            String k = scalar(t.getKeyNode(), path);
            if (seen.putIfAbsent(k, t.getKeyNode()) == null) own.add(t); // explicit keys win over merged ones
        }
        mergeChain.remove(n);
        return own;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String kind(Node n) {
        return switch (n.getNodeId()) {
            case mapping -> "a mapping";
            case sequence -> "a list";
            case scalar -> "\"" + ((ScalarNode) n).getValue() + "\"";
            default -> "an alias";
        };
    }

    /** A mapping whose keys were checked against an allowed set. Getters mark nothing; absent keys give defaults. */
    final class Obj {
        final Node node;
        final String path;
        private final Map<String, NodeTuple> byKey = new LinkedHashMap<>();

        Obj(Node n, String path, Set<String> allowed) {
            this.node = n;
            this.path = path;
            for (NodeTuple t : entries(n, path)) {
                String k = scalar(t.getKeyNode(), path);
                if (!allowed.contains(k)) throw YamlNodes.this.error(t.getKeyNode(), join(path, k), unknownKey(k));
                byKey.put(k, t);
            }
        }

        private String unknownKey(String k) {
            if (k.endsWith("_sd_configs")) return "service discovery \"" + k + "\" is not supported by Vigil (use static_configs, file_sd_configs, http_sd_configs or dns_sd_configs)";
            return "unknown key \"" + k + "\"";
        }

        boolean has(String key) {
            NodeTuple t = byKey.get(key);
            return t != null && !isNull(t.getValueNode());
        }

        Node node(String key) {
            NodeTuple t = byKey.get(key);
            return t == null ? null : t.getValueNode();
        }

        /** The node to blame for {@code key}: its value when present, else the mapping. */
        Node blame(String key) {
            Node v = node(key);
            return v != null ? v : node;
        }

        String path(String key) {
            return join(path, key);
        }

        ConfigException error(String key, String detail) {
            return YamlNodes.this.error(blame(key), key.isEmpty() ? path : path(key), detail);
        }

        String string(String key, String def) {
            return has(key) ? scalar(node(key), path(key)) : def;
        }

        boolean bool(String key, boolean def) {
            if (!has(key)) return def;
            String s = scalar(node(key), path(key));
            return switch (s) {
                // YAML 1.1 booleans, as go-yaml v2 reads them
                case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" -> true;
                case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" -> false;
                default -> throw error(key, "cannot read \"" + s + "\" as a boolean");
            };
        }

        /** A non-negative integer (Go {@code uint}). */
        long uint(String key, long def) {
            long v = integer(key, def);
            if (v < 0) throw error(key, "cannot read \"" + v + "\" as an unsigned integer");
            return v;
        }

        long integer(String key, long def) {
            if (!has(key)) return def;
            String s = scalar(node(key), path(key)).replace("_", "");
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error(key, "cannot read \"" + s + "\" as an integer");
            }
        }

        double real(String key, double def) {
            if (!has(key)) return def;
            String s = scalar(node(key), path(key));
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw error(key, "cannot read \"" + s + "\" as a number");
            }
        }

        long durationMs(String key, long def) {
            if (!has(key)) return def;
            try {
                return PromDuration.parseMs(scalar(node(key), path(key)));
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }

        long bytes(String key, long def) {
            if (!has(key)) return def;
            try {
                return ByteSize.parse(scalar(node(key), path(key)));
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }

        List<String> strings(String key) {
            return YamlNodes.this.strings(node(key), path(key));
        }

        Map<String, String> stringMap(String key) {
            return YamlNodes.this.stringMap(node(key), path(key));
        }

        List<Node> seq(String key) {
            return YamlNodes.this.seq(node(key), path(key));
        }

        Obj obj(String key, Set<String> allowed) {
            return new Obj(node(key), path(key), allowed);
        }
    }
}
