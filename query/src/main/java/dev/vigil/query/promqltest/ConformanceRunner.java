package dev.vigil.query.promqltest;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.query.eval.QueryException;
import dev.vigil.query.eval.QueryResult;
import dev.vigil.query.eval.Value;
import dev.vigil.query.parse.QueryTimes;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.StaleMarker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs promqltest scripts against the engine over an in-memory store, configured as the upstream test environment
 * (DSL.md section 2). Each {@code eval} is one case; cases that involve native histograms are reported as such and
 * not run, because the engine does not support them.
 */
public final class ConformanceRunner {
    /** The outcome of one eval case. */
    public enum Status {
        PASS, FAIL, NATIVE
    }

    /** One eval case: {@code file:line} identifies it. */
    public record CaseResult(String file, int line, String query, Status status, String message) {
        public String id() {
            return file + ":" + line;
        }
    }

    /** A file's cases, or the error that stopped the file (a bad script or a failed load). */
    public record FileResult(String file, List<CaseResult> cases, String fileError) {
        public long count(Status s) {
            return cases.stream().filter(c -> c.status() == s).count();
        }
    }

    private final Engine engine = new Engine(EngineOptions.defaults().withDelayedNameRemoval(true).withTimeout(100_000));

    public FileResult run(String file, String content) {
        List<CaseResult> cases = new ArrayList<>();
        TestScript script;
        try {
            script = TestScript.parse(content);
        } catch (RuntimeException e) {
            return new FileResult(file, cases, e.getMessage());
        }
        MemStore store = new MemStore();
        Set<Labels> nativeSeries = new HashSet<>();
        for (TestScript.Command cmd : script.commands()) {
            switch (cmd) {
                case TestScript.Clear c -> {
                    store.clear();
                    nativeSeries.clear();
                }
                case TestScript.Load l -> load(store, nativeSeries, l);
                case TestScript.Eval e -> cases.add(runEval(file, store, nativeSeries, e));
            }
        }
        return new FileResult(file, cases, null);
    }

