package dev.vigil.tsdb.fs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Every file and mmap call of the storage goes through this, so tests can inject failures (a full
 * disk, a failing fsync, a failing map). The default delegates to the JDK. Implementations must be
 * thread-safe.
 */
public interface FileSystemFacade {
    FileSystemFacade DEFAULT = new FileSystemFacade() {};

    default FileChannel open(Path path, OpenOption... options) throws IOException {
        return FileChannel.open(path, options);
    }

    /** Writes all of {@code src} at the channel's position (or at {@code position} when &gt;= 0). */
    default void write(FileChannel ch, ByteBuffer src, long position) throws IOException {
        if (position < 0) {
            while (src.hasRemaining()) ch.write(src);
        } else {
            long p = position;
            while (src.hasRemaining()) p += ch.write(src, p);
        }
    }

    default void force(FileChannel ch) throws IOException {
        ch.force(false);
    }

    /** Maps {@code [offset, offset+size)} read-only; unmapped when {@code arena} closes. */
    default MemorySegment mapReadOnly(FileChannel ch, long offset, long size, Arena arena) throws IOException {
        return ch.map(FileChannel.MapMode.READ_ONLY, offset, size, arena);
    }

    default void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    /** Atomic rename; replaces the target. */
    default void move(Path src, Path dst) throws IOException {
        Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    default void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    default void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) return;
        try (Stream<Path> s = Files.walk(path)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** fsyncs a directory so that renames and creations in it are durable. */
    default void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems do not allow opening a directory; renames are then as durable as they get
        }
    }

    default DirectoryStream<Path> list(Path dir) throws IOException {
        return Files.newDirectoryStream(dir);
    }

    /**
     * Total bytes of the regular files under {@code path}. Compaction renames and deletes files
     * while this walks (stats are read concurrently), so what vanishes meanwhile counts as 0.
     */
    default long sizeOf(Path path) throws IOException {
        long[] total = {0};
        Files.walkFileTree(path, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) total[0] += attrs.size();
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof java.nio.file.NoSuchFileException) return java.nio.file.FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof java.nio.file.NoSuchFileException)) throw e;
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}
