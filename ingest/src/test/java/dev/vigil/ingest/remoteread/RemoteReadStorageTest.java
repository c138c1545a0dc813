package dev.vigil.ingest.remoteread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.config.RemoteReadConfig;
import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.MergingSampleIterator;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * remote_read as a client against an in-test remote that answers like Prometheus's read handler
 * (SAMPLES, the series that match, samples within the asked range) and records every query.
 */
class RemoteReadStorageTest {
    @TempDir
    Path dir;
    Storage local;
    RemoteReadStorage reading;
    HttpServer remote;
    volatile int status = 200;
    final List<Remote.Query> asked = new CopyOnWriteArrayList<>();
    final List<String> headers = new CopyOnWriteArrayList<>();
    // the remote's data: labels -> (t -> v)
    final Map<Labels, TreeMap<Long, Double>> remoteData = new TreeMap<>();

    @BeforeEach
    void start() throws Exception {
        local = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults().withBackground(0, System::currentTimeMillis));
        reading = new RemoteReadStorage(local);
        remote = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        remote.createContext("/read", ex -> {
            Remote.ReadRequest req = Remote.ReadRequest.parseFrom(Snappy.uncompress(ex.getRequestBody().readAllBytes()));
            headers.add(ex.getRequestHeaders().getFirst("X-Prometheus-Remote-Read-Version") + " "
                    + ex.getRequestHeaders().getFirst("Content-Encoding") + " " + ex.getRequestHeaders().getFirst("X-Extra"));
            if (status != 200) {
                byte[] body = "remote is down".getBytes();
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
                ex.close();
                return;
            }
            Remote.ReadResponse.Builder resp = Remote.ReadResponse.newBuilder();
            for (Remote.Query q : req.getQueriesList()) {
                asked.add(q);
                Remote.QueryResult.Builder result = Remote.QueryResult.newBuilder();
                for (var e : remoteData.entrySet()) {
                    if (!matches(e.getKey(), q.getMatchersList())) continue;
                    Types.TimeSeries.Builder ts = Types.TimeSeries.newBuilder();
                    for (int i = 0; i < e.getKey().size(); i++) {
                        ts.addLabels(Types.Label.newBuilder().setName(e.getKey().name(i)).setValue(e.getKey().value(i)));
                    }
                    for (var s : e.getValue().subMap(q.getStartTimestampMs(), true, q.getEndTimestampMs(), true).entrySet()) {
                        ts.addSamples(Types.Sample.newBuilder().setTimestamp(s.getKey()).setValue(s.getValue()));
                    }
                    if (ts.getSamplesCount() > 0) result.addTimeseries(ts);
                }
                resp.addResults(result);
            }
            byte[] body = Snappy.compress(resp.build().toByteArray());
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        remote.start();
    }

    @AfterEach
    void stop() {
        remote.stop(0);
        reading.close();
        local.close();
    }

    static boolean matches(Labels l, List<Types.LabelMatcher> ms) {
        for (Types.LabelMatcher m : ms) {
            String v = l.has(m.getName()) ? l.get(m.getName()) : "";
            boolean ok = switch (m.getType()) {
                case EQ -> v.equals(m.getValue());
                case NEQ -> !v.equals(m.getValue());
                case RE -> v.matches(m.getValue());
                case NRE -> !v.matches(m.getValue());
                default -> false;
            };
            if (!ok) return false;
        }
        return true;
    }

    RemoteReadConfig config(boolean readRecent, Map<String, String> required, boolean filterExternal) {
        return new RemoteReadConfig("http://127.0.0.1:" + remote.getAddress().getPort() + "/read", "r1", 5_000,
                Map.of("X-Extra", "yes"), readRecent, required, filterExternal,
                new HttpClientConfig(null, null, HttpClientConfig.TlsConfig.NONE, true, true, "", "", false));
    }

    void remoteSample(Labels l, long t, double v) {
        remoteData.computeIfAbsent(l, k -> new TreeMap<>()).put(t, v);
    }

    void localSample(Labels l, long t, double v) {
        Appender app = local.appender();
        app.append(0, l, t, v);
        app.commit();
    }

    /** Every series of a selection as "labels: t=v t=v ...", plus its warnings. */
    List<String> select(long minT, long maxT, Matcher... ms) {
        List<String> out = new ArrayList<>();
        try (Querier q = reading.querier()) {
            SeriesSet set = q.select(minT, maxT, SelectHints.DEFAULT, ms);
            while (set.next()) {
                StringBuilder b = new StringBuilder(set.labels().toString()).append(':');
                SampleIterator it = set.iterator(null);
                while (it.next() != SampleIterator.NONE) b.append(' ').append(it.atT()).append('=').append(it.atV());
                out.add(b.toString());
            }
            for (String w : set.warnings()) out.add("warning: " + w);
        }
        return out;
    }

    static final Labels X1 = Labels.of("__name__", "x", "i", "1");
    static final Labels X2 = Labels.of("__name__", "x", "i", "2");

    @Test
    void local_and_remote_series_merge_by_labels_and_the_local_sample_wins_a_tie() {
        localSample(X1, 1000, 10);
        localSample(X1, 2000, 20);
        remoteSample(X1, 500, 5);
        remoteSample(X1, 1000, 99); // the same timestamp as a local sample
        remoteSample(X2, 500, 7);
        reading.apply(List.of(config(true, Map.of(), true)), Labels.EMPTY);
        assertEquals(List.of("x{i=\"1\"}: 500=5.0 1000=10.0 2000=20.0", "x{i=\"2\"}: 500=7.0"),
                select(0, 3000, Matcher.equal("__name__", "x")));
        assertEquals("0.1.0 snappy yes", headers.getFirst());
        // samples outside the selection are not returned, however the remote answers
        assertEquals(List.of("x{i=\"1\"}: 1000=10.0"), select(600, 1500, Matcher.equal("__name__", "x")));
    }

    @Test
    void without_read_recent_only_the_time_before_the_local_data_is_asked_for() {
        localSample(X1, 1000, 10);
        remoteSample(X2, 500, 7);
        remoteSample(X2, 1500, 8);
        reading.apply(List.of(config(false, Map.of(), true)), Labels.EMPTY);
        assertEquals(List.of("x{i=\"1\"}: 1000=10.0", "x{i=\"2\"}: 500=7.0"),
                select(0, 3000, Matcher.equal("__name__", "x")));
        assertEquals(0, asked.getLast().getStartTimestampMs());
        assertEquals(1000, asked.getLast().getEndTimestampMs(), "up to the local storage's oldest sample");
        int before = asked.size();
        select(1001, 3000, Matcher.equal("__name__", "x"));
        assertEquals(before, asked.size(), "a range the local storage covers is not asked for");
    }

    @Test
    void required_matchers_decide_which_selections_go_to_the_remote() {
        remoteSample(Labels.of("__name__", "x", "job", "a"), 500, 1);
        reading.apply(List.of(config(true, Map.of("job", "a"), true)), Labels.EMPTY);
        assertEquals(List.of(), select(0, 1000, Matcher.equal("__name__", "x")));
        assertEquals(0, asked.size());
        assertEquals(List.of("x{job=\"a\"}: 500=1.0"), select(0, 1000, Matcher.equal("__name__", "x"), Matcher.equal("job", "a")));
        assertEquals(1, asked.size());
        select(0, 1000, Matcher.equal("__name__", "x"), Matcher.regex("job", "a"));
        assertEquals(1, asked.size(), "only an equality matcher counts");
    }

    @Test
    void external_labels_are_sent_as_matchers_and_removed_from_what_comes_back() {
        remoteSample(Labels.of("__name__", "x", "replica", "r1"), 500, 1);
        remoteSample(Labels.of("__name__", "x", "replica", "r2"), 500, 2);
        Labels external = Labels.of("replica", "r1");
        reading.apply(List.of(config(true, Map.of(), true)), external);
        assertEquals(List.of("x{}: 500=1.0"), select(0, 1000, Matcher.equal("__name__", "x")));
        assertTrue(asked.getLast().getMatchersList().stream().anyMatch(m -> m.getName().equals("replica") && m.getValue().equals("r1")));
        // a matcher of the user's own for that name: not added, not removed
        assertEquals(List.of("x{replica=\"r1\"}: 500=1.0", "x{replica=\"r2\"}: 500=2.0"),
                select(0, 1000, Matcher.equal("__name__", "x"), Matcher.regex("replica", "r.*")));
        // filter_external_labels: false sends none
        reading.apply(List.of(config(true, Map.of(), false)), external);
        assertEquals(2, select(0, 1000, Matcher.equal("__name__", "x")).size());
    }

    @Test
    void a_failing_remote_is_a_warning_and_the_local_data_still_answers() {
        localSample(X1, 1000, 10);
        status = 500;
        reading.apply(List.of(config(true, Map.of(), true)), Labels.EMPTY);
        assertEquals(List.of("x{i=\"1\"}: 1000=10.0", "warning: remote_read r1: remote server " + config(true, Map.of(), true).url()
                + " returned http status 500 Internal Server Error: remote is down"), select(0, 3000, Matcher.equal("__name__", "x")));
        String metrics = reading.exposition();
        assertTrue(metrics.contains("prometheus_remote_storage_read_queries_total{remote_name=\"r1\",response_code=\"500\",url=\""
                + config(true, Map.of(), true).url() + "\"} 1\n"), metrics);
        assertTrue(metrics.contains("prometheus_remote_storage_remote_read_queries{remote_name=\"r1\",url="), metrics);
        remote.stop(0); // and one that is not there at all
        List<String> out = select(0, 3000, Matcher.equal("__name__", "x"));
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.get(1).startsWith("warning: remote_read r1: error sending request: "), out.toString());
    }

