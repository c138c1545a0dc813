package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.PromDuration;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.relabel.Relabel;
import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns discovered target groups into targets exactly as Prometheus 3.x's {@code
 * scrape/target.go} PopulateLabels does: target labels over group labels; {@code job}, {@code
 * __scrape_interval__}, {@code __scrape_timeout__}, {@code __metrics_path__}, {@code __scheme__}
 * and {@code __param_<name>} (first value) where not set; {@code relabel_configs}; then the checks
 * (an address, no '/' in it, parseable non-zero interval and timeout, timeout not above interval),
 * {@code __meta_*} removed and {@code instance} defaulted to the address. No default port is added
 * (Prometheus 3.x). Stateless.
 */
public final class TargetBuilder {
    private TargetBuilder() {}

    /** The outcome for one discovered target: exactly one of target, dropped, error is set. */
    public record Result(Target target, Labels dropped, String error) {}

    /** Builds the targets of a group, in order. */
    public static List<Result> fromGroup(TargetGroup g, ScrapeConfig cfg) {
        List<Result> out = new ArrayList<>(g.targets().size());
        for (int i = 0; i < g.targets().size(); i++) {
            Result r = populate(g.targets().get(i), g.labels(), cfg);
            if (r.error() != null) r = new Result(null, null, "instance " + i + " in group " + g.source() + ": " + r.error());
            out.add(r);
        }
        return out;
    }

    /** PopulateLabels for one target's own labels and its group's labels. */
    public static Result populate(Labels targetLabels, Labels groupLabels, ScrapeConfig cfg) {
        Labels.Builder b = targetLabels.toBuilder();
        for (int i = 0; i < groupLabels.size(); i++) {
            if (!targetLabels.has(groupLabels.name(i))) b.set(groupLabels.name(i), groupLabels.value(i));
        }
        setIfEmpty(b, Target.JOB, cfg.jobName());
        setIfEmpty(b, Target.SCRAPE_INTERVAL, PromDuration.format(cfg.scrapeIntervalMs()));
        setIfEmpty(b, Target.SCRAPE_TIMEOUT, PromDuration.format(cfg.scrapeTimeoutMs()));
        setIfEmpty(b, Target.METRICS_PATH, cfg.metricsPath());
        setIfEmpty(b, Target.SCHEME, cfg.scheme());
        for (Map.Entry<String, List<String>> p : cfg.params().entrySet()) {
            if (!p.getValue().isEmpty()) setIfEmpty(b, Target.PARAM_PREFIX + p.getKey(), p.getValue().getFirst());
        }
        Labels discovered = b.build();
        Labels lset = Relabel.process(discovered, cfg.relabelConfigs());
        if (lset == null) return new Result(null, discovered, null);
        String addr = lset.get(Target.ADDRESS);
        if (addr.isEmpty()) return new Result(null, null, "no address");
        if (addr.contains("/")) return new Result(null, null, "\"" + addr + "\" is not a valid hostname");
        String interval = lset.get(Target.SCRAPE_INTERVAL);
        long intervalMs;
        try {
            intervalMs = PromDuration.parseMs(interval);
        } catch (IllegalArgumentException e) {
            return new Result(null, null, "error parsing scrape interval: " + e.getMessage());
        }
        if (intervalMs == 0) return new Result(null, null, "scrape interval cannot be 0");
        String timeout = lset.get(Target.SCRAPE_TIMEOUT);
        long timeoutMs;
        try {
            timeoutMs = PromDuration.parseMs(timeout);
        } catch (IllegalArgumentException e) {
            return new Result(null, null, "error parsing scrape timeout: " + e.getMessage());
        }
        if (timeoutMs == 0) return new Result(null, null, "scrape timeout cannot be 0");
        if (timeoutMs > intervalMs) {
            return new Result(null, null, "scrape timeout cannot be greater than scrape interval (\"" + timeout + "\" > \"" + interval + "\")");
        }
        String scheme = lset.get(Target.SCHEME);
        if (!scheme.equals("http") && !scheme.equals("https")) return new Result(null, null, "invalid scheme: \"" + scheme + "\"");
        Labels.Builder r = Labels.builder();
        for (int i = 0; i < lset.size(); i++) {
            if (!lset.name(i).startsWith(Target.META_PREFIX)) r.set(lset.name(i), lset.value(i));
        }
        if (r.get(Target.INSTANCE).isEmpty()) r.set(Target.INSTANCE, addr);
        return new Result(new Target(r.build(), discovered, cfg.params()), null, null);
    }

    private static void setIfEmpty(Labels.Builder b, String name, String value) {
        if (b.get(name).isEmpty()) b.set(name, value);
    }
}
