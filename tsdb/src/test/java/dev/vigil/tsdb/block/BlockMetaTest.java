package dev.vigil.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BlockMetaTest {
    private static final Path FILE = Path.of("01ARZ3NDEKTSV4RRFFQ69G5FAV/meta.json");
    private static final String A = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private static final String B = "01BX5ZZKBKACTAV9WEVGEMMVRY";

    @TempDir
    Path dir;

    @Test
    void toJson_parse_roundTrip() {
        BlockMeta m = new BlockMeta(A, -5, 7_200_000, new BlockMeta.Stats(10, 2, 3),
                new BlockMeta.Compaction(3, List.of(A, B), List.of(new BlockMeta.BlockDesc(B, 0, 10), new BlockMeta.BlockDesc(A, 10, 20))), 1);
        assertEquals(m, BlockMeta.parse(m.toJson(), FILE));
        BlockMeta noParents = new BlockMeta(A, 0, 1, new BlockMeta.Stats(0, 0, 0), new BlockMeta.Compaction(1, List.of(), List.of()), 1);
        assertEquals(noParents, BlockMeta.parse(noParents.toJson(), FILE));
    }

    @Test
    void write_read_roundTrip() {
        BlockMeta m = new BlockMeta(A, 0, 1, new BlockMeta.Stats(1, 1, 1), new BlockMeta.Compaction(1, List.of(A), List.of()), 1);
        m.write(dir.resolve("meta.json"), FileSystemFacade.DEFAULT);
        assertEquals(m, BlockMeta.read(dir.resolve("meta.json"), FileSystemFacade.DEFAULT));
    }

    @Test
    void parsesAPrometheusWrittenMeta_ignoringUnknownFields() {
        // the shape Prometheus 2.x/3.x writes, with zero stats omitted and extra fields
        String json = """
                {
                	"ulid": "01BX5ZZKBKACTAV9WEVGEMMVRY",
                	"minTime": 1602237600000,
                	"maxTime": 1602244800000,
                	"stats": {
                		"numSamples": 553673232,
                		"numSeries": 1346066,
                		"numChunks": 4440437,
                		"numTombstones": 0,
                		"numFloatSamples": 553673232
                	},
                	"compaction": {
                		"level": 1,
                		"sources": [
                			"01BX5ZZKBKACTAV9WEVGEMMVRY"
                		],
                		"hints": ["from-out-of-order"]
                	},
                	"version": 1,
                	"thanos": {"labels": {"a": "b\\u00e9"}, "downsample": {"resolution": 0.0}}
                }
                """;
        BlockMeta m = BlockMeta.parse(json, FILE);
        assertEquals(B, m.ulid());
        assertEquals(1602237600000L, m.minT());
        assertEquals(1602244800000L, m.maxT());
        assertEquals(new BlockMeta.Stats(553673232, 1346066, 4440437), m.stats());
        assertEquals(new BlockMeta.Compaction(1, List.of(B), List.of()), m.compaction());
    }

    @Test
    void missingStatsFields_readAsZero() {
        String json = "{\"ulid\":\"" + A + "\",\"minTime\":0,\"maxTime\":1,\"stats\":{},\"compaction\":{\"level\":1},\"version\":1}";
        assertEquals(new BlockMeta.Stats(0, 0, 0), BlockMeta.parse(json, FILE).stats());
    }

    record Bad(String json, String why) {
        @Override
        public String toString() {
            return why;
        }
    }

    static Stream<Bad> malformed() {
        String ok = "{\"ulid\":\"" + A + "\",\"minTime\":0,\"maxTime\":1,\"compaction\":{\"level\":1},\"version\":1}";
        return Stream.of(
                new Bad("", "empty"),
                new Bad(ok.substring(0, ok.length() - 1), "truncated"),
                new Bad(ok + "x", "trailing garbage"),
                new Bad("[]", "not an object"),
                new Bad(ok.replace(A, "01ARZ3NDEKTSV4RRFFQ69G5FA"), "short ulid"),
                new Bad(ok.replace(A, "81ARZ3NDEKTSV4RRFFQ69G5FAV"), "ulid overflows 128 bits"),
                new Bad(ok.replace("\"minTime\":0", "\"minTime\":\"0\""), "string time"),
                new Bad(ok.replace("\"minTime\":0", "\"minTime\":0.5"), "fractional time"),
                new Bad(ok.replace("\"minTime\":0,", ""), "missing minTime"),
                new Bad(ok.replace("\"maxTime\":1", "\"maxTime\":-1"), "maxTime before minTime"),
                new Bad(ok.replace("\"maxTime\":1", "\"maxTime\":99999999999999999999"), "time out of range"),
                new Bad(ok.replace("\"version\":1", "\"version\":2"), "unknown version"),
                new Bad(ok.replace(",\"version\":1", ""), "missing version"),
                new Bad(ok.replace("{\"level\":1}", "{\"level\":0}"), "level 0"),
                new Bad(ok.replace(",\"compaction\":{\"level\":1}", ""), "missing compaction"),
                new Bad(ok.replace("{\"level\":1}", "{\"level\":1,\"sources\":[\"nope\"]}"), "bad source"),
                new Bad(ok.replace("{\"level\":1}", "{\"level\":1,\"sources\":{}}"), "sources not an array"),
                new Bad(ok.replace("{\"level\":1}", "{\"level\":1,\"parents\":[{\"ulid\":\"" + B + "\"}]}"), "parent without times"),
                new Bad(ok.replace("\"ulid\"", "\"ul\\qid\""), "bad escape"),
                new Bad(ok.replace("{\"level\":1}", "{\"level\":1,}"), "trailing comma"),
                new Bad("[".repeat(100), "deep nesting"),
                new Bad("{\"a\":tru}", "bad literal"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedMeta_isCorruption(Bad bad) {
        CorruptionException e = assertThrows(CorruptionException.class, () -> BlockMeta.parse(bad.json(), FILE));
        assertEquals(FILE, e.file());
    }

    @Test
    void invalidUtf8_isCorruption() throws Exception {
        Path f = dir.resolve("meta.json");
        Files.write(f, new byte[] {'{', (byte) 0xC3, '}'});
        assertThrows(CorruptionException.class, () -> BlockMeta.read(f, FileSystemFacade.DEFAULT));
    }

    @Test
    void stringsWithControlCharacters_roundTrip() {
        StringBuilder sb = new StringBuilder();
        dev.vigil.tsdb.JsonStrings.quote(sb, "a\"b\\c\n\t\u0001é\uD83D\uDE00");
        assertEquals("a\"b\\c\n\t\u0001é\uD83D\uDE00", MetaJson.parse(sb.toString(), FILE));
        assertTrue(sb.indexOf("\u0001") < 0);
    }
}
