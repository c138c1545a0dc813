package dev.vigil.tsdb.wal;

import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A facade that injects failures: the next {@code failWrites} writes land half their bytes and then
 * throw ENOSPC, the next {@code failForces} fsyncs throw, the next {@code failTruncates} channel
 * truncations throw. With {@code skipSync} fsyncs are counted but not done, which keeps the
 * property tests off the shared disk's flush queue.
 */
class FaultyFileSystem implements FileSystemFacade {
    final AtomicInteger failWrites = new AtomicInteger();
    final AtomicInteger failForces = new AtomicInteger();
    final AtomicInteger failTruncates = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger forces = new AtomicInteger();
    final boolean skipSync;

    FaultyFileSystem(boolean skipSync) {
        this.skipSync = skipSync;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new TruncateFaultChannel(FileChannel.open(path, options));
    }

    @Override
    public void write(FileChannel ch, ByteBuffer src, long position) throws IOException {
        if (failWrites.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
            // A full disk often takes part of a write before refusing the rest.
            ByteBuffer half = src.slice(src.position(), src.remaining() / 2);
            FileSystemFacade.super.write(ch, half, position);
            throw new IOException("No space left on device");
        }
        writes.incrementAndGet();
        FileSystemFacade.super.write(ch, src, position);
    }

    @Override
    public void force(FileChannel ch) throws IOException {
        if (failForces.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) throw new IOException("Input/output error");
        forces.incrementAndGet();
        if (!skipSync) FileSystemFacade.super.force(ch);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        if (!skipSync) FileSystemFacade.super.syncDirectory(dir);
    }

    /**
     * Delegates everything, failing truncate on demand. When an interrupt closes the delegate, the
     * wrapper closes too, as the real channel would appear to its user.
     */
    private final class TruncateFaultChannel extends FileChannel {
        private final FileChannel d;

        TruncateFaultChannel(FileChannel d) {
            this.d = d;
        }

        private interface Io<T> {
            T run() throws IOException;
        }

        private <T> T io(Io<T> op) throws IOException {
            try {
                return op.run();
            } catch (ClosedChannelException e) {
                close();
                throw e;
            }
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (failTruncates.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) throw new IOException("Input/output error");
            io(() -> d.truncate(size));
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return d.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return io(d::size);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            io(() -> {
                d.force(metaData);
                return null;
            });
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return d.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return io(() -> d.write(src, position));
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public java.lang.foreign.MemorySegment map(MapMode mode, long offset, long size, java.lang.foreign.Arena arena)
                throws IOException {
            return d.map(mode, offset, size, arena);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