    private static void load(MemStore store, Set<Labels> nativeSeries, TestScript.Load l) {
        for (TestScript.LoadSeries s : l.series()) {
            TestScript.SeriesValues v = s.values();
            if (v.anyHistogram()) nativeSeries.add(s.labels());
            for (int i = 0; i < v.values().length; i++) {
                if (!v.present()[i] || v.histogram()[i]) continue;
                store.add(s.labels(), i * l.intervalMs(), v.values()[i]);
            }
            if (l.withNhcb()) {
                String name = s.labels().metricName();
                for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
                    if (name.endsWith(suffix)) {
                        nativeSeries.add(s.labels().toBuilder().remove("le")
                                .set(Labels.METRIC_NAME, name.substring(0, name.length() - suffix.length())).build());
                    }
                }
            }
        }
    }

    private CaseResult runEval(String file, MemStore store, Set<Labels> nativeSeries, TestScript.Eval e) {
        Expr expr = null;
        QueryException parseError = null;
        try {
            expr = Engine.parse(e.query(), e.range() ? new QueryTimes(e.start(), e.end(), e.step())
                    : QueryTimes.instant(e.t()));
        } catch (QueryException ex) {
            parseError = ex;
        }
        if (e.histogramExpected() || (expr != null ? touchesNative(expr, nativeSeries)
                : mentionsNative(e.query(), nativeSeries))) {
            return new CaseResult(file, e.line(), e.query(), Status.NATIVE, "involves native histograms");
        }
        String problem;
        try {
            problem = check(store, e, expr, parseError);
        } catch (RuntimeException ex) {
            problem = "runner error: " + ex;
        }
        return new CaseResult(file, e.line(), e.query(), problem == null ? Status.PASS : Status.FAIL, problem);
    }

    private static boolean touchesNative(Expr expr, Set<Labels> nativeSeries) {
        if (nativeSeries.isEmpty()) return false;
        List<VectorSelector> sels = new ArrayList<>();
        selectors(expr, sels);
        for (VectorSelector vs : sels) {
            for (Labels l : nativeSeries) {
                boolean all = true;
                for (Matcher m : vs.matchers()) {
                    if (!m.matches(l.get(m.name()))) {
                        all = false;
                        break;
                    }
                }
                if (all) return true;
            }
        }
        return false;
    }

    /** For a query we cannot parse: does it name a native-histogram metric? */
    private static boolean mentionsNative(String query, Set<Labels> nativeSeries) {
        for (Labels l : nativeSeries) {
            String n = l.metricName();
            if (!n.isEmpty() && java.util.regex.Pattern.compile("\\b" + java.util.regex.Pattern.quote(n) + "\\b")
                    .matcher(query).find()) return true;
        }
        return false;
    }

    static void selectors(Expr e, List<VectorSelector> out) {
        switch (e) {
            case VectorSelector vs -> out.add(vs);
            case MatrixSelector m -> out.add(m.selector());
            case SubqueryExpr s -> selectors(s.expr(), out);
            case ParenExpr p -> selectors(p.expr(), out);
            case UnaryExpr u -> selectors(u.expr(), out);
            case BinaryExpr b -> {
                selectors(b.lhs(), out);
                selectors(b.rhs(), out);
            }
            case AggregateExpr a -> {
                selectors(a.expr(), out);
                if (a.param() != null) selectors(a.param(), out);
            }
            case Call c -> c.args().forEach(x -> selectors(x, out));
            default -> {
            }
        }
    }

    /** Runs the eval and returns what is wrong, or null when it passes. */
    private String check(MemStore store, TestScript.Eval e, Expr expr, QueryException parseError) {
        String problem = checkOne(store, e, e.query(), expr, parseError, e.t());
        if (problem != null || e.range() || expr == null || !stepInvariantCandidate(e.query())) return problem;
        // DSL.md 4.2 (b): pinned with @ T, the query must give the same result at other evaluation times
        long t = e.t();
        long[] times = t == 0 ? new long[] {-1000, 0, 1000} : new long[] {-10 * t, 0, t / 5, t, 10 * t};
        String pinned = dev.vigil.query.ast.Printer.print(pin(expr, t, false));
        for (long at : times) {
            Expr px = null;
            QueryException pe = null;
            try {
                px = Engine.parse(pinned, QueryTimes.instant(at));
            } catch (QueryException ex) {
                pe = ex;
            }
            problem = checkOne(store, e, pinned, px, pe, at);
            if (problem != null) return "step-invariance variant " + pinned + " at " + at + "ms: " + problem;
        }
        return null;
    }

    private static final java.util.regex.Pattern AT_UNSAFE = java.util.regex.Pattern.compile(
            "\\b(time|timestamp|predict_linear|hour|minute|month|year|day_of_week|day_of_month|day_of_year"
                    + "|days_in_month|start|end|range|step)\\s*\\(");

    private static boolean stepInvariantCandidate(String query) {
        return !AT_UNSAFE.matcher(query.toLowerCase(java.util.Locale.ROOT)).find();
    }

    /** Adds {@code @ t} to every selector and subquery outside subqueries that has none. */
    static Expr pin(Expr e, long t, boolean insideSubquery) {
        dev.vigil.query.ast.AtModifier at = dev.vigil.query.ast.AtModifier.at(t);
        return switch (e) {
            case VectorSelector v -> v.at() == null ? v.withAt(at, v.position()) : v;
            case MatrixSelector m -> m.selector().at() == null
                    ? new MatrixSelector(m.selector().withAt(at, m.selector().position()), m.rangeMs(), m.position()) : m;
            case SubqueryExpr s -> s.at() == null ? new SubqueryExpr(s.expr(), s.rangeMs(), s.stepMs(), s.offsetMs(),
                    at, s.position()) : s;
            case ParenExpr p -> new ParenExpr(pin(p.expr(), t, false), p.position());
            case UnaryExpr u -> new UnaryExpr(u.op(), pin(u.expr(), t, false), u.position());
            case BinaryExpr b -> new BinaryExpr(b.op(), pin(b.lhs(), t, false), pin(b.rhs(), t, false), b.returnBool(),
                    b.matching(), b.position());
            case AggregateExpr a -> new AggregateExpr(a.op(), pin(a.expr(), t, false),
                    a.param() == null ? null : pin(a.param(), t, false), a.grouping(), a.without(), a.position());
            case Call c -> new Call(c.function(), c.args().stream().map(x -> pin(x, t, false)).toList(), c.position());
            default -> e;
        };
    }

    private String checkOne(MemStore store, TestScript.Eval e, String text, Expr expr, QueryException parseError,
            long evalTime) {
        QueryResult res = null;
        QueryException err = parseError;
        if (err == null) {
            try (Querier q = store.querier()) {
                res = e.range() ? engine.range(q, expr, text, e.start(), e.end(), e.step(), () -> false)
                        : engine.instant(q, expr, text, evalTime, () -> false);
            } catch (QueryException ex) {
                err = ex;
            }
        }
        if (err != null) {
            if (e.fail() == null) return "unexpected error: " + err.getMessage();
            String msg = err.getMessage();
            String stripped = msg.replaceFirst("^\\d+:\\d+: ", "").replaceFirst(" \\(\\d+:\\d+\\)$", "");
            if (e.fail().matches(msg) || e.fail().matches(stripped)) return null;
            return "error \"" + msg + "\" does not match the expected failure";
        }
        if (e.fail() != null) return "expected an error, got a result";
        String a = annotations("warn", e.warns(), e.noWarn(), res.warnings());
        if (a != null) return a;
        a = annotations("info", e.infos(), e.noInfo(), res.infos());
        if (a != null) return a;
        String problem = compare(e, res.value());
        if (problem != null || e.range()) return problem;
        return rangeModeCheck(store, e, text, evalTime, res.value());
    }

    /**
     * DSL.md 4.2 (c): an instant eval is also run as a range query from T-1m to T+1m with a 1m step; its points at T
     * must meet the same expectations (skipped where upstream skips it).
     */
    private String rangeModeCheck(MemStore store, TestScript.Eval e, String text, long t, Value instant) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (e.rangeVector() || e.string() != null || e.ordered() || !(instant instanceof Value.Vector
                || instant instanceof Value.Scalar) || lower.contains("start()") || lower.contains("end()")
                || lower.contains("range()") || lower.contains("step()")) {
            return null;
        }
        long start = t - 60_000, end = t + 60_000;
        Value.Matrix m;
        try (Querier q = store.querier()) {
            Expr expr = Engine.parse(text, new QueryTimes(start, end, 60_000));
            m = (Value.Matrix) engine.range(q, expr, text, start, end, 60_000, () -> false).value();
        } catch (QueryException ex) {
            return "range-mode check: unexpected error: " + ex.getMessage();
        }
        for (int i = 1; i < m.series().size(); i++) {
            if (m.series().get(i - 1).labels().compareTo(m.series().get(i).labels()) >= 0) {
                return "range-mode check: matrix not sorted by labels";
            }
        }
        List<Labels> ls = new ArrayList<>();
        List<Double> vs = new ArrayList<>();
        for (Value.Series s : m.series()) {
            for (int k = 0; k < s.ts().length; k++) {
                if (s.ts()[k] == t) {
                    ls.add(s.labels());
                    vs.add(s.vs()[k]);
                }
            }
        }
        Value atT;
        if (instant instanceof Value.Scalar) {
            if (vs.size() != 1) return "range-mode check: expected one scalar point at T, got " + vs.size();
            atT = new Value.Scalar(t, vs.get(0));
        } else {
            double[] v = new double[vs.size()];
            long[] ts = new long[vs.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = vs.get(i);
                ts[i] = t;
            }
            atT = new Value.Vector(ls.toArray(new Labels[0]), ts, v);
        }
        String p = compare(e, atT);
        return p == null ? null : "range-mode check: " + p;
    }

    private static String annotations(String kind, List<TestScript.Expectation> exp, boolean none, List<String> actual) {
        if (none && !actual.isEmpty()) return "unexpected " + kind + " annotations: " + actual;
        if (exp.isEmpty()) return null;
        if (actual.isEmpty()) return "expected " + kind + " annotations, got none";
        for (TestScript.Expectation x : exp) {
            if (actual.stream().noneMatch(x::matches)) {
                return "no " + kind + " annotation matches " + (x.msg() != null ? x.msg() : x.regex()) + ", got " + actual;
            }
        }
        for (String s : actual) {
            if (exp.stream().noneMatch(x -> x.matches(s))) return "unexpected " + kind + " annotation: " + s;
        }
        return null;
    }

    /** Float equality of the test language (DSL.md 6.3). */
    static boolean almostEqual(double a, double b) {
        if (StaleMarker.isStale(a) || StaleMarker.isStale(b)) return StaleMarker.isStale(a) && StaleMarker.isStale(b);
        if (Double.isNaN(a) && Double.isNaN(b)) return true;
        if (a == b) return true;
        double minNormal = 2.2250738585072014e-308;
        double sum = Math.abs(a) + Math.abs(b), diff = Math.abs(a - b);
        if (a == 0 || b == 0 || sum < minNormal) return diff < 1e-6 * minNormal;
        return diff / Math.min(sum, Double.MAX_VALUE) < 1e-6;
    }

    private static String compare(TestScript.Eval e, Value v) {
        switch (v) {
            case Value.Scalar s -> {
                if (e.scalar() == null) return "unexpected scalar result " + s.v();
                if (!almostEqual(e.scalar(), s.v())) return "expected scalar " + e.scalar() + ", got " + s.v();
                return null;
            }
            case Value.StringValue s -> {
                String want = e.string() == null ? "" : e.string();
                return want.equals(s.s()) ? null : "expected string \"" + want + "\", got \"" + s.s() + "\"";
            }
            case Value.Vector vec -> {
                if (e.scalar() != null) return "expected scalar, got vector";
                if (e.rangeVector()) return "expected range vector, got instant vector";
                Map<Labels, TestScript.ExpectedSeries> want = new HashMap<>();
                for (TestScript.ExpectedSeries x : e.series()) want.put(x.labels(), x);
                for (int i = 0; i < vec.size(); i++) {
                    TestScript.ExpectedSeries x = want.get(vec.labels()[i]);
                    if (x == null) return "unexpected series " + vec.labels()[i] + " " + vec.vs()[i];
                    if (e.ordered() && x.position() != i + 1) {
                        return "series " + vec.labels()[i] + " at position " + (i + 1) + ", expected " + x.position();
                    }
                    double exp = x.values().values().length > 0 ? x.values().values()[0] : Double.NaN;
                    if (!almostEqual(exp, vec.vs()[i])) {
                        return "series " + vec.labels()[i] + ": expected " + exp + ", got " + vec.vs()[i];
                    }
                }
                if (vec.size() != want.size()) {
                    Set<Labels> got = new HashSet<>(List.of(vec.labels()));
                    for (Labels l : want.keySet()) if (!got.contains(l)) return "missing series " + l;
                    return "expected " + want.size() + " series, got " + vec.size();
                }
                return null;
            }
            case Value.Matrix m -> {
                if (e.scalar() != null) return "expected scalar, got matrix";
                if (!e.range() && !e.rangeVector()) return "expected instant vector, got range vector";
                long start = e.range() ? e.start() : e.rvStart(), step = e.range() ? e.step() : e.rvStep();
                for (int i = 1; i < m.series().size(); i++) {
                    if (m.series().get(i - 1).labels().compareTo(m.series().get(i).labels()) >= 0) {
                        return "matrix not sorted by labels at " + m.series().get(i).labels();
                    }
                }
                Map<Labels, TestScript.ExpectedSeries> want = new HashMap<>();
                for (TestScript.ExpectedSeries x : e.series()) want.put(x.labels(), x);
                for (Value.Series s : m.series()) {
                    TestScript.ExpectedSeries x = want.get(s.labels());
                    if (x == null) return "unexpected series " + s.labels();
                    List<long[]> pts = new ArrayList<>();
                    TestScript.SeriesValues xv = x.values();
                    int k = 0;
                    for (int i = 0; i < xv.values().length; i++) {
                        if (!xv.present()[i]) continue;
                        long t = start + i * step;
                        if (k >= s.ts().length) return "series " + s.labels() + ": missing point at " + t;
                        if (s.ts()[k] != t) return "series " + s.labels() + ": expected point at " + t + ", got " + s.ts()[k];
                        if (!almostEqual(xv.values()[i], s.vs()[k])) {
                            return "series " + s.labels() + " at " + t + ": expected " + xv.values()[i] + ", got " + s.vs()[k];
                        }
                        k++;
                    }
                    if (k != s.ts().length) return "series " + s.labels() + ": unexpected point at " + s.ts()[k];
                    pts.clear();
                }
                if (m.series().size() != want.size()) {
                    Set<Labels> got = new HashSet<>();
                    for (Value.Series s : m.series()) got.add(s.labels());
                    for (Labels l : want.keySet()) if (!got.contains(l)) return "missing series " + l;
                }
                return null;
            }
        }
    }
}
