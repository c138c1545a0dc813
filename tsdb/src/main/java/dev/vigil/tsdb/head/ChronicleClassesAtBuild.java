package dev.vigil.tsdb.head;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run by the build (tsdb/pom.xml, after compile): has Chronicle Map generate the classes it would
 * otherwise generate at every start of the process, and writes their bytecode to the given classes
 * directory. Chronicle Values looks a generated class up on the classpath before it generates one,
 * so with these there the server no longer loads and runs javac when it opens the series
 * dictionary: about a second of CPU and the JIT-compiled code and metaspace of a thousand compiler
 * classes, on every start. Build-time output only; nothing of it is in the source tree.
 */
public final class ChronicleClassesAtBuild {
    private ChronicleClassesAtBuild() {}

    public static void main(String[] args) throws Exception {
        Path classes = Path.of(args[0]);
        // An earlier build's output is on this process's classpath: removed first (before any of it
        // is loaded), or Chronicle would find it and generate nothing.
        deleteTree(classes.resolve("net/openhft"));
        Path dir = Files.createTempDirectory("vigil-chronicle-classes");
        try {
            // Opening a dictionary makes Chronicle Map generate everything it needs.
            try (SeriesDictionary d = SeriesDictionary.open(dir.resolve("series.dict").toFile(), 1_000, false)) {
                d.put(new byte[] {1}, 1L);
            }
            int written = 0;
            for (Map.Entry<String, byte[]> e : generatedClasses().entrySet()) {
                Path out = classes.resolve(e.getKey().replace('.', '/') + ".class");
                Files.createDirectories(out.getParent());
                Files.write(out, e.getValue());
                written++;
            }
            if (written == 0) throw new IllegalStateException("Chronicle generated no classes: its compiler cache has changed shape");
            System.out.println("vigil: wrote " + written + " Chronicle classes to " + classes);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The bytecode javac produced in Chronicle's compiler cache, by class name. */
    @SuppressWarnings("unchecked")
    private static Map<String, byte[]> generatedClasses() throws ReflectiveOperationException, IOException {
        Object compiler = Class.forName("net.openhft.compiler.CompilerUtils").getField("CACHED_COMPILER").get(null);
        Field managers = compiler.getClass().getDeclaredField("fileManagerMap");
        managers.setAccessible(true);
        Map<String, byte[]> all = new java.util.TreeMap<>();
        for (Object manager : ((Map<ClassLoader, Object>) managers.get(compiler)).values()) {
            all.putAll((Map<String, byte[]>) manager.getClass().getMethod("getAllBuffers").invoke(manager));
        }
        return all;
    }
}
