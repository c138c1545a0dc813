package dev.vigil.ingest.config;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code filepath.Glob} for the patterns Prometheus allows in {@code rule_files}, {@code
 * scrape_config_files} and {@code file_sd_configs}: wildcards only in the last path element.
 */
public final class Globs {
    private Globs() {}

    /**
     * The existing files matching {@code pattern}, sorted by name; none is not an error.
     *
     * @param what the file that named the pattern, for error messages
     * @throws ConfigException when the pattern does not compile
     */
    public static List<Path> expand(String pattern, String what) {
        Path p = Path.of(pattern);
        String name = p.getFileName() == null ? "" : p.getFileName().toString();
        if (!hasMeta(name)) return Files.exists(p) ? List.of(p) : List.of();
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        PathMatcher m;
        try {
            m = dir.getFileSystem().getPathMatcher("glob:" + name);
        } catch (IllegalArgumentException e) {
            throw ConfigException.ofFile(what, "bad glob pattern \"" + pattern + "\": " + e.getMessage(), e);
        }
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                if (m.matches(f.getFileName())) out.add(f);
            }
        } catch (IOException e) {
            return out; // as Go's Glob: an unreadable directory matches nothing
        }
        out.sort(null);
        return out;
    }

    /** Whether a pattern has Go glob metacharacters. */
    public static boolean hasMeta(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') return true;
        }
        return false;
    }
}
