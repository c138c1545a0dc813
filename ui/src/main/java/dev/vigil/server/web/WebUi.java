package dev.vigil.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The browser UI: one HTML shell for every page path (the JavaScript router draws the page), the
 * static modules under {@code /static/}, and the WebJars (uPlot) under {@code /webjars/}, all from
 * the classpath and all under the route prefix.
 */
public final class WebUi {
    /** Page paths the shell answers; Prometheus 3's own plus the dashboards. */
    public static final List<String> PAGES = List.of("/query", "/graph", "/targets", "/service-discovery", "/rules",
            "/alerts", "/status", "/flags", "/config", "/tsdb-status", "/dashboards");

    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, byte[]> resources = new ConcurrentHashMap<>();
    private final String prefix;
    private final String shell;

    public WebUi(String prefix) {
        this.prefix = prefix;
        String html = new String(load("web/index.html"), StandardCharsets.UTF_8);
        // the modules resolve every URL against this, so the UI works under any --web.route-prefix
        this.shell = html.replace("{{PREFIX}}", prefix);
    }

    public void register(RoutesConfig routes) {
        routes.get(prefix + "/", ctx -> ctx.redirect(prefix + "/query"));
        for (String page : PAGES) {
            routes.get(prefix + page, this::shell);
        }
        routes.get(prefix + "/dashboards/{uid}", this::shell);
        routes.get(prefix + "/static/<path>", ctx -> asset(ctx, "web/static/" + ctx.pathParam("path"), false));
        // versioned paths: the content under one never changes
        routes.get(prefix + "/webjars/<path>", ctx -> asset(ctx, "META-INF/resources/webjars/" + ctx.pathParam("path"), true));
    }

    private void shell(Context ctx) {
        ctx.header("Cache-Control", "no-cache").contentType(TYPES.get("html")).result(shell);
    }

    private void asset(Context ctx, String path, boolean immutable) {
        if (path.contains("..") || path.contains("//")) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("404 page not found\n");
            return;
        }
        byte[] body;
        try {
            body = resources.computeIfAbsent(path, WebUi::loadOrNull);
        } catch (UncheckedIOException e) {
            body = null;
        }
        if (body == null) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("404 page not found\n");
            return;
        }
        String ext = path.substring(path.lastIndexOf('.') + 1);
        ctx.contentType(TYPES.getOrDefault(ext, "application/octet-stream"));
        // the UI's own files revalidate, so an upgrade is seen at the next load
        ctx.header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
        ctx.result(body);
    }

    private static byte[] loadOrNull(String path) {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] load(String path) {
        byte[] b = loadOrNull(path);
        if (b == null) throw new IllegalStateException("missing UI resource " + path + " on the classpath");
        return b;
    }
}
