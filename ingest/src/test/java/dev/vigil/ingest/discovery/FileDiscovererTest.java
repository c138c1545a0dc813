package dev.vigil.ingest.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.FileSdConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.config.TargetGroupFiles;
import dev.vigil.tsdb.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiscovererTest {
    @Test
    void json_and_yaml_files_are_read_and_changes_are_picked_up_by_the_watcher(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("a.json");
        Path yaml = dir.resolve("b.yml");
        Files.writeString(json, "[\n\t{\"targets\": [\"h1:9100\", \"h2:9100\"], \"labels\": {\"env\": \"prod\"}, \"ignored\": 1}\n]\n");
        Files.writeString(yaml, "- targets: ['h3:9100']\n");
        var updates = new LinkedBlockingQueue<List<TargetGroup>>();
        // A long refresh interval: only the watcher can deliver the changes below in time.
        FileSdConfig cfg = new FileSdConfig(List.of(dir.resolve("*.json").toString(), dir.resolve("*.yml").toString()), 3_600_000);
        try (TargetGroupSet set = new TargetGroupSet(List.of(new FileDiscoverer(cfg)), updates::add)) {
            set.start();
            List<TargetGroup> first = updates.poll(10, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals(2, first.size());
            TargetGroup g = first.getFirst();
            assertEquals(json + ":0", g.source());
            assertEquals(List.of(Labels.of("__address__", "h1:9100"), Labels.of("__address__", "h2:9100")), g.targets());
            assertEquals(Labels.of("env", "prod", TargetGroupFiles.FILEPATH_LABEL, json.toString()), g.labels());

            Files.writeString(json, "[{\"targets\": [\"h9:9100\"]}]");
            List<TargetGroup> next = awaitMatching(updates, l -> l.size() == 2 && l.getFirst().targets().getFirst().get("__address__").equals("h9:9100"));
            assertEquals(Labels.of(TargetGroupFiles.FILEPATH_LABEL, json.toString()), next.getFirst().labels());

            Files.delete(yaml);
            List<TargetGroup> gone = awaitMatching(updates, l -> l.size() == 1);
            assertEquals(json + ":0", gone.getFirst().source());

            // A file that stops parsing keeps its previous targets.
            Files.writeString(json, "[{\"targets\": ");
            FileDiscoverer d = new FileDiscoverer(cfg);
            var direct = new LinkedBlockingQueue<List<TargetGroup>>();
            d.start(direct::add);
            d.close();
            assertTrue(direct.isEmpty(), "nothing to report from a broken file");
            assertTrue(d.readErrors() > 0);
        }
    }

    private static List<TargetGroup> awaitMatching(LinkedBlockingQueue<List<TargetGroup>> q, java.util.function.Predicate<List<TargetGroup>> p)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<TargetGroup> l = q.poll(100, TimeUnit.MILLISECONDS);
            if (l != null && p.test(l)) return l;
        }
        throw new AssertionError("no matching update");
    }
}
