package dev.vigil.query.eval;

import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.BinaryOp;
import dev.vigil.query.ast.ValueType;
import dev.vigil.query.ast.VectorMatching;
import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Binary operators between vectors and scalars, with Prometheus's vector matching, over whole grids. */
final class BinaryOps {
    private BinaryOps() {
    }

    static double arith(BinaryOp op, double l, double r) {
        return switch (op) {
            case ADD -> l + r;
            case SUB -> l - r;
            case MUL -> l * r;
            case DIV -> l / r;
            case MOD -> l % r; // Java's % on doubles is C fmod, as Go's math.Mod
            case POW -> pow(l, r);
            case ATAN2 -> Math.atan2(l, r);
            default -> throw new IllegalStateException("not arithmetic: " + op);
        };
    }

    /** Go's math.Pow, which differs from Java's for a base of 1 or -1 with a NaN or infinite exponent. */
    static double pow(double x, double y) {
        if (x == 1 || y == 0) return 1;
        if (x == -1 && Double.isInfinite(y)) return 1;
        return Math.pow(x, y);
    }

    static boolean compare(BinaryOp op, double l, double r) {
        return switch (op) {
            case EQLC -> l == r;
            case NEQ -> l != r;
            case GTR -> l > r;
            case LSS -> l < r;
            case GTE -> l >= r;
            case LTE -> l <= r;
            default -> throw new IllegalStateException("not a comparison: " + op);
        };
    }

    /** Prometheus drops the metric name for arithmetic, not for comparisons (unless {@code bool}). */
    static boolean dropsName(BinaryOp op) {
        return !op.isComparison() && !op.isSetOperator();
    }

    static Grid eval(Evaluator ev, BinaryExpr b, Span s) {
        boolean lScalar = b.lhs().type() == ValueType.SCALAR, rScalar = b.rhs().type() == ValueType.SCALAR;
        if (lScalar && rScalar) throw new IllegalStateException("scalar binary expression evaluated as vector");
        if (lScalar || rScalar) {
            Grid g = ev.vector(lScalar ? b.rhs() : b.lhs(), s);
            double[] sc = ev.scalar(lScalar ? b.lhs() : b.rhs(), s);
            return vectorScalar(ev, b, g, sc, lScalar);
        }
        Grid l = ev.vector(b.lhs(), s);
        Grid r = ev.vector(b.rhs(), s);
        VectorMatching m = b.matching() != null ? b.matching()
                : new VectorMatching(b.op().isSetOperator() ? VectorMatching.Cardinality.MANY_TO_MANY
                        : VectorMatching.Cardinality.ONE_TO_ONE, List.of(), false, List.of());
        return switch (b.op()) {
            case AND -> andUnless(l, r, m, true);
            case UNLESS -> andUnless(l, r, m, false);
            case OR -> or(l, r, m);
            default -> vectorVector(ev, b, l, r, m, s);
        };
    }

    private static Grid vectorScalar(Evaluator ev, BinaryExpr b, Grid g, double[] sc, boolean swap) {
        BinaryOp op = b.op();
        boolean cmp = op.isComparison();
        boolean drop = dropsName(op) || b.returnBool();
        for (Grid.Row row : g.rows) {
            for (int i = 0; i < g.steps; i++) {
                if (!row.has[i]) continue;
                double v = row.v[i], l = swap ? sc[i] : v, r = swap ? v : sc[i];
                if (cmp) {
                    boolean keep = compare(op, l, r);
                    if (b.returnBool()) row.v[i] = keep ? 1 : 0;
                    else if (!keep) row.has[i] = false;
                } else {
                    row.v[i] = arith(op, l, r);
                }
            }
            if (drop) ev.dropName(row);
        }
        g.compact();
        return drop ? ev.finishDrop(g) : g;
    }

    /** The matching signature: the {@code on} labels, or all but the {@code ignoring} labels and the name. */
    static Labels signature(Labels l, VectorMatching m) {
        if (m.on()) {
            Labels.Builder b = Labels.builder();
            for (String n : m.matchingLabels()) {
                String v = l.get(n);
                if (!v.isEmpty()) b.set(n, v);
            }
            return b.build();
        }
        Labels.Builder b = l.toBuilder();
        b.remove(Labels.METRIC_NAME);
        for (String n : m.matchingLabels()) b.remove(n);
        return b.build();
    }

    private static Map<Labels, List<Grid.Row>> bySignature(Grid g, VectorMatching m) {
        Map<Labels, List<Grid.Row>> map = new HashMap<>();
        for (Grid.Row r : g.rows) map.computeIfAbsent(signature(r.labels, m), k -> new ArrayList<>(1)).add(r);
        return map;
    }