    @Test
    void a_changed_remote_set_tells_the_result_cache_that_everything_may_have_changed() {
        List<long[]> changes = new CopyOnWriteArrayList<>();
        assertTrue(reading.addChangeListener((a, b) -> changes.add(new long[] {a, b})));
        reading.apply(List.of(), Labels.EMPTY);
        assertEquals(0, changes.size(), "nothing before, nothing now");
        reading.apply(List.of(config(true, Map.of(), true)), Labels.EMPTY);
        assertEquals(1, changes.size());
        assertEquals(Long.MIN_VALUE, changes.getFirst()[0]);
        assertEquals(Long.MAX_VALUE, changes.getFirst()[1]);
        RemoteReadClient kept = reading.remotes().getFirst();
        reading.apply(List.of(config(true, Map.of(), true)), Labels.EMPTY);
        assertEquals(1, changes.size(), "an unchanged section changes nothing");
        assertTrue(kept == reading.remotes().getFirst(), "and keeps its client");
        reading.apply(List.of(config(false, Map.of(), true)), Labels.EMPTY);
        assertEquals(2, changes.size());
        reading.apply(List.of(config(false, Map.of(), true)), Labels.of("replica", "a"));
        assertEquals(3, changes.size(), "other external labels are another selection");
    }

    @Test
    void a_response_with_a_label_set_twice_or_samples_out_of_order_reads_as_one_ordered_series() throws Exception {
        Types.TimeSeries.Builder a = Types.TimeSeries.newBuilder()
                .addLabels(Types.Label.newBuilder().setName("__name__").setValue("x"))
                .addLabels(Types.Label.newBuilder().setName("replica").setValue("r1"))
                .addSamples(Types.Sample.newBuilder().setTimestamp(30).setValue(3))
                .addSamples(Types.Sample.newBuilder().setTimestamp(10).setValue(1));
        Types.TimeSeries.Builder b = Types.TimeSeries.newBuilder()
                .addLabels(Types.Label.newBuilder().setName("__name__").setValue("x"))
                .addSamples(Types.Sample.newBuilder().setTimestamp(20).setValue(2))
                .addSamples(Types.Sample.newBuilder().setTimestamp(30).setValue(9));
        byte[] body = Snappy.compress(Remote.ReadResponse.newBuilder()
                .addResults(Remote.QueryResult.newBuilder().addTimeseries(a))
                .addResults(Remote.QueryResult.newBuilder().addTimeseries(b)).build().toByteArray());
        List<RemoteReadClient.Series> got = RemoteReadClient.decode(body, List.of("replica"));
        assertEquals(1, got.size(), "x{replica=r1} without its external label is x{}");
        assertEquals(Labels.of("__name__", "x"), got.getFirst().labels());
        assertEquals("[10, 20, 30]", java.util.Arrays.toString(got.getFirst().ts()));
        assertEquals(3.0, got.getFirst().vs()[2], "a tie keeps one sample");
        var garbage = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> RemoteReadClient.decode("not snappy".getBytes(), List.of()));
        assertTrue(garbage.getMessage().startsWith("cannot decode the response"), garbage.getMessage());
    }

    /** An iterator over sorted distinct timestamps (value = timestamp * sign). */
    static SampleIterator iterator(List<Long> ts, double sign) {
        long[] t = ts.stream().mapToLong(Long::longValue).toArray();
        return new SampleIterator() {
            int i = -1;

            public int next() {
                if (i < t.length) i++;
                return i < t.length ? FLOAT : NONE;
            }

            public int seek(long x) {
                if (i < 0) i = 0;
                while (i < t.length && t[i] < x) i++;
                return i < t.length ? FLOAT : NONE;
            }

            public long atT() {
                return t[i];
            }

            public double atV() {
                return t[i] * sign;
            }
        };
    }

    @Test
    void the_merge_is_the_sorted_union_with_ties_to_the_local_side() {
        qt().forAll(lists().of(integers().between(0, 60)).ofSizeBetween(0, 20), lists().of(integers().between(0, 60)).ofSizeBetween(0, 20),
                integers().between(-1, 70)).checkAssert((a, b, seekTo) -> {
                    List<Long> ta = new ArrayList<>(new TreeSet<>(a.stream().map(Integer::longValue).toList()));
                    List<Long> tb = new ArrayList<>(new TreeSet<>(b.stream().map(Integer::longValue).toList()));
                    TreeMap<Long, Double> expected = new TreeMap<>();
                    for (long t : tb) expected.put(t, -1.0 * t);
                    for (long t : ta) expected.put(t, 1.0 * t);
                    // next() all the way
                    List<String> got = new ArrayList<>();
                    SampleIterator m = new MergingSampleIterator(iterator(tb, -1), iterator(ta, 1));
                    while (m.next() != SampleIterator.NONE) got.add(m.atT() + "=" + m.atV());
                    List<String> want = new ArrayList<>();
                    expected.forEach((t, v) -> want.add(t + "=" + v));
                    assertEquals(want, got);
                    // a seek first, then next()
                    List<String> afterSeek = new ArrayList<>();
                    SampleIterator s = new MergingSampleIterator(iterator(tb, -1), iterator(ta, 1));
                    if (s.seek(seekTo) != SampleIterator.NONE) {
                        do afterSeek.add(s.atT() + "=" + s.atV()); while (s.next() != SampleIterator.NONE);
                    }
                    List<String> wantAfter = new ArrayList<>();
                    expected.tailMap((long) seekTo, true).forEach((t, v) -> wantAfter.add(t + "=" + v));
                    assertEquals(wantAfter, afterSeek);
                });
    }
}
