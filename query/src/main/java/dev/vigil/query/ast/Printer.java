package dev.vigil.query.ast;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Prints an AST as canonical single-line PromQL, the way Prometheus's {@code Expr.String()} does (see
 * {@code promql/parser/printer.go}): matchers sorted, durations as {@code 1h30m}, {@code @} before {@code offset},
 * strings double-quoted with Go escapes. Parentheses are printed only where the tree has a {@link ParenExpr}, so a tree
 * that came from the parser re-parses to the same tree. Stateless and thread-safe.
 */
public final class Printer {
    /** Words the grammar never reads as a metric name; such a name is printed inside the braces instead. */
    private static final Set<String> NOT_METRIC_NAMES = Set.of("and", "or", "unless", "atan2", "on", "ignoring",
            "group_left", "group_right", "bool", "inf", "nan");

    private Printer() {
    }

    /** The canonical text of {@code expr}. */
    public static String print(Expr expr) {
        var sb = new StringBuilder();
        print(expr, sb);
        return sb.toString();
    }

    private static void print(Expr expr, StringBuilder sb) {
        switch (expr) {
            case NumberLiteral n -> sb.append(formatNumber(n.value()));
            case StringLiteral s -> sb.append(quote(s.value()));
            case VectorSelector v -> {
                printSelectorBody(v, sb);
                appendAtAndOffset(v.at(), v.offsetMs(), sb);
                appendExtension(v, sb);
            }
            case MatrixSelector m -> {
                printSelectorBody(m.selector(), sb);
                sb.append('[').append(formatDuration(m.rangeMs())).append(']');
                appendAtAndOffset(m.selector().at(), m.selector().offsetMs(), sb);
                appendExtension(m.selector(), sb);
            }
            case SubqueryExpr s -> {
                print(s.expr(), sb);
                sb.append('[').append(formatDuration(s.rangeMs())).append(':');
                if (s.stepMs() != 0) {
                    sb.append(formatDuration(s.stepMs()));
                }
                sb.append(']');
                appendAtAndOffset(s.at(), s.offsetMs(), sb);
            }
            case ParenExpr p -> {
                sb.append('(');
                print(p.expr(), sb);
                sb.append(')');
            }
            case UnaryExpr u -> {
                sb.append(u.op().symbol());
                print(u.expr(), sb);
            }
            case BinaryExpr b -> {
                print(b.lhs(), sb);
                sb.append(' ').append(b.op().symbol());
                if (b.returnBool()) {
                    sb.append(" bool");
                }
                VectorMatching vm = b.matching();
                boolean grouped = vm != null && (vm.card() == VectorMatching.Cardinality.MANY_TO_ONE
                        || vm.card() == VectorMatching.Cardinality.ONE_TO_MANY);
                // Prometheus prints nothing for "ignoring ()" even with group_left; we keep it so the text re-parses.
                if (vm != null && (!vm.matchingLabels().isEmpty() || vm.on() || grouped)) {
                    sb.append(vm.on() ? " on (" : " ignoring (");
                    joinLabels(vm.matchingLabels(), sb);
                    sb.append(')');
                    if (grouped) {
                        sb.append(vm.card() == VectorMatching.Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (");
                        joinLabels(vm.include(), sb);
                        sb.append(')');
                    }
                }
                if (vm != null && vm.hasFill()) {
                    if (vm.fillLeft() != null && vm.fillLeft().equals(vm.fillRight())) {
                        sb.append(" fill (").append(formatNumber(vm.fillLeft())).append(')');
                    } else {
                        if (vm.fillLeft() != null) sb.append(" fill_left (").append(formatNumber(vm.fillLeft())).append(')');
                        if (vm.fillRight() != null) {
                            sb.append(" fill_right (").append(formatNumber(vm.fillRight())).append(')');
                        }
                    }
                }
                sb.append(' ');
                print(b.rhs(), sb);
            }
            case AggregateExpr a -> {
                sb.append(a.op().symbol());
                if (a.without()) {
                    sb.append(" without (");
                    joinLabels(a.grouping(), sb);
                    sb.append(") ");
                } else if (!a.grouping().isEmpty()) {
                    sb.append(" by (");
                    joinLabels(a.grouping(), sb);
                    sb.append(") ");
                }
                sb.append('(');
                if (a.param() != null) {
                    print(a.param(), sb);
                    sb.append(", ");
                }
                print(a.expr(), sb);
                sb.append(')');
            }
            case Call c -> {
                sb.append(c.function().name()).append('(');
                for (int i = 0; i < c.args().size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    print(c.args().get(i), sb);
                }
                sb.append(')');
            }
        }
    }

    private static void printSelectorBody(VectorSelector v, StringBuilder sb) {
        List<String> parts = new ArrayList<>();
        String name = v.name();
        boolean nameInBraces = name != null && !name.isEmpty() && (!isLegacyMetricName(name)
                || NOT_METRIC_NAMES.contains(name.toLowerCase(Locale.ROOT)));
        for (Matcher m : v.matchers()) {
            if (name != null && !name.isEmpty() && m.name().equals(Labels.METRIC_NAME)
                    && m.type() == Matcher.Type.EQUAL && m.value().equals(name)) {
                continue;
            }
            parts.add(formatMatcher(m));
        }
        parts.sort(null);
        if (nameInBraces) {
            parts.addFirst(quote(name));
        } else if (name != null) {
            sb.append(name);
        }
        if (!parts.isEmpty() || name == null || name.isEmpty()) {
            sb.append('{').append(String.join(",", parts)).append('}');
        }
    }

    private static void appendExtension(VectorSelector v, StringBuilder sb) {
        if (v.extension() != VectorSelector.Extension.NONE) {
            sb.append(' ').append(v.extension().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static void appendAtAndOffset(AtModifier at, long offsetMs, StringBuilder sb) {
        if (at != null) {
            switch (at.kind()) {
                case START -> sb.append(" @ start()");
                case END -> sb.append(" @ end()");
                case TIMESTAMP -> sb.append(" @ ").append(formatSeconds(at.timestampMs()));
            }
        }
        if (offsetMs > 0) {
            sb.append(" offset ").append(formatDuration(offsetMs));
        } else if (offsetMs < 0) {
            sb.append(" offset -").append(formatDuration(-offsetMs));
        }
    }

    /** A matcher as Prometheus prints it: {@code name="value"}, the name quoted when it is not a legacy label name. */
    public static String formatMatcher(Matcher m) {
        return formatLabelName(m.name()) + m.type().symbol() + quote(m.value());
    }

    /** A label name, quoted unless it is a legacy name {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    public static String formatLabelName(String name) {
        return isLegacyLabelName(name) ? name : quote(name);
    }

    private static void joinLabels(List<String> labels, StringBuilder sb) {
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(formatLabelName(labels.get(i)));
        }
    }

    /** Seconds with three decimals, as Prometheus prints an {@code @} timestamp ({@code %.3f}). */
    static String formatSeconds(long ms) {
        String sign = ms < 0 ? "-" : "";
        long abs = Math.abs(ms);
        return sign + (abs / 1000) + "." + String.format(Locale.ROOT, "%03d", abs % 1000);
    }

    /** A float as Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest round-trip digits, never an exponent. */
    public static String formatNumber(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0) {
            return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** A duration as Prometheus's {@code model.Duration.String()}: {@code 1h30m}, {@code 90d}, {@code 1y}, {@code 0s}. */
    public static String formatDuration(long ms) {
        if (ms == 0) {
            return "0s";
        }
        var sb = new StringBuilder();
        long rest = ms;
        long[] mult = {365L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, 24L * 3600 * 1000, 3600L * 1000, 60L * 1000,
            1000L, 1L};
        String[] unit = {"y", "w", "d", "h", "m", "s", "ms"};
        for (int i = 0; i < mult.length; i++) {
            // Years and weeks only when exact, as 90d reads better than 12w6d.
            if (i < 2 && rest % mult[i] != 0) {
                continue;
            }
            long n = rest / mult[i];
            if (n > 0) {
                sb.append(n).append(unit[i]);
                rest -= n * mult[i];
            }
        }
        return sb.toString();
    }

    /** A string as Go's {@code strconv.Quote}: double quotes, C escapes, {@code \\u} for unprintable runes. */
    public static String quote(String s) {
        var sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 11 -> sb.append("\\v");
                default -> {
                    if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                        sb.append('\uFFFD'); // a lone surrogate has no UTF-8 form; Go would have U+FFFD here too
                    } else if (isPrint(cp)) {
                        sb.appendCodePoint(cp);
                    } else if (cp < 0x80) {
                        sb.append(String.format(Locale.ROOT, "\\x%02x", cp));
                    } else if (cp <= 0xFFFF) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
                    } else {
                        sb.append(String.format(Locale.ROOT, "\\U%08x", cp));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Whether {@code name} matches {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
    public static boolean isLegacyLabelName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code name} matches {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    public static boolean isLegacyMetricName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && c >= '0' && c <= '9');
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
