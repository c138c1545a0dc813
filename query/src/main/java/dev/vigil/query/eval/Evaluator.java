package dev.vigil.query.eval;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.AtModifier;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.NumberLiteral;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.PositionRange;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.ValueType;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.StaleMarker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The state of one query evaluation. Not thread-safe; one per query.
 *
 * <p>Design notes. Every instant-vector expression is evaluated for all steps of its {@link Span} at once into a
 * {@link Grid} (series x steps, primitive columns), unlike Prometheus, which evaluates a range query step by step and
 * re-does label work (matching signatures, grouping) at every step. Selectors load each series once into primitive
 * columns ({@link RawSeries}); instant selectors and range windows then walk those columns with moving indices. A
 * subquery evaluates its inner expression over its own span (aligned to multiples of its step, as in Prometheus) and
 * feeds the resulting points to the range function like a stored series. Name dropping follows Prometheus: either at
 * once, or flagged and done at the end ({@link EngineOptions#delayedNameRemoval()}).
 */
final class Evaluator {
    final Querier querier;
    final EngineOptions opts;
    final String query;
    final long topStart;
    final long topEnd;
    final boolean rangeQuery;
    private final long deadlineNanos;
    private final BooleanSupplier canceled;
    final LinkedHashSet<String> warnings = new LinkedHashSet<>();
    final LinkedHashSet<String> infos = new LinkedHashSet<>();
    private long samples;
    private int interruptCounter;

    Evaluator(Querier querier, EngineOptions opts, String query, long topStart, long topEnd, boolean rangeQuery,
            long deadlineNanos, BooleanSupplier canceled) {
        this.querier = querier;
        this.opts = opts;
        this.query = query;
        this.topStart = topStart;
        this.topEnd = topEnd;
        this.rangeQuery = rangeQuery;
        this.deadlineNanos = deadlineNanos;
        this.canceled = canceled;
    }

    // ---- bookkeeping -------------------------------------------------------------------------------------------

    void checkInterrupt() {
        if ((interruptCounter++ & 63) != 0) return; // nanoTime is cheap, but not free per series
        if (canceled.getAsBoolean()) throw QueryException.canceled("expression evaluation");
        if (System.nanoTime() - deadlineNanos > 0) throw QueryException.timeout("expression evaluation");
    }

    void track(long n) {
        samples += n;
        if (samples > opts.maxSamples()) throw QueryException.tooManySamples();
    }

    void release(long n) {
        samples -= n;
    }

    void warn(String msg, PositionRange p) {
        warnings.add("PromQL warning: " + msg + " (" + p.startPosition(query) + ")");
    }

    void info(String msg, PositionRange p) {
        infos.add("PromQL info: " + msg + " (" + p.startPosition(query) + ")");
    }

    // ---- dispatch ----------------------------------------------------------------------------------------------

    static Expr unwrap(Expr e) {
        while (e instanceof ParenExpr p) e = p.expr();
        return e;
    }

    /** Evaluates a scalar expression: one value per step. */
    double[] scalar(Expr e, Span s) {
        e = unwrap(e);
        switch (e) {
            case NumberLiteral n -> {
                double[] out = new double[s.steps()];
                Arrays.fill(out, n.value());
                return out;
            }
            case UnaryExpr u -> {
                double[] v = scalar(u.expr(), s);
                if (u.op() == UnaryExpr.Op.MINUS) for (int i = 0; i < v.length; i++) v[i] = -v[i];
                return v;
            }
            case BinaryExpr b -> {
                double[] l = scalar(b.lhs(), s), r = scalar(b.rhs(), s);
                for (int i = 0; i < l.length; i++) {
                    l[i] = b.op().isComparison() ? (BinaryOps.compare(b.op(), l[i], r[i]) ? 1 : 0)
                            : BinaryOps.arith(b.op(), l[i], r[i]);
                }
                return l;
            }
            case Call c -> {
                return Calls.scalarCall(this, c, s);
            }
            default -> throw new IllegalStateException("not a scalar expression: " + e);
        }
    }

    /** Evaluates an instant-vector expression over all steps. */
    Grid vector(Expr e, Span s) {
        checkInterrupt();
        e = unwrap(e);
        Grid g = switch (e) {
            case VectorSelector vs -> selectVector(vs, s, false);
            case UnaryExpr u -> {
                Grid in = vector(u.expr(), s);
                if (u.op() == UnaryExpr.Op.MINUS) {
                    for (Grid.Row r : in.rows) {
                        for (int i = 0; i < r.v.length; i++) r.v[i] = -r.v[i];
                        dropName(r);
                    }
                    yield finishDrop(in);
                }
                yield in;
            }
            case BinaryExpr b -> BinaryOps.eval(this, b, s);
            case AggregateExpr a -> Aggregations.eval(this, a, s);
            case Call c -> Calls.vectorCall(this, c, s);
            default -> throw new IllegalStateException("not an instant vector expression: " + e);
        };
        return g;
    }

    /** Marks or removes the metric name, depending on delayed name removal. */
    void dropName(Grid.Row r) {
        if (opts.delayedNameRemoval()) {
            r.dropName = true;
        } else {
            r.labels = withoutName(r.labels);
        }
    }

    static Labels withoutName(Labels l) {
        if (!l.has(Labels.METRIC_NAME) && !l.has("__type__") && !l.has("__unit__")) return l;
        return l.without(Labels.METRIC_NAME, "__type__", "__unit__");
    }

    /** After dropping names at once, series may collide; merge them or fail as Prometheus does. */
    Grid finishDrop(Grid g) {
        return opts.delayedNameRemoval() ? g : g.mergeDuplicates();
    }

    /** Applies delayed name removal at the end of evaluation. */
    Grid finalizeNames(Grid g) {
        boolean any = false;
        for (Grid.Row r : g.rows) {
            if (r.dropName) {
                r.labels = withoutName(r.labels);
                r.dropName = false;
                any = true;
            }
        }
        return any ? g.mergeDuplicates() : g;
    }

    // ---- selectors ---------------------------------------------------------------------------------------------

    long resolveAt(AtModifier at) {
        return switch (at.kind()) {
            case START -> topStart;
            case END -> topEnd;
            case TIMESTAMP -> at.timestampMs();
        };
    }

    /** Loads the samples of the matching series in {@code [minT, maxT]}; stale markers are kept unless asked. */
    List<RawSeries> load(VectorSelector vs, long minT, long maxT, boolean dropStale) {
        List<RawSeries> out = new ArrayList<>();
        if (maxT < minT) return out;
        release(loadEach(vs, minT, maxT, dropStale, false, out::add)); // the caller tracks what it keeps
        return out;
    }

    /** Receives loaded series one at a time. */
    interface SeriesSink {
        void accept(RawSeries rs);
    }

    /**
     * Loads the matching series in {@code [minT, maxT]} one at a time, handing each with samples to {@code sink} and
     * tracking its samples (the caller releases them or keeps them tracked). With {@code reuse}, every series is
     * loaded into the same {@link RawSeries}, which the sink must not keep: a range function that only reads each
     * series once then allocates nothing per series.
     *
     * @return the samples loaded
     */
    long loadEach(VectorSelector vs, long minT, long maxT, boolean dropStale, boolean reuse, SeriesSink sink) {
        if (maxT < minT) return 0;
        Matcher[] ms = vs.matchers().toArray(new Matcher[0]);
        SeriesSet set = querier.select(minT, maxT, SelectHints.DEFAULT, ms);
        SampleIterator it = null;
        RawSeries shared = null;
        long loaded = 0;
        int selected = 0, maxSeries = opts.maxSeriesPerSelector(), lastN = 14;
        while (set.next()) {
            checkInterrupt();
            if (maxSeries > 0 && ++selected > maxSeries) {
                throw QueryException.tooManySeries(maxSeries, dev.vigil.query.ast.Printer.print(vs));
            }
            RawSeries rs;
            if (!reuse) {
                // series of one selector mostly hold as many samples as each other: size for the last one's
                rs = new RawSeries(set.labels(), lastN + 2);
            } else if (shared == null) {
                rs = shared = new RawSeries(set.labels(), lastN + 2);
            } else {
                rs = shared.reset(set.labels());
            }
            it = set.iterator(it);
            int code = it.seek(minT);
            while (code != SampleIterator.NONE) {
                long t = it.atT();
                if (t > maxT) break;
                if (code == SampleIterator.FLOAT) {
                    double v = it.atV();
                    if (!(dropStale && StaleMarker.isStale(v))) rs.add(t, v);
                } else {
                    throw QueryException.execution("native histogram samples are not supported [series=" + set.labels() + "]");
                }
                code = it.next();
            }
            loaded += rs.n;
            lastN = rs.n;
            track(rs.n);
            if (rs.n > 0) sink.accept(rs);
        }
        for (String w : set.warnings()) warnings.add(w);
        return loaded;
    }

    /**
     * An instant selector over all steps: at each step the newest sample in {@code (t - lookback, t]}, none when that
     * sample is a stale marker. With {@code timestamps}, the value is the sample's timestamp in seconds (for
     * {@code timestamp()}).
     */
    Grid selectVector(VectorSelector vs, Span s, boolean timestamps) {
        Grid g = new Grid(s.steps());
        if (s.steps() == 0) return g;
        boolean pinned = vs.at() != null;
        long at = pinned ? resolveAt(vs.at()) : 0;
        long first = (pinned ? at : s.start()) - vs.offsetMs();
        long last = (pinned ? at : s.t(s.steps() - 1)) - vs.offsetMs();
        long lookback = opts.lookbackDeltaMs();
        boolean smoothed = vs.extension() == VectorSelector.Extension.SMOOTHED;
        long[] kept = new long[1];
        // each series becomes its row as it loads, through one reused buffer; the samples are tracked as loading
        // them all first would (all loaded, then released), and the rows' values after
        long loaded = loadEach(vs, first - lookback + 1, last + (smoothed ? lookback : 0), false, true, rs -> {
            Grid.Row row = new Grid.Row(rs.labels, s.steps());
            int j = 0; // index of the first sample after the evaluation time
            for (int i = 0; i < s.steps(); i++) {
                long t = (pinned ? at : s.t(i)) - vs.offsetMs();
                while (j < rs.n && rs.ts[j] <= t) j++;
                if (j == 0) continue;
                long st = rs.ts[j - 1];
                double v = rs.vs[j - 1];
                if (st <= t - lookback || StaleMarker.isStale(v)) continue;
                if (smoothed && st < t && j < rs.n && rs.ts[j] < t + lookback && !StaleMarker.isStale(rs.vs[j])) {
                    // smoothed: linear interpolation between the samples around t
                    v = v + (rs.vs[j] - v) * (t - st) / (rs.ts[j] - st);
                }
                row.set(i, timestamps ? st / 1000.0 : v);
            }
            int c = row.count();
            if (c > 0) {
                kept[0] += c;
                g.rows.add(row);
            }
        });
        release(loaded);
        track(kept[0]);
        return g;
    }

    /** The argument of a range function: loaded series plus how to place each step's window. */
    record RangeArg(List<RawSeries> series, long rangeMs, long offsetMs, boolean pinned, long atMs,
            VectorSelector selector, Expr expr) {
        long windowEnd(Span s, int i) {
            return (pinned ? atMs : s.t(i)) - offsetMs;
        }
    }

    /** A matrix selector's window placement over {@code s}, with {@code series} as its series. */
    RangeArg matrixArg(MatrixSelector m, Span s, List<RawSeries> series) {
        VectorSelector vs = m.selector();
        boolean pinned = vs.at() != null;
        return new RangeArg(series, m.rangeMs(), vs.offsetMs(), pinned, pinned ? resolveAt(vs.at()) : 0, vs, m);
    }

    /** The oldest sample time a matrix selector reads over {@code s} (inclusive). */
    long matrixMinT(MatrixSelector m, Span s) {
        VectorSelector vs = m.selector();
        long firstEnd = (vs.at() != null ? resolveAt(vs.at()) : s.start()) - vs.offsetMs();
        long before = vs.extension() == VectorSelector.Extension.NONE ? 0 : opts.lookbackDeltaMs();
        return firstEnd - m.rangeMs() - before + 1;
    }

    /** The newest sample time a matrix selector reads over {@code s} (inclusive). */
    long matrixMaxT(MatrixSelector m, Span s) {
        VectorSelector vs = m.selector();
        long lastEnd = (vs.at() != null ? resolveAt(vs.at()) : s.end()) - vs.offsetMs();
        long after = vs.extension() == VectorSelector.Extension.SMOOTHED ? opts.lookbackDeltaMs() : 0;
        return lastEnd + after;
    }

    RangeArg rangeArg(Expr e, Span s) {
        e = unwrap(e);
        if (e instanceof MatrixSelector m) {
            List<RawSeries> ser = load(m.selector(), matrixMinT(m, s), matrixMaxT(m, s), true);
            for (RawSeries r : ser) track(r.n);
            return matrixArg(m, s, ser);
        }
        if (e instanceof SubqueryExpr sq) {
            boolean pinned = sq.at() != null;
            long at = pinned ? resolveAt(sq.at()) : 0;
            long step = sq.stepMs() == 0 ? opts.defaultSubqueryStepMs() : sq.stepMs();
            long innerEnd = (pinned ? at : s.end()) - sq.offsetMs();
            long lowest = (pinned ? at : s.start()) - sq.offsetMs() - sq.rangeMs();
            long innerStart = Math.ceilDiv(lowest, step) * step;
            if (innerEnd >= innerStart && (innerEnd - innerStart) / step > opts.maxSamples()) {
                throw QueryException.tooManySamples();
            }
            Span inner = Span.of(innerStart, innerEnd, step);
            Grid g = vector(sq.expr(), inner);
            List<RawSeries> ser = new ArrayList<>(g.rows.size());
            for (Grid.Row r : g.rows) {
                RawSeries rs = new RawSeries(r.labels, r.count());
                rs.dropName = r.dropName;
                for (int i = 0; i < inner.steps(); i++) if (r.has[i]) rs.add(inner.t(i), r.v[i]);
                if (rs.n > 0) ser.add(rs);
            }
            VectorSelector innerSel = unwrap(sq.expr()) instanceof VectorSelector v ? v : null;
            return new RangeArg(ser, sq.rangeMs(), sq.offsetMs(), pinned, at, innerSel, sq);
        }
        throw new IllegalStateException("not a range vector expression: " + e);
    }

    /** A range vector as a value (a range selector or subquery as the whole query, evaluated at one time). */
    Value.Matrix matrixValue(Expr e, Span s) {
        RangeArg arg = rangeArg(e, s);
        long end = arg.windowEnd(s, 0), start = end - arg.rangeMs();
        List<Value.Series> out = new ArrayList<>();
        for (RawSeries rs : arg.series()) {
            int lo = rs.firstAfter(start, 0), hi = rs.firstAfter(end, lo);
            if (lo == hi) continue;
            Labels l = rs.dropName ? withoutName(rs.labels) : rs.labels;
            out.add(new Value.Series(l, Arrays.copyOfRange(rs.ts, lo, hi), Arrays.copyOfRange(rs.vs, lo, hi)));
        }
        return new Value.Matrix(out);
    }

    // ---- top level ---------------------------------------------------------------------------------------------

    Value evalInstant(Expr e, long t) {
        Span s = Span.of(t, t, 1);
        return switch (e.type()) {
            case SCALAR -> new Value.Scalar(t, scalar(e, s)[0]);
            case STRING -> new Value.StringValue(t, ((StringLiteral) unwrap(e)).value());
            case MATRIX -> matrixValue(e, s);
            case VECTOR -> {
                Grid g = finalizeNames(vector(e, s));
                int n = 0;
                for (Grid.Row r : g.rows) if (r.has[0]) n++;
                Labels[] ls = new Labels[n];
                long[] ts = new long[n];
                double[] vs = new double[n];
                int k = 0;
                for (Grid.Row r : g.rows) {
                    if (!r.has[0]) continue;
                    ls[k] = r.labels;
                    ts[k] = t;
                    vs[k++] = r.v[0];
                }
                yield new Value.Vector(ls, ts, vs);
            }
        };
    }

    Value evalRange(Expr e, Span s) {
        if (e.type() == ValueType.STRING || e.type() == ValueType.MATRIX) {
            throw QueryException.badData("invalid expression type \"" + e.type().documentedName()
                    + "\" for range query, must be Scalar or instant Vector");
        }
        if (e.type() == ValueType.SCALAR) {
            double[] v = scalar(e, s);
            long[] ts = new long[s.steps()];
            for (int i = 0; i < ts.length; i++) ts[i] = s.t(i);
            return new Value.Matrix(List.of(new Value.Series(Labels.EMPTY, ts, v)));
        }
        Grid g = finalizeNames(vector(e, s));
        List<Value.Series> out = new ArrayList<>(g.rows.size());
        for (Grid.Row r : g.rows) {
            int n = r.count();
            if (n == 0) continue;
            long[] ts = new long[n];
            double[] vs = new double[n];
            int k = 0;
            for (int i = 0; i < s.steps(); i++) {
                if (!r.has[i]) continue;
                ts[k] = s.t(i);
                vs[k++] = r.v[i];
            }
            out.add(new Value.Series(r.labels, ts, vs));
        }
        out.sort((a, b) -> a.labels().compareTo(b.labels()));
        return new Value.Matrix(out);
    }
}
