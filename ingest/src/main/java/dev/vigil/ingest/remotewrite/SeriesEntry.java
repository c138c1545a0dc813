package dev.vigil.ingest.remotewrite;

import dev.vigil.tsdb.Labels;
import java.nio.charset.StandardCharsets;

/**
 * A WAL series as one remote sees it: its labels after external labels and write relabeling,
 * pre-encoded once as the {@code labels} fields of a remote-write 1.0 {@code TimeSeries}, so that
 * encoding a sample is a copy plus a few bytes.
 */
final class SeriesEntry {
    /** Stands for a series that write_relabel_configs dropped. */
    static final SeriesEntry DROPPED = new SeriesEntry(null);

    final Labels labels;
    /** The repeated {@code Label labels = 1} fields of a 1.0 TimeSeries; null when dropped. */
    final byte[] v1Labels;
    /** Names and values as UTF-8 strings, in label order (for 2.0 symbol tables). */
    final String[] strings;
    /** Picks the shard; stable for the labels, so one series always goes through one shard, in order. */
    final long hash;

    SeriesEntry(Labels labels) {
        this.labels = labels;
        if (labels == null) {
            v1Labels = null;
            strings = null;
            hash = 0;
            return;
        }
        strings = new String[labels.size() * 2];
        ProtoWriter w = new ProtoWriter(64);
        ProtoWriter label = new ProtoWriter(64);
        for (int i = 0; i < labels.size(); i++) {
            strings[2 * i] = labels.name(i);
            strings[2 * i + 1] = labels.value(i);
            label.reset();
            label.bytesField(1, labels.name(i).getBytes(StandardCharsets.UTF_8));
            label.bytesField(2, labels.value(i).getBytes(StandardCharsets.UTF_8));
            w.tag(1, ProtoWriter.LEN);
            w.uvarint(label.length());
            w.raw(label.array(), 0, label.length());
        }
        v1Labels = java.util.Arrays.copyOf(w.array(), w.length());
        hash = labels.hash();
    }
}
