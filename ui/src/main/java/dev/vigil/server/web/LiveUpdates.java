package dev.vigil.server.web;

import dev.vigil.server.api.ApiError;
import dev.vigil.server.api.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsHandlerType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The live-update socket of open graphs ({@code /api/v1/vigil/live}). A page subscribes each graph's
 * range query with the time of its last step; once the next step is past, the query is evaluated
 * over the new steps only and just those points are sent, so a graph grows without re-querying its
 * whole range.
 *
 * <p>Protocol (JSON text frames): {@code {"type":"subscribe","id":1,"query":"up","step":15,"from":1700000000}},
 * {@code {"type":"unsubscribe","id":1}}; answers {@code {"id":1,"to":1700000015,"result":[matrix]}} or
 * {@code {"id":1,"error":"..."}}. Times are seconds, as in the HTTP API.
 */
public final class LiveUpdates implements AutoCloseable {
    /** Evaluates a range query (milliseconds) to the API's result array. */
    public interface RangeEvaluator {
        String rangeResultJson(String query, long startMs, long endMs, long stepMs);
    }

    static final int MAX_SUBSCRIPTIONS_PER_SOCKET = 200;
    /** Scrapes land shortly after their timestamp; waiting this long past a step lets them arrive. */
    static final long SETTLE_MS = 1_000;

    private final RangeEvaluator evaluator;
    private final LongSupplier clock;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("live-updates").daemon().factory());
    /** Ticks only while a socket is open: an idle appliance should not wake up four times a second. */
    private ScheduledFuture<?> ticking;

    private record Subscription(long id, String query, long stepMs, long[] lastMs) {}

    private static final class Socket {
        final WsContext ctx;
        final Map<Long, Subscription> subs = new ConcurrentHashMap<>();

        Socket(WsContext ctx) {
            this.ctx = ctx;
        }

        synchronized void send(String text) {
            if (ctx.session.isOpen()) ctx.send(text);
        }
    }

    public LiveUpdates(RangeEvaluator evaluator, LongSupplier clock) {
        this.evaluator = evaluator;
        this.clock = clock;
    }

    private synchronized void socketsChanged() {
        if (sockets.isEmpty()) {
            if (ticking != null) ticking.cancel(false);
            ticking = null;
        } else if (ticking == null && !ticker.isShutdown()) {
            ticking = ticker.scheduleWithFixedDelay(this::tick, 250, 250, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether the ticker is scheduled (tests). */
    public synchronized boolean ticking() {
        return ticking != null;
    }

    private void remove(String sessionId) {
        sockets.remove(sessionId);
        socketsChanged();
    }

    public void register(RoutesConfig routes, String prefix) {
        routes.addWsHandler(WsHandlerType.WEBSOCKET, prefix + "/api/v1/vigil/live", ws -> {
            ws.onConnect(ctx -> {
                if (!accepting) {
                    ctx.closeSession(1013, "live updates are paused");
                    return;
                }
                ctx.enableAutomaticPings(20, TimeUnit.SECONDS);
                sockets.put(ctx.sessionId(), new Socket(ctx));
                socketsChanged();
            });
            ws.onClose(ctx -> remove(ctx.sessionId()));
            ws.onError(ctx -> remove(ctx.sessionId()));
            ws.onMessage(ctx -> {
                Socket s = sockets.get(ctx.sessionId());
                if (s != null) onMessage(s, ctx.message());
            });
        });
    }

    private volatile boolean accepting = true;

    /**
     * Stops (false) or resumes (true) serving sockets; stopping closes the open ones, and pages
     * fall back to polling until they reconnect. Used at shutdown and by the tests of that fallback.
     */
    public void setAccepting(boolean accept) {
        accepting = accept;
        if (!accept) {
            for (Socket s : sockets.values()) s.ctx.closeSession(1001, "going away");
            sockets.clear();
            socketsChanged();
        }
    }

    /** Open sockets (self-monitoring and tests). */
    public int sockets() {
        return sockets.size();
    }

    private void onMessage(Socket s, String text) {
        Map<?, ?> msg;
        try {
            Object o = DashboardJson.parse(text);
            if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("not a JSON object");
            msg = m;
        } catch (RuntimeException e) {
            s.send(error(0, "bad message: " + e.getMessage()));
            return;
        }
        long id = msg.get("id") instanceof Number n ? n.longValue() : 0;
        switch (String.valueOf(msg.get("type"))) {
            case "subscribe" -> {
                double step = msg.get("step") instanceof Number n ? n.doubleValue() : 0;
                double from = msg.get("from") instanceof Number n ? n.doubleValue() : Double.NaN;
                Object query = msg.get("query");
                if (!(query instanceof String q) || q.isBlank() || !(step > 0) || !Double.isFinite(from)) {
                    s.send(error(id, "subscribe needs a query, a positive step and a from time"));
                } else if (s.subs.size() >= MAX_SUBSCRIPTIONS_PER_SOCKET && !s.subs.containsKey(id)) {
                    s.send(error(id, "too many live subscriptions on one socket (at most " + MAX_SUBSCRIPTIONS_PER_SOCKET + ")"));
                } else {
                    s.subs.put(id, new Subscription(id, q, Math.max(1, Math.round(step * 1000)), new long[] {Math.round(from * 1000)}));
                }
            }
            case "unsubscribe" -> s.subs.remove(id);
            default -> s.send(error(id, "unknown message type " + msg.get("type")));
        }
    }

    private void tick() {
        long now = clock.getAsLong() - SETTLE_MS;
        for (Socket s : sockets.values()) {
            for (Subscription sub : s.subs.values()) {
                long last = sub.lastMs()[0];
                long to = last + (now - last) / sub.stepMs() * sub.stepMs();
                if (to <= last) continue;
                // a socket that was away long is caught up with at most 11,000 steps, as the API allows
                long start = Math.max(last + sub.stepMs(), to - 10_999 * sub.stepMs());
                String body;
                try {
                    body = "{\"id\":" + sub.id() + ",\"to\":" + new Json().timestamp(to) + ",\"result\":"
                            + evaluator.rangeResultJson(sub.query(), start, to, sub.stepMs()) + "}";
                } catch (ApiError e) {
                    body = error(sub.id(), e.getMessage());
                } catch (RuntimeException e) {
                    body = error(sub.id(), e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                sub.lastMs()[0] = to;
                try {
                    s.send(body);
                } catch (RuntimeException e) {
                    remove(s.ctx.sessionId());
                }
            }
        }
    }

    private static String error(long id, String message) {
        return new Json().beginObject().field("id", id).field("error", message).endObject().toString();
    }

    @Override
    public void close() {
        setAccepting(false);
        ticker.shutdownNow();
    }
}
