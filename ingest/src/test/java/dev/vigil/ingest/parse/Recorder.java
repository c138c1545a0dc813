package dev.vigil.ingest.parse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A sink that records every event as a line of text, materializing labels for every sample. */
final class Recorder implements SampleSink {
    final ExpositionParser parser;
    final List<String> events = new ArrayList<>();

    Recorder(ExpositionParser parser) {
        this.parser = parser;
    }

    static List<String> parse(ExpositionFormat f, String input) {
        ExpositionParser p = f.newParser();
        Recorder r = new Recorder(p);
        byte[] b = input.getBytes(StandardCharsets.UTF_8);
        p.parse(b, b.length, r);
        return r.events;
    }

    static String sample(String raw, String labels, double v, long t) {
        return "SAMPLE " + raw + " | " + labels + " | " + v + (t == NO_TIMESTAMP ? "" : " @" + t);
    }

    static String helpLine(String m, String h) {
        return "HELP " + m + " " + h;
    }

    static String typeLine(String m, MetricType t) {
        return "TYPE " + m + " " + t.apiName();
    }

    static String unitLine(String m, String u) {
        return "UNIT " + m + " " + u;
    }

    @Override
    public void sample(byte[] buf, int seriesStart, int seriesEnd, long seriesHash, double value, long timestampMs) {
        if (seriesHash != SeriesHash.hash(buf, seriesStart, seriesEnd)) throw new AssertionError("hash mismatch");
        String raw = new String(buf, seriesStart, seriesEnd - seriesStart, StandardCharsets.UTF_8);
        events.add(sample(raw, parser.labels(buf, seriesStart, seriesEnd).toString(), value, timestampMs));
    }

    @Override
    public void help(String metricFamily, String help) {
        events.add(helpLine(metricFamily, help));
    }

    @Override
    public void type(String metricFamily, MetricType type) {
        events.add(typeLine(metricFamily, type));
    }

    @Override
    public void unit(String metricFamily, String unit) {
        events.add(unitLine(metricFamily, unit));
    }
}
