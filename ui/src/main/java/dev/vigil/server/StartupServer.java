package dev.vigil.server;

import dev.vigil.server.web.WebUi;
import dev.vigil.tsdb.ReplayProgress;
import io.javalin.Javalin;
import java.nio.file.Path;

/**
 * What the listen address answers while the storage opens (a long WAL replay after a crash), as
 * Prometheus does: healthy, not ready (503), the WAL replay's progress, and the UI, whose status
 * page shows that progress; every other call is "Service Unavailable" until the real server takes
 * the address over.
 */
final class StartupServer implements AutoCloseable {
    private final Javalin http;

    private StartupServer(Javalin http) {
        this.http = http;
    }

    /** Binds the listen address; null when it cannot (the real server then reports why). */
    static StartupServer start(Flags flags, ReplayProgress progress) {
        String prefix = flags.routePrefix();
        WebConfig web = flags.get("web.config.file").isEmpty() ? WebConfig.NONE : WebConfig.load(Path.of(flags.get("web.config.file")));
        Javalin http = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            web.apply(cfg, flags.listenHost(), flags.listenPort());
            cfg.routes.get(prefix + "/-/healthy", ctx -> ctx.result("Vigil Server is Healthy.\n"));
            cfg.routes.get(prefix + "/api/v1/status/walreplay", ctx -> ctx.contentType("application/json").result(
                    "{\"status\":\"success\",\"data\":" + walReplayJson(progress) + "}"));
            new WebUi(prefix).register(cfg.routes);
            cfg.routes.error(404, ctx -> ctx.status(503).contentType("text/plain; charset=utf-8").result("Service Unavailable"));
        });
        try {
            if (web.tls()) http.start();
            else http.start(flags.listenHost(), flags.listenPort());
            return new StartupServer(http);
        } catch (RuntimeException e) {
            http.stop();
            return null;
        }
    }

    /** Prometheus's walreplay data: first, last and current segment. */
    static String walReplayJson(ReplayProgress p) {
        return "{\"min\":" + p.min() + ",\"max\":" + p.max() + ",\"current\":" + p.current() + "}";
    }

    @Override
    public void close() {
        http.stop();
    }
}
