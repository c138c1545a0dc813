package dev.vigil.query.eval;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.parse.PromqlParseException;
import dev.vigil.query.parse.PromqlParser;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The PromQL engine: instant and range queries over a tsdb {@link Querier}, with Prometheus 3.x semantics.
 *
 * <p>Design notes. Evaluation is columnar: each sub-expression is evaluated for every step of the query at once into a
 * series x steps grid of primitive arrays (see {@link Evaluator}). Limits are checked while evaluating: the timeout and
 * cancellation between series, the sample budget whenever a grid or a series' samples are materialized.
 *
 * <p>Thread-safe and stateless apart from its options; each call builds its own evaluation state.
 */
public final class Engine {
    private static final BooleanSupplier NEVER = () -> false;
    private final EngineOptions options;

    public Engine(EngineOptions options) {
        this.options = options;
    }

    public EngineOptions options() {
        return options;
    }

    /** Parses a query; a syntax error is a {@link QueryException.Kind#BAD_DATA} with Prometheus's message. */
    public static Expr parse(String query) {
        return parse(query, dev.vigil.query.parse.QueryTimes.NONE);
    }

    /** Parses for a query with these parameters (duration expressions such as {@code step()} resolve to them). */
    public static Expr parse(String query, dev.vigil.query.parse.QueryTimes times) {
        try {
            return PromqlParser.parse(query, times);
        } catch (PromqlParseException e) {
            throw wrapParse(e);
        }
    }

    private static QueryException wrapParse(PromqlParseException e) {
        return QueryException.badData(e.getMessage(), e);
    }

    /** An instant query at {@code t} (epoch millis), opening and closing a querier of {@code storage}. */
    public QueryResult instant(Storage storage, String query, long t) {
        try (Querier q = storage.querier()) {
            return instant(q, parse(query, dev.vigil.query.parse.QueryTimes.instant(t)), query, t, NEVER);
        }
    }

    /** A range query, opening and closing a querier of {@code storage}. */
    public QueryResult range(Storage storage, String query, long start, long end, long stepMs) {
        try (Querier q = storage.querier()) {
            return range(q, parse(query, new dev.vigil.query.parse.QueryTimes(start, end, stepMs)), query, start, end,
                    stepMs, NEVER);
        }
    }

    /**
     * Evaluates {@code expr} (parsed from {@code query}, used for annotation positions) at {@code t}.
     *
     * @param canceled polled during evaluation; true aborts with {@link QueryException.Kind#CANCELED}
     * @throws QueryException on a limit, a cancellation or an evaluation error
     */
    public QueryResult instant(Querier querier, Expr expr, String query, long t, BooleanSupplier canceled) {
        Evaluator ev = new Evaluator(querier, options, query, t, t, false, deadline(), canceled);
        return run(ev, () -> ev.evalInstant(expr, t));
    }

    /**
     * Evaluates {@code expr} at {@code start, start + step, ...} up to {@code end} (inclusive, epoch millis). Rejects
     * a non-positive step, an end before the start and more than {@link EngineOptions#maxPointsPerSeries()} steps, as
     * Prometheus's API does.
     */
    public QueryResult range(Querier querier, Expr expr, String query, long start, long end, long stepMs,
            BooleanSupplier canceled) {
        if (stepMs <= 0) {
            throw QueryException.badData("zero or negative query resolution step widths are not accepted. "
                    + "Try a positive integer");
        }
        if (end < start) throw QueryException.badData("end timestamp must not be before start time");
        if ((end - start) / stepMs + 1 > options.maxPointsPerSeries()) {
            throw QueryException.badData("exceeded maximum resolution of 11,000 points per timeseries. "
                    + "Try decreasing the query resolution (?step=XX)");
        }
        Evaluator ev = new Evaluator(querier, options, query, start, end, true, deadline(), canceled);
        Span s = Span.of(start, end, stepMs);
        return run(ev, () -> ev.evalRange(expr, s));
    }

    private long deadline() {
        return System.nanoTime() + options.timeoutMs() * 1_000_000L;
    }

    /**
     * Fails a result with more samples than {@code maxSamples}. Prometheus's engine holds the whole
     * result in its sample count when evaluation ends, so such a result always fails there; Vigil's
     * evaluator counts loads and most intermediate results, but not every function's output
     * ({@code vector(1)} over 11,000 steps, say), which this catches.
     */
    static void checkResultSamples(Value v, long maxSamples) {
        long n = 0;
        if (v instanceof Value.Vector vec) n = vec.size();
        if (v instanceof Value.Matrix m) for (Value.Series s : m.series()) n += s.ts().length;
        if (n > maxSamples) throw QueryException.tooManySamples();
    }

    private static QueryResult run(Evaluator ev, java.util.function.Supplier<Value> body) {
        try {
            Value v = body.get();
            checkResultSamples(v, ev.opts.maxSamples());
            return new QueryResult(v, List.copyOf(ev.warnings), List.copyOf(ev.infos));
        } catch (QueryException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw QueryException.execution("query too deeply nested to evaluate");
        } catch (OutOfMemoryError e) {
            throw QueryException.tooManySamples();
        } catch (RuntimeException e) {
            throw QueryException.internal("unexpected error evaluating query: " + e, e);
        }
    }
}
