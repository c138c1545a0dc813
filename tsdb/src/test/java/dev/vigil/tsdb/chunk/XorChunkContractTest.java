package dev.vigil.tsdb.chunk;

class XorChunkContractTest extends ChunkEncodingContract {
    @Override
    byte encoding() {
        return Encoding.XOR;
    }

    @Override
    byte[] encode(long[] ts, double[] vs, int n) {
        XorChunk c = new XorChunk();
        for (int i = 0; i < n; i++) c.append(ts[i], vs[i]);
        return c.toBytes();
    }
}
