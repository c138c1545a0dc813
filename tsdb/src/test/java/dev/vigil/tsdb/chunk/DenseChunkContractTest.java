package dev.vigil.tsdb.chunk;

class DenseChunkContractTest extends ChunkEncodingContract {
    private final DenseChunk encoder = new DenseChunk();

    @Override
    byte encoding() {
        return Encoding.DENSE;
    }

    @Override
    byte[] encode(long[] ts, double[] vs, int n) {
        return encoder.encode(ts, vs, n);
    }
}
