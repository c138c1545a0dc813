package dev.vigil.ingest.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parse loop allocates nothing per sample (measured with the thread allocation counter). */
class ParserAllocationTest {
    private static final int SAMPLES = 20_000;

    static byte[] body(boolean om) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SAMPLES; i++) {
            sb.append("http_request_duration_seconds_bucket{handler=\"/api/v1/query\",method=\"GET\",le=\"")
                    .append(i % 10).append(".5\"} ").append(i * 1.25).append(' ')
                    .append(om ? "1700000000.123" : "1700000000123")
                    .append('\n');
            sb.append("{\"go.gc.duration\",quantile=\"0.75\",instance=\"a\\\"b\"} 7.424100000000001e-05\n");
        }
        if (om) sb.append("# EOF\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void steadyStateParse_allocatesNothingPerSample() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (ExpositionFormat f : ExpositionFormat.values()) {
            byte[] b = body(f == ExpositionFormat.OPENMETRICS_TEXT);
            ExpositionParser p = f.newParser();
            double[] sum = new double[1];
            SampleSink sink = (buf, s, e, h, v, t) -> sum[0] += v + h + t;
            for (int i = 0; i < 5; i++) p.parse(b, b.length, sink); // warm up
            long before = mx.getCurrentThreadAllocatedBytes();
            int n = p.parse(b, b.length, sink);
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(2 * SAMPLES, n);
            assertTrue(allocated < 4096, f + ": " + allocated + " bytes allocated for " + n + " samples");
        }
    }
}
