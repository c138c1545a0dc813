package dev.vigil.ingest.remotewrite;

import dev.vigil.tsdb.db.Db;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;

/**
 * The child JVM of {@link SigkillResendTest}: a Vigil TSDB plus a remote-write queue. Appends
 * phase 1 and reports once it is acknowledged and its position persisted; on "GO" (the parent
 * has stopped the receiver) appends phase 2, reports once the queue is retrying, and then waits
 * to be killed.
 *
 * <p>Arguments: data directory, receiver URL, first timestamp (ms), series, samples per phase.
 */
public final class SenderChild {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        String url = args[1];
        long t0 = Long.parseLong(args[2]);
        int series = Integer.parseInt(args[3]);
        int perPhase = Integer.parseInt(args[4]);
        Db db = Db.open(data, RemoteWriteSenderTest.opts());
        RemoteWriteManager m = RemoteWriteManager.forStorage(db);
        m.apply(RealReceiverTest.cfg(url));
        RemoteWriteSenderTest.append(db, series, perPhase, t0);
        long walEnd = WalTailer.endOf(db.walDir());
        RemoteWriteSenderTest.await(() -> WalTailer.pos(m.stats().getFirst().segment(), m.stats().getFirst().offset()) == walEnd,
                30_000, "phase 1 acknowledged and persisted");
        System.out.println("PHASE1");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        if (!"GO".equals(in.readLine())) System.exit(2);
        RemoteWriteSenderTest.append(db, series, perPhase, t0 + perPhase * 1000L);
        RemoteWriteSenderTest.await(() -> m.stats().getFirst().samplesRetried() > 0 && m.stats().getFirst().samplesPending() > 0,
                30_000, "retrying");
        System.out.println("PHASE2");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // SIGKILL ends this: no close, no flush, no clean shutdown marker
    }
}
