package dev.vigil.tsdb.block;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A block's {@code meta.json}, in Prometheus's shape (layout in {@code tsdb/docs/format/block.md}):
 *
 * <pre>{@code
 * {"ulid":"01H...","minTime":0,"maxTime":7200000,
 *  "stats":{"numSamples":1,"numSeries":1,"numChunks":1},
 *  "compaction":{"level":1,"sources":["01H..."],"parents":[{"ulid":"..","minTime":0,"maxTime":1}]},
 *  "version":1}
 * }</pre>
 *
 * @param ulid       the block's id, also its directory name
 * @param minT       the block's range start, epoch millis, inclusive
 * @param maxT       the block's range end, epoch millis, exclusive (as in Prometheus)
 * @param stats      counts of what the block holds
 * @param compaction how the block came to be
 * @param version    the meta format version, {@value #VERSION}
 */
public record BlockMeta(String ulid, long minT, long maxT, Stats stats, Compaction compaction, int version) {
    /** The only meta.json version there is (Prometheus's {@code metaVersion1}). */
    public static final int VERSION = 1;

    /** The file name inside a block directory. */
    public static final String FILE_NAME = "meta.json";

    /** Guards against mapping a huge file by mistake: real meta files are a few hundred bytes. */
    private static final long MAX_FILE_BYTES = 16L << 20;

    public BlockMeta {
        Objects.requireNonNull(ulid, "ulid");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(compaction, "compaction");
    }

    /**
     * Sample, series and chunk counts. Prometheus omits zero counts from the JSON; they read as 0.
     */
    public record Stats(long numSamples, long numSeries, long numChunks) {}

    /**
     * @param level   1 for a block cut from the head, parents' max + 1 after compaction
     * @param sources the ULIDs of the level-1 blocks whose data this block holds, sorted
     * @param parents the blocks compacted into this one; empty for a block cut from the head
     */
    public record Compaction(int level, List<String> sources, List<BlockDesc> parents) {
        public Compaction {
            sources = List.copyOf(sources);
            parents = List.copyOf(parents);
        }
    }

    /** A parent block: its ULID and range ({@code maxT} exclusive). */
    public record BlockDesc(String ulid, long minT, long maxT) {
        public BlockDesc {
            Objects.requireNonNull(ulid, "ulid");
        }
    }

    /** This block as a parent entry of a compacted block. */
    public BlockDesc desc() {
        return new BlockDesc(ulid, minT, maxT);
    }

    /** The JSON text, indented like Prometheus's writer (tab indent), ending in a newline. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\n\t\"ulid\": ");
        dev.vigil.tsdb.JsonStrings.quote(sb, ulid);
        sb.append(",\n\t\"minTime\": ").append(minT);
        sb.append(",\n\t\"maxTime\": ").append(maxT);
        sb.append(",\n\t\"stats\": {\n\t\t\"numSamples\": ").append(stats.numSamples());
        sb.append(",\n\t\t\"numSeries\": ").append(stats.numSeries());
        sb.append(",\n\t\t\"numChunks\": ").append(stats.numChunks());
        sb.append("\n\t},\n\t\"compaction\": {\n\t\t\"level\": ").append(compaction.level());
        sb.append(",\n\t\t\"sources\": [");
        for (int i = 0; i < compaction.sources().size(); i++) {
            sb.append(i == 0 ? "\n\t\t\t" : ",\n\t\t\t");
            dev.vigil.tsdb.JsonStrings.quote(sb, compaction.sources().get(i));
        }
        sb.append(compaction.sources().isEmpty() ? "]" : "\n\t\t]");
        if (!compaction.parents().isEmpty()) {
            sb.append(",\n\t\t\"parents\": [");
            for (int i = 0; i < compaction.parents().size(); i++) {
                BlockDesc p = compaction.parents().get(i);
                sb.append(i == 0 ? "\n\t\t\t{\n\t\t\t\t\"ulid\": " : ",\n\t\t\t{\n\t\t\t\t\"ulid\": ");
                dev.vigil.tsdb.JsonStrings.quote(sb, p.ulid());
                sb.append(",\n\t\t\t\t\"minTime\": ").append(p.minT());
                sb.append(",\n\t\t\t\t\"maxTime\": ").append(p.maxT()).append("\n\t\t\t}");
            }
            sb.append("\n\t\t]");
        }
        sb.append("\n\t},\n\t\"version\": ").append(version).append("\n}\n");
        return sb.toString();
    }

    /**
     * Parses meta.json text. Unknown fields (Prometheus's {@code numTombstones}, Thanos's
     * {@code thanos} section, ...) are ignored.
     *
     * @param file named in errors
     * @throws CorruptionException when the text is not JSON, a required field is missing or has
     *     the wrong type, the ULID is invalid, {@code maxTime < minTime} or the version is not 1
     */
    public static BlockMeta parse(String json, Path file) {
        Object root = MetaJson.parse(json, file);
        Map<?, ?> m = obj(root, "meta", file);
        String ulid = ulid(m, "ulid", file);
        long minT = num(m, "minTime", file, false);
        long maxT = num(m, "maxTime", file, false);
        if (maxT < minT) throw CorruptionException.at(file, 0, "meta.json maxTime before minTime [minTime=" + minT + ", maxTime=" + maxT + "]");
        Map<?, ?> st = m.containsKey("stats") ? obj(m.get("stats"), "stats", file) : Map.of();
        Stats stats = new Stats(num(st, "numSamples", file, true), num(st, "numSeries", file, true), num(st, "numChunks", file, true));
        Map<?, ?> c = obj(m.get("compaction"), "compaction", file);
        long level = num(c, "level", file, false);
        if (level < 1 || level > Integer.MAX_VALUE) throw CorruptionException.at(file, 0, "meta.json compaction level out of range [level=" + level + "]");
        List<String> sources = new ArrayList<>();
        for (Object o : arr(c.get("sources"), "sources", file)) {
            if (!(o instanceof String s) || !Ulid.isValid(s)) throw CorruptionException.at(file, 0, "meta.json invalid source ulid [source=" + o + "]");
            sources.add(s);
        }
        List<BlockDesc> parents = new ArrayList<>();
        for (Object o : arr(c.get("parents"), "parents", file)) {
            Map<?, ?> p = obj(o, "parent", file);
            parents.add(new BlockDesc(ulid(p, "ulid", file), num(p, "minTime", file, false), num(p, "maxTime", file, false)));
        }
        long version = num(m, "version", file, false);
        if (version != VERSION) throw CorruptionException.at(file, 0, "unsupported meta.json version [version=" + version + "]");
        return new BlockMeta(ulid, minT, maxT, stats, new Compaction((int) level, sources, parents), VERSION);
    }

    private static Map<?, ?> obj(Object o, String what, Path file) {
        if (o instanceof Map<?, ?> m) return m;
        throw CorruptionException.at(file, 0, "meta.json " + what + " is not an object");
    }

    private static List<?> arr(Object o, String what, Path file) {
        if (o == null) return List.of(); // Prometheus omits empty sources and parents
        if (o instanceof List<?> l) return l;
        throw CorruptionException.at(file, 0, "meta.json " + what + " is not an array");
    }

    private static long num(Map<?, ?> m, String key, Path file, boolean optional) {
        Object o = m.get(key);
        if (o == null && optional) return 0;
        if (o instanceof Long l) return l;
        throw CorruptionException.at(file, 0, "meta.json field missing or not an integer [field=" + key + "]");
    }

    private static String ulid(Map<?, ?> m, String key, Path file) {
        if (m.get(key) instanceof String s && Ulid.isValid(s)) return s;
        throw CorruptionException.at(file, 0, "meta.json field missing or not a ulid [field=" + key + ", value=" + m.get(key) + "]");
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws CorruptionException when the file is not valid UTF-8 or {@link #parse} rejects it
     * @throws StorageException on an I/O error (including a missing file)
     */
    public static BlockMeta read(Path file, FileSystemFacade fs) {
        byte[] bytes;
        try (FileChannel ch = fs.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_FILE_BYTES) throw CorruptionException.at(file, 0, "meta.json too large [bytes=" + size + "]");
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) break;
            }
            bytes = new byte[buf.position()];
            buf.flip().get(bytes);
        } catch (IOException e) {
            throw StorageException.io("cannot read block meta [file=" + file + "]", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw CorruptionException.at(file, 0, "meta.json is not valid utf-8");
        }
        return parse(text, file);
    }

    /**
     * Writes the JSON to {@code file} (created or truncated) and fsyncs it. Not atomic by itself: the
     * writer puts it in a temporary block directory that is renamed into place.
     *
     * @throws StorageException on an I/O error
     */
    public void write(Path file, FileSystemFacade fs) {
        ByteBuffer buf = ByteBuffer.wrap(toJson().getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = fs.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            fs.write(ch, buf, 0);
            fs.force(ch);
        } catch (IOException e) {
            throw StorageException.io("cannot write block meta [file=" + file + "]", e);
        }
    }
}