    private static boolean anyPresent(List<Grid.Row> rows, int i) {
        if (rows == null) return false;
        for (Grid.Row r : rows) if (r.has[i]) return true;
        return false;
    }

    private static Grid andUnless(Grid l, Grid r, VectorMatching m, boolean and) {
        Map<Labels, List<Grid.Row>> right = bySignature(r, m);
        for (Grid.Row row : l.rows) {
            List<Grid.Row> match = right.get(signature(row.labels, m));
            for (int i = 0; i < l.steps; i++) {
                if (row.has[i] && anyPresent(match, i) != and) row.has[i] = false;
            }
        }
        return l.compact();
    }

    private static Grid or(Grid l, Grid r, VectorMatching m) {
        Map<Labels, List<Grid.Row>> left = bySignature(l, m);
        Grid out = new Grid(l.steps, new ArrayList<>(l.rows));
        for (Grid.Row row : r.rows) {
            List<Grid.Row> match = left.get(signature(row.labels, m));
            if (match != null) {
                for (int i = 0; i < r.steps; i++) {
                    if (row.has[i] && anyPresent(match, i)) row.has[i] = false;
                }
            }
            if (row.count() > 0) out.rows.add(row);
        }
        return out.mergeDuplicates();
    }

    private static Grid vectorVector(Evaluator ev, BinaryExpr b, Grid l, Grid r, VectorMatching m, Span s) {
        BinaryOp op = b.op();
        boolean swapped = m.card() == VectorMatching.Cardinality.ONE_TO_MANY;
        Grid many = swapped ? r : l, one = swapped ? l : r;
        Map<Labels, List<Grid.Row>> oneBySig = bySignature(one, m);
        List<List<Grid.Row>> oneDupGroups = new ArrayList<>();
        for (List<Grid.Row> grp : oneBySig.values()) if (grp.size() > 1) oneDupGroups.add(grp);
        Map<Labels, List<Grid.Row>> manyBySig = bySignature(many, m);
        boolean drop = dropsName(op) || b.returnBool();
        boolean cmp = op.isComparison();
        Grid out = new Grid(s.steps());
        Map<Grid.Row, Map<Grid.Row, Grid.Row>> pairs = new HashMap<>();
        Map<Labels, Grid.Row> outByLabels = new HashMap<>();
        // fill modifiers apply after group_right swaps the sides, as in Prometheus: fill_right stands in for a
        // missing "one"-side sample, fill_left for a missing "many"-side one
        Double fillOne = m.fillRight();
        Double fillMany = m.fillLeft();
        Map<Grid.Row, Labels> sigOf = new HashMap<>();
        if (m.hasFill()) {
            for (Grid.Row row : many.rows) sigOf.put(row, signature(row.labels, m));
            for (Grid.Row row : one.rows) sigOf.put(row, signature(row.labels, m));
        }
        Map<Grid.Row, Grid.Row> filledRows = new HashMap<>();
        for (int i = 0; i < s.steps(); i++) {
            ev.checkInterrupt();
            for (List<Grid.Row> grp : oneDupGroups) {
                Grid.Row first = null;
                for (Grid.Row o : grp) {
                    if (!o.has[i]) continue;
                    if (first != null) {
                        throw QueryException.execution("found duplicate series for the match group "
                                + promString(signature(o.labels, m)) + " on the " + (swapped ? "left" : "right")
                                + " hand-side of the operation: [" + promString(first.labels) + ", " + promString(o.labels)
                                + "];many-to-many matching not allowed: matching labels must be unique on one side");
                    }
                    first = o;
                }
            }
            for (Map.Entry<Labels, List<Grid.Row>> e : manyBySig.entrySet()) {
                List<Grid.Row> ones = oneBySig.get(e.getKey());
                if (ones == null) continue;
                Grid.Row o = null;
                for (Grid.Row c : ones) {
                    if (c.has[i]) {
                        o = c;
                        break;
                    }
                }
                if (o == null) continue;
                List<Grid.Row> group = e.getValue();
                List<Labels> seen = group.size() > 1 ? new ArrayList<>() : null;
                for (Grid.Row mr : group) {
                    if (!mr.has[i]) continue;
                    Grid.Row target = pairs.computeIfAbsent(mr, k -> new HashMap<>()).get(o);
                    if (target == null) {
                        Labels res = resultLabels(ev, mr.labels, o.labels, op, b.returnBool(), m);
                        target = outByLabels.get(res);
                        if (target == null) {
                            target = out.add(res);
                            target.dropName = ev.opts.delayedNameRemoval() && drop;
                            outByLabels.put(res, target);
                        }
                        pairs.get(mr).put(o, target);
                    }
                    // Matching errors are raised before comparisons filter anything, as in Prometheus.
                    if (seen != null) {
                        if (m.card() == VectorMatching.Cardinality.ONE_TO_ONE) {
                            if (!seen.isEmpty()) {
                                throw QueryException.execution("multiple matches for labels: many-to-one matching must be"
                                        + " explicit (group_left/group_right)");
                            }
                        } else if (seen.contains(target.labels)) {
                            throw QueryException.execution(
                                    "multiple matches for labels: grouping labels must ensure unique matches");
                        }
                        seen.add(target.labels);
                    }
                    double fl = swapped ? o.v[i] : mr.v[i], fr = swapped ? mr.v[i] : o.v[i];
                    double val;
                    if (cmp) {
                        boolean keep = compare(op, fl, fr);
                        if (b.returnBool()) val = keep ? 1 : 0;
                        else if (keep) val = fl;
                        else continue;
                    } else {
                        val = arith(op, fl, fr);
                    }
                    if (target.has[i]) throw QueryException.execution("vector cannot contain metrics with the same labelset");
                    target.set(i, val);
                }
            }
            if (fillOne != null) {
                for (Grid.Row mr : many.rows) {
                    if (mr.has[i] && !anyPresent(oneBySig.get(sigOf.get(mr)), i)) {
                        fill(ev, b, m, out, outByLabels, filledRows, mr, i, swapped ? fillOne : mr.v[i],
                                swapped ? mr.v[i] : fillOne, drop, false);
                    }
                }
            }
            if (fillMany != null) {
                for (Grid.Row o : one.rows) {
                    if (o.has[i] && !anyPresent(manyBySig.get(sigOf.get(o)), i)) {
                        fill(ev, b, m, out, outByLabels, filledRows, o, i, swapped ? o.v[i] : fillMany,
                                swapped ? fillMany : o.v[i], drop, true);
                    }
                }
            }
        }
        out.compact();
        ev.track(out.samples());
        return out;
    }

