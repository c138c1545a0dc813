package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveUpdatesSocketTest {
    @TempDir
    Path dir;

    @Test
    void the_ticker_runs_only_while_a_socket_is_open_and_sends_new_steps() throws Exception {
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0"});
        try (Server s = Server.start(flags, () -> {}, false)) {
            assertFalse(s.live.ticking(), "no socket, no ticks");
            long now = System.currentTimeMillis();
            Appender app = s.storage.appender();
            for (long t = now - 60_000; t <= now + 10_000; t += 1000) app.append(0, Labels.of("__name__", "live_metric"), t, 1);
            app.commit();

            LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + s.http.port() + "/api/v1/vigil/live"), new WebSocket.Listener() {
                        final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                messages.add(text.toString());
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            ws.sendText("{\"type\":\"subscribe\",\"id\":7,\"query\":\"live_metric\",\"step\":1,\"from\":" + (now / 1000 - 10) + "}", true)
                    .get(10, TimeUnit.SECONDS);
            String first = messages.poll(10, TimeUnit.SECONDS);
            assertTrue(first != null && first.startsWith("{\"id\":7,\"to\":") && first.contains("live_metric"), "live update: " + first);
            assertTrue(s.live.ticking());

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.live.ticking() && System.nanoTime() < deadline) Thread.sleep(20);
            assertFalse(s.live.ticking(), "the last socket closed: the ticker stops");
        }
    }
}
