package dev.vigil.server.web;

import dev.vigil.server.api.Api;
import dev.vigil.server.api.ApiError;
import dev.vigil.server.api.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dashboards in Grafana's JSON model, from three places, and their HTTP API under {@code
 * /api/v1/vigil/dashboards}.
 *
 * <ul>
 *   <li><b>Built in</b>: {@code web/dashboards/*.json} on the classpath (Vigil itself, node_exporter).</li>
 *   <li><b>File</b>: {@code *.json} directly in the dashboards directory ({@code --web.dashboards.path}), put
 *   there by an operator (provisioning); read-only through the API. A file with a built-in's uid replaces that
 *   built-in, so an operator can adapt one. A file without a uid gets its file name as uid, which stays stable.</li>
 *   <li><b>Uploaded</b>: through {@code POST}; saved as {@code uploaded/UID.json} under the directory, so they
 *   survive restarts and stay apart from the operator's files; {@code DELETE} removes them.</li>
 * </ul>
 *
 * <p>The directory is re-read on every request, which costs a stat per file: parsed models are cached by file
 * size and modification time, so files dropped in or edited show up without a restart (as Grafana's
 * file provisioning does, minus its polling delay).
 *
 * <p>Only the dashboard as a whole is validated here (an object with a {@code panels} array of objects, and the
 * fields the list shows); a broken panel is the UI's to show inside that panel, so that one bad panel does not
 * reject the dashboard. Thread-safe: every method that touches the directory or the cache is synchronized.
 */
public final class Dashboards {
    private static final System.Logger LOG = System.getLogger(Dashboards.class.getName());

    /** The built-in dashboards' resource names under {@code web/dashboards/} (a jar cannot list a directory). */
    static final List<String> BUILTIN = List.of("vigil.json", "node-exporter.json");

    /** Grafana's own limit on a uid (40) and its character set; the uid is also our file name. */
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

    /** Far above any real dashboard (the biggest public ones are ~1 MB); keeps an upload from filling the disk. */
    static final int MAX_BYTES = 10 << 20;

    /** Where a dashboard comes from; the API writes it lower-case. */
    public enum Source {
        BUILTIN, FILE, UPLOADED;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One dashboard: its model (uid filled in), or, for a file that is not a valid dashboard, the reason in
     * {@code error} and a null model.
     */
    public record Entry(String uid, String title, List<String> tags, Source source, Map<String, Object> model,
            String error, Path file) {}

    /** An upload or a request that cannot be served, with the message the API returns as bad_data. */
    public static final class InvalidDashboardException extends RuntimeException {
        InvalidDashboardException(String message) {
            super(message, null, false, false);
        }
    }

    private record Cached(long size, long modifiedMs, Entry entry) {}

    private final Path dir;
    private final Path uploadDir;
    private final Map<String, Entry> builtins = new LinkedHashMap<>();
    private final Map<Path, Cached> cache = new HashMap<>();

    /** {@code dir} need not exist; it is created on the first upload. */
    public Dashboards(Path dir) {
        this.dir = dir;
        this.uploadDir = dir.resolve("uploaded");
        for (String name : BUILTIN) {
            String text = readResource("web/dashboards/" + name);
            Entry e = entry(text, name.substring(0, name.length() - ".json".length()), Source.BUILTIN, null);
            if (e.error() != null) throw new IllegalStateException("built-in dashboard " + name + " is invalid: " + e.error());
            builtins.put(e.uid(), e);
        }
    }

    /** The dashboards directory (from {@code --web.dashboards.path}). */
    public Path directory() {
        return dir;
    }

    /** Every dashboard, by title (then uid); a uid appears once (file before built-in before uploaded). */
    public synchronized List<Entry> list() {
        List<Entry> out = new ArrayList<>(all().values());
        out.sort(Comparator.comparing((Entry e) -> e.title().toLowerCase(Locale.ROOT)).thenComparing(Entry::uid));
        return out;
    }

    /** The dashboard with this uid, or null. */
    public synchronized Entry get(String uid) {
        return all().get(uid);
    }

    /**
     * Validates a Grafana dashboard JSON (the model, or Grafana's export wrapper {@code {"dashboard": {...}}}),
     * gives it a uid when it has none, and saves it under {@code uploaded/}; an upload with the uid of an
     * earlier upload replaces it.
     *
     * @return the saved dashboard
     * @throws InvalidDashboardException when the text is not JSON or not a dashboard, or the uid belongs to a
     *     built-in or file dashboard
     * @throws UncheckedIOException when the file cannot be written
     */
    public synchronized Entry upload(String text) {
        Map<String, Object> model = validate(text);
        Map<String, Entry> all = all();
        Object uid = model.get("uid");
        if (uid == null || "".equals(uid)) {
            uid = freeUid(slug(model.get("title") instanceof String t ? t : ""), all);
            // the uid first, as Grafana writes it, so a person reading the saved file sees it at once
            Map<String, Object> withUid = new LinkedHashMap<>();
            withUid.put("uid", uid);
            model.remove("uid");
            withUid.putAll(model);
            model = withUid;
        }
        Entry existing = all.get((String) uid);
        if (existing != null && existing.source() != Source.UPLOADED) {
            throw new InvalidDashboardException("the uid \"" + uid + "\" belongs to the " + describe(existing)
                    + "; change or remove \"uid\" in the JSON to upload it as a new dashboard");
        }
        Path file = uploadDir.resolve(uid + ".json");
        try {
            Files.createDirectories(uploadDir);
            Path tmp = Files.createTempFile(uploadDir, ".upload-", ".tmp");
            try {
                Files.writeString(tmp, DashboardJson.write(model, true) + "\n");
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the dashboard [file=" + file + "]: " + e.getMessage(), e);
        }
        cache.remove(file);
        return get((String) uid);
    }

    /**
     * Removes an uploaded dashboard.
     *
     * @return false when there is no dashboard with this uid
     * @throws InvalidDashboardException for a built-in or file dashboard
     */
    public synchronized boolean delete(String uid) {
        Entry e = all().get(uid);
        if (e == null) return false;
        if (e.source() != Source.UPLOADED) {
            throw new InvalidDashboardException("the " + describe(e) + " cannot be deleted through the API; only uploaded dashboards can"
                    + (e.source() == Source.FILE ? " (remove the file instead)" : ""));
        }
        try {
            Files.deleteIfExists(e.file());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot delete the dashboard [file=" + e.file() + "]: " + ex.getMessage(), ex);
        }
        cache.remove(e.file());
        return true;
    }

    /**
     * Parses and checks a dashboard's JSON text; returns its model (unwrapped from Grafana's export wrapper).
     *
     * @throws InvalidDashboardException naming the line and column of a JSON error, or the field that is wrong
     */
    public static Map<String, Object> validate(String text) {
        Object root;
        try {
            root = DashboardJson.parse(text);
        } catch (DashboardJson.SyntaxException e) {
            throw new InvalidDashboardException(e.getMessage());
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new InvalidDashboardException("not a dashboard: expected a JSON object with a \"panels\" array, got "
                    + DashboardJson.typeName(root));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> model = (Map<String, Object>) root;
        String at = "";
        // Grafana's export and import API wrap the model: {"dashboard": {...}, "overwrite": true, "folderUid": ...}
        if (!model.containsKey("panels") && model.get("dashboard") instanceof Map<?, ?> inner) {
            @SuppressWarnings("unchecked")
            Map<String, Object> unwrapped = (Map<String, Object>) inner;
            model = unwrapped;
            at = "dashboard.";
        }
        Object panels = model.get("panels");
        if (panels == null) {
            throw new InvalidDashboardException("not a dashboard: the field \"" + at + "panels\" is missing"
                    + (model.containsKey("rows") ? " (this is the pre-5.0 Grafana schema with \"rows\"; open and save it in a newer Grafana"
                            + " to convert it)" : ""));
        }
        if (!(panels instanceof List<?> list)) {
            throw new InvalidDashboardException("not a dashboard: \"" + at + "panels\" must be an array, got " + DashboardJson.typeName(panels));
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?>)) {
                throw new InvalidDashboardException("not a dashboard: \"" + at + "panels[" + i + "]\" must be an object, got "
                        + DashboardJson.typeName(list.get(i)));
            }
        }
        Object uid = model.get("uid");
        if (uid != null && !(uid instanceof String s && (s.isEmpty() || UID.matcher(s).matches()))) {
            throw new InvalidDashboardException("\"" + at + "uid\" must be 1 to 40 letters, digits, '-' or '_', got "
                    + (uid instanceof String s ? "\"" + s + "\"" : DashboardJson.typeName(uid)));
        }
        Object title = model.get("title");
        if (title != null && !(title instanceof String)) {
            throw new InvalidDashboardException("\"" + at + "title\" must be a string, got " + DashboardJson.typeName(title));
        }
        Object tags = model.get("tags");
        if (tags != null && !(tags instanceof List<?> l && l.stream().allMatch(t -> t instanceof String))) {
            throw new InvalidDashboardException("\"" + at + "tags\" must be an array of strings");
        }
        Object templating = model.get("templating");
        if (templating != null) {
            if (!(templating instanceof Map<?, ?> t)) {
                throw new InvalidDashboardException("\"" + at + "templating\" must be an object, got " + DashboardJson.typeName(templating));
            }
            Object vars = t.get("list");
            if (vars != null && !(vars instanceof List<?>)) {
                throw new InvalidDashboardException("\"" + at + "templating.list\" must be an array, got " + DashboardJson.typeName(vars));
            }
        }
        return model;
    }

    /** Registers the API under {@code prefix} ("" or "/something"). */
    public void register(RoutesConfig routes, String prefix) {
        String p = prefix + "/api/v1/vigil/dashboards";
        routes.get(p, ctx -> Api.respond(ctx, () -> new Api.Result(listJson())));
        routes.get(p + "/{uid}", ctx -> Api.respond(ctx, () -> {
            Entry e = get(ctx.pathParam("uid"));
            if (e == null) throw ApiError.notFound("no dashboard with uid \"" + ctx.pathParam("uid") + "\"");
            if (e.error() != null) throw ApiError.badData(e.error());
            return new Api.Result(DashboardJson.write(e.model(), false));
        }));
        routes.post(p, ctx -> Api.respond(ctx, () -> {
            Entry e = uploadFrom(ctx);
            return new Api.Result(new Json().beginObject().field("uid", e.uid()).field("title", e.title())
                    .field("source", e.source().json()).endObject().toString());
        }));
        routes.delete(p + "/{uid}", ctx -> Api.respond(ctx, () -> {
            String uid = ctx.pathParam("uid");
            try {
                if (!delete(uid)) throw ApiError.notFound("no dashboard with uid \"" + uid + "\"");
            } catch (InvalidDashboardException ex) {
                throw ApiError.badData(ex.getMessage());
            }
            return new Api.Result(new Json().beginObject().field("uid", uid).endObject().toString());
        }));
    }

    private Entry uploadFrom(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BYTES) throw ApiError.badData("the dashboard is " + body.length + " bytes, more than the limit of " + MAX_BYTES);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badData("the dashboard is not UTF-8 text");
        }
        try {
            return upload(text);
        } catch (InvalidDashboardException e) {
            throw ApiError.badData(e.getMessage());
        } catch (UncheckedIOException e) {
            throw ApiError.internal(e.getMessage());
        }
    }

    private String listJson() {
        Json j = new Json().beginArray();
        for (Entry e : list()) {
            j.beginObject().field("uid", e.uid()).field("title", e.title()).name("tags").beginArray();
            for (String t : e.tags()) j.value(t);
            j.endArray().field("source", e.source().json());
            if (e.error() != null) j.field("error", e.error());
            j.endObject();
        }
        return j.endArray().toString();
    }

    /** uid → entry: built-ins, then uploads, then files, each later one replacing an earlier one's uid. */
    private Map<String, Entry> all() {
        Map<String, Entry> out = new LinkedHashMap<>(builtins);
        List<Path> live = new ArrayList<>();
        for (Entry e : scan(uploadDir, Source.UPLOADED, live)) {
            if (!out.containsKey(e.uid())) out.put(e.uid(), e);
        }
        Map<String, Entry> files = new LinkedHashMap<>();
        for (Entry e : scan(dir, Source.FILE, live)) {
            Entry earlier = files.putIfAbsent(e.uid(), e);
            if (earlier != null) {
                LOG.log(System.Logger.Level.WARNING, "two dashboard files have the uid " + e.uid() + "; using " + earlier.file()
                        + " [ignored=" + e.file() + "]");
            }
        }
        out.putAll(files);
        cache.keySet().retainAll(live);
        return out;
    }

    /** The *.json files directly in {@code d}, by name, each parsed once per change of size or time. */
    private List<Entry> scan(Path d, Source source, List<Path> live) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.json")) {
            for (Path f : ds) files.add(f);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list dashboards [dir=" + d + "]: " + e.getMessage());
            return List.of();
        }
        files.sort(Comparator.comparing(Path::toString));
        List<Entry> out = new ArrayList<>();
        for (Path f : files) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(f, BasicFileAttributes.class);
            } catch (IOException e) {
                continue; // removed meanwhile
            }
            if (!attrs.isRegularFile()) continue;
            live.add(f);
            Cached c = cache.get(f);
            if (c == null || c.size() != attrs.size() || c.modifiedMs() != attrs.lastModifiedTime().toMillis()) {
                String name = f.getFileName().toString();
                String fallbackUid = name.substring(0, name.length() - ".json".length());
                Entry e;
                try {
                    e = attrs.size() > MAX_BYTES
                            ? broken(fallbackUid, source, f, "the file is larger than " + MAX_BYTES + " bytes")
                            : entry(Files.readString(f), fallbackUid, source, f);
                } catch (IOException ex) {
                    e = broken(fallbackUid, source, f, "cannot read " + f + ": " + ex.getMessage());
                }
                if (e.error() != null) LOG.log(System.Logger.Level.WARNING, "dashboard file " + f + ": " + e.error());
                c = new Cached(attrs.size(), attrs.lastModifiedTime().toMillis(), e);
                cache.put(f, c);
            }
            out.add(c.entry());
        }
        return out;
    }

    private static Entry entry(String text, String fallbackUid, Source source, Path file) {
        Map<String, Object> model;
        try {
            model = validate(text);
        } catch (InvalidDashboardException e) {
            return broken(fallbackUid, source, file, e.getMessage());
        }
        String uid = model.get("uid") instanceof String s && !s.isEmpty() ? s : fallbackUid;
        if (!UID.matcher(uid).matches()) {
            return broken(slug(uid), source, file, "the file name \"" + uid + "\" is not a valid uid; set \"uid\" in the JSON");
        }
        model.put("uid", uid);
        String title = model.get("title") instanceof String t && !t.isBlank() ? t : uid;
        List<String> tags = new ArrayList<>();
        if (model.get("tags") instanceof List<?> l) l.forEach(t -> tags.add((String) t));
        return new Entry(uid, title, List.copyOf(tags), source, model, null, file);
    }

    private static Entry broken(String uid, Source source, Path file, String error) {
        return new Entry(uid, file == null ? uid : file.getFileName().toString(), List.of(), source, null, error, file);
    }

    private static String describe(Entry e) {
        return switch (e.source()) {
            case BUILTIN -> "built-in dashboard \"" + e.title() + "\"";
            case FILE -> "dashboard file " + e.file();
            case UPLOADED -> "uploaded dashboard \"" + e.title() + "\"";
        };
    }

    /** A uid from a title: "Node Exporter / Full" → "node-exporter-full". */
    static String slug(String title) {
        String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 34) s = s.substring(0, 34).replaceAll("-+$", "");
        return s.isEmpty() ? "dashboard" : s;
    }

    private static String freeUid(String base, Map<String, Entry> taken) {
        if (!taken.containsKey(base)) return base;
        for (int i = 2; ; i++) {
            if (!taken.containsKey(base + "-" + i)) return base + "-" + i;
        }
    }

    private static String readResource(String path) {
        try (InputStream in = Dashboards.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing UI resource " + path + " on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