    /** One result of a fill modifier: {@code present} is the side that has a sample, the other side is filled. */
    private static void fill(Evaluator ev, BinaryExpr b, VectorMatching m, Grid out, Map<Labels, Grid.Row> outByLabels,
            Map<Grid.Row, Grid.Row> filledRows, Grid.Row present, int i, double fl, double fr, boolean drop,
            boolean onlyOneSide) {
        BinaryOp op = b.op();
        double val;
        if (op.isComparison()) {
            boolean keep = compare(op, fl, fr);
            if (b.returnBool()) val = keep ? 1 : 0;
            else if (keep) val = fl;
            else return;
        } else {
            val = arith(op, fl, fr);
        }
        Grid.Row target = filledRows.get(present);
        if (target == null) {
            // with only the "one" side present, the result carries just the matching labels
            Labels res = onlyOneSide ? signature(present.labels, m)
                    : resultLabels(ev, present.labels, Labels.EMPTY, op, b.returnBool(), m);
            target = outByLabels.get(res);
            if (target == null) {
                target = out.add(res);
                target.dropName = ev.opts.delayedNameRemoval() && drop;
                outByLabels.put(res, target);
            }
            filledRows.put(present, target);
        }
        if (target.has[i]) throw QueryException.execution("vector cannot contain metrics with the same labelset");
        target.set(i, val);
    }

    /** Prometheus's {@code labels.String()}: every label, the name too, as {@code {a="b", c="d"}}. */
    static String promString(Labels l) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(l.name(i)).append("=\"").append(l.value(i).replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append('"');
        }
        return sb.append('}').toString();
    }

    private static Labels resultLabels(Evaluator ev, Labels many, Labels one, BinaryOp op, boolean returnBool,
            VectorMatching m) {
        Labels.Builder b = many.toBuilder();
        if (!ev.opts.delayedNameRemoval() && (dropsName(op) || returnBool)) b.remove(Labels.METRIC_NAME);
        if (m.card() == VectorMatching.Cardinality.ONE_TO_ONE) {
            if (m.on()) {
                Labels.Builder k = Labels.builder();
                for (String n : m.matchingLabels()) {
                    String v = b.get(n);
                    if (!v.isEmpty()) k.set(n, v);
                }
                b = k;
            } else {
                for (String n : m.matchingLabels()) b.remove(n);
            }
        }
        for (String n : m.include()) {
            String v = one.get(n);
            if (!v.isEmpty()) b.set(n, v);
            else b.remove(n);
        }
        Labels res = b.build();
        return ev.opts.delayedNameRemoval() ? res : res;
    }
}
