package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    void buffers_are_reused_by_size_class() {
        BufferPool p = new BufferPool();
        byte[] a = p.get(10_000);
        assertEquals(16 << 10, a.length, "rounded up to its class");
        p.put(a);
        assertSame(a, p.get(9_000), "a returned buffer serves the next request of its class");
        assertEquals(0, p.held());
        p.put(a);
        byte[] big = p.get(20_000);
        assertTrue(big.length >= 20_000 && big != a);
        byte[] grown = p.grow(big, 5, 100_000);
        assertTrue(grown.length >= 100_000);
        assertEquals(2, p.held(), "the outgrown buffer went back");
        p.put(new byte[100]); // too small to keep
        assertEquals(2, p.held());
    }
}
