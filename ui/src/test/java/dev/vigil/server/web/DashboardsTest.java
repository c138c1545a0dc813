package dev.vigil.server.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The dashboard store: built-ins, files, uploads that survive a restart, and what a bad upload is told. */
class DashboardsTest {
    @TempDir
    Path dir;

    static final String SMALL = """
            {"title": "Small", "tags": ["a", "b"], "panels": [{"type": "stat", "targets": [{"expr": "up"}]}]}""";

    record BadUpload(String json, String message) {}

    static Stream<BadUpload> badUploads() {
        return Stream.of(
                new BadUpload("", "invalid JSON at line 1, column 1: the text is empty, expected a JSON object"),
                new BadUpload("{\"title\": \"x\",\n  \"panels\": [\n    {\"type\": \"stat\",}\n  ]\n}",
                        "invalid JSON at line 3, column 21: Unexpected character ('}' (code 125)): was expecting double-quote to start field name"),
                new BadUpload("{\"title\": \"x\" \"panels\": []}",
                        "invalid JSON at line 1, column 15: Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries"),
                new BadUpload("{\"panels\": [1, 2,]}", "invalid JSON at line 1, column 18: Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                new BadUpload("{\"title\": 'x', \"panels\": []}",
                        "invalid JSON at line 1, column 11: Unexpected character (''' (code 39)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                new BadUpload("{\"title\": \"x\n\", \"panels\": []}", "invalid JSON at line 1, column 13: Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included in string value"),
                new BadUpload("{\"panels\": []} {}", "invalid JSON at line 1, column 16: more data after the end of the JSON value"),
                new BadUpload("{\"panels\": [tru]}", "invalid JSON at line 1, column 13: Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                new BadUpload("{\"a\": 01, \"panels\": []}", "invalid JSON at line 1, column 8: Invalid numeric value: Leading zeroes not allowed"),
                new BadUpload("[{\"panels\": []}]", "not a dashboard: expected a JSON object with a \"panels\" array, got an array"),
                new BadUpload("{\"title\": \"no panels\"}", "not a dashboard: the field \"panels\" is missing"),
                new BadUpload("{\"title\": \"old\", \"rows\": []}", "not a dashboard: the field \"panels\" is missing (this is the pre-5.0 Grafana schema"
                        + " with \"rows\"; open and save it in a newer Grafana to convert it)"),
                new BadUpload("{\"panels\": {}}", "not a dashboard: \"panels\" must be an array, got an object"),
                new BadUpload("{\"dashboard\": {\"panels\": [{}, \"text\"]}}", "not a dashboard: \"dashboard.panels[1]\" must be an object, got a string"),
                new BadUpload("{\"uid\": \"a/b\", \"panels\": []}", "\"uid\" must be 1 to 40 letters, digits, '-' or '_', got \"a/b\""),
                new BadUpload("{\"uid\": 7, \"panels\": []}", "\"uid\" must be 1 to 40 letters, digits, '-' or '_', got a number"),
                new BadUpload("{\"title\": [], \"panels\": []}", "\"title\" must be a string, got an array"),
                new BadUpload("{\"tags\": [1], \"panels\": []}", "\"tags\" must be an array of strings"),
                new BadUpload("{\"templating\": {\"list\": {}}, \"panels\": []}", "\"templating.list\" must be an array, got an object"));
    }

    @ParameterizedTest
    @MethodSource("badUploads")
    void upload_badJson_namesWhatIsWrong(BadUpload c) {
        var e = assertThrows(Dashboards.InvalidDashboardException.class, () -> new Dashboards(dir).upload(c.json()));
        assertEquals(c.message(), e.getMessage());
    }

    @Test
    void builtins_areListedAndValid() {
        Dashboards d = new Dashboards(dir);
        assertEquals(Dashboards.Source.BUILTIN, d.get("vigil").source());
        assertEquals(Dashboards.Source.BUILTIN, d.get("node-exporter").source());
        assertEquals("Vigil", d.get("vigil").title());
        assertFalse(Files.exists(dir.resolve("uploaded")), "nothing is written until something is uploaded");
    }

    @Test
    void upload_withoutUid_getsOneFromTheTitle_andSurvivesARestart() throws Exception {
        Dashboards d = new Dashboards(dir);
        var saved = d.upload(SMALL);
        assertEquals("small", saved.uid());
        assertEquals(Dashboards.Source.UPLOADED, saved.source());
        assertEquals(List.of("a", "b"), saved.tags());
        assertTrue(Files.exists(dir.resolve("uploaded/small.json")));
        // a second upload of the same uid-less JSON is a new dashboard, as in Grafana's import
        assertEquals("small-2", d.upload(SMALL).uid());

        Dashboards restarted = new Dashboards(dir);
        var again = restarted.get("small");
        assertNotNull(again);
        assertEquals("Small", again.title());
        assertEquals("small", again.model().get("uid"));
        assertEquals(List.of("small", "small-2"), restarted.list().stream().filter(e -> e.source() == Dashboards.Source.UPLOADED)
                .map(Dashboards.Entry::uid).toList());
    }

    @Test
    void upload_grafanaExportWrapper_isUnwrapped_andKeepsItsUid() {
        var saved = new Dashboards(dir).upload("{\"dashboard\": {\"uid\": \"abc\", \"title\": \"T\", \"panels\": []}, \"overwrite\": true}");
        assertEquals("abc", saved.uid());
        assertEquals(Map.of("uid", "abc", "title", "T", "panels", List.of()), saved.model());
    }

    @Test
    void upload_sameUid_replacesTheEarlierUpload() {
        Dashboards d = new Dashboards(dir);
        d.upload("{\"uid\": \"x\", \"title\": \"One\", \"panels\": []}");
        d.upload("{\"uid\": \"x\", \"title\": \"Two\", \"panels\": []}");
        assertEquals("Two", d.get("x").title());
        assertEquals(1, d.list().stream().filter(e -> e.uid().equals("x")).count());
    }

    @Test
    void upload_uidOfABuiltin_isRefused() {
        var e = assertThrows(Dashboards.InvalidDashboardException.class,
                () -> new Dashboards(dir).upload("{\"uid\": \"vigil\", \"panels\": []}"));
        assertEquals("the uid \"vigil\" belongs to the built-in dashboard \"Vigil\"; change or remove \"uid\" in the JSON to upload it as a new dashboard",
                e.getMessage());
    }

    @Test
    void upload_keepsNumbersAndOrderExactly() {
        String json = "{\"uid\": \"n\", \"panels\": [{\"gridPos\": {\"h\": 8, \"w\": 12}, \"v\": 0.1, \"big\": 12345678901234567890, \"e\": 1e-7}]}";
        Dashboards d = new Dashboards(dir);
        d.upload(json);
        assertEquals("{\"uid\":\"n\",\"panels\":[{\"gridPos\":{\"h\":8,\"w\":12},\"v\":0.1,\"big\":12345678901234567890,\"e\":1E-7}]}",
                DashboardJson.write(new Dashboards(dir).get("n").model(), false));
    }

    @Test
    void files_inTheDirectory_areReadOnly_andReplaceABuiltinOfTheSameUid() throws Exception {
        Files.writeString(dir.resolve("team.json"), "{\"title\": \"Team\", \"panels\": []}");
        Files.writeString(dir.resolve("vigil-custom.json"), "{\"uid\": \"vigil\", \"title\": \"Our Vigil\", \"panels\": []}");
        Files.writeString(dir.resolve("broken.json"), "{\"panels\": [}");
        Dashboards d = new Dashboards(dir);
        assertEquals(Dashboards.Source.FILE, d.get("team").source());
        assertEquals("Our Vigil", d.get("vigil").title());
        assertEquals("invalid JSON at line 1, column 13: Unexpected close marker '}': expected ']' (for the Array starting at line 1, column 12)",
                d.get("broken").error());
        assertNull(d.get("broken").model());
        var e = assertThrows(Dashboards.InvalidDashboardException.class, () -> d.delete("team"));
        assertTrue(e.getMessage().startsWith("the dashboard file " + dir.resolve("team.json") + " cannot be deleted through the API"), e.getMessage());
        var refused = assertThrows(Dashboards.InvalidDashboardException.class, () -> d.upload("{\"uid\": \"team\", \"panels\": []}"));
        assertTrue(refused.getMessage().startsWith("the uid \"team\" belongs to the dashboard file "), refused.getMessage());
    }

    @Test
    void files_changedOnDisk_areSeenWithoutARestart() throws Exception {
        Dashboards d = new Dashboards(dir);
        assertNull(d.get("later"));
        Path f = dir.resolve("later.json");
        Files.writeString(f, "{\"title\": \"Later\", \"panels\": []}");
        assertEquals("Later", d.get("later").title());
        Files.writeString(f, "{\"title\": \"Later, renamed\", \"panels\": [{}]}");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals("Later, renamed", d.get("later").title());
        Files.delete(f);
        assertNull(d.get("later"));
    }

    @Test
    void delete_removesAnUpload_andUnknownIsFalse() {
        Dashboards d = new Dashboards(dir);
        d.upload(SMALL);
        assertTrue(d.delete("small"));
        assertNull(d.get("small"));
        assertFalse(Files.exists(dir.resolve("uploaded/small.json")));
        assertFalse(d.delete("small"));
        assertNull(new Dashboards(dir).get("small"));
    }

    @Test
    void slug_makesAUidOfATitle() {
        assertEquals("node-exporter-full", Dashboards.slug("Node Exporter / Full"));
        assertEquals("dashboard", Dashboards.slug("★★★"));
        assertEquals(34, Dashboards.slug("x".repeat(100)).length());
    }
}
