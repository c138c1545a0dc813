package dev.vigil.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process, JVM and HTTP metrics for Vigil's /metrics: Prometheus's standard {@code process_*} names
 * (so existing dashboards work), {@code jvm_*} where Go would have {@code go_*}, and
 * {@code prometheus_http_requests_total} by handler and code.
 */
final class ProcessMetrics {
    private record HandlerCode(String handler, int code) {}

    private final Map<HandlerCode, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, double[]> durations = new ConcurrentHashMap<>(); // handler -> [count, sum]

    /** Counts one answered request; the handler is the matched route path. */
    void observe(String handler, int code, double seconds) {
        requests.computeIfAbsent(new HandlerCode(handler, code), k -> new LongAdder()).increment();
        double[] d = durations.computeIfAbsent(handler, k -> new double[2]);
        synchronized (d) {
            d[0]++;
            d[1] += seconds;
        }
    }

    void write(StringBuilder sb) {
        var rt = ManagementFactory.getRuntimeMXBean();
        var os = ManagementFactory.getOperatingSystemMXBean();
        gauge(sb, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", rt.getStartTime() / 1000.0);
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            counter(sb, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", u.getProcessCpuTime() / 1e9);
            gauge(sb, "process_open_fds", "Number of open file descriptors.", u.getOpenFileDescriptorCount());
            gauge(sb, "process_max_fds", "Maximum number of open file descriptors.", u.getMaxFileDescriptorCount());
        }
        try {
            // /proc/self/statm: size resident ... in pages
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
            gauge(sb, "process_virtual_memory_bytes", "Virtual memory size in bytes.", Long.parseLong(statm[0]) * 4096.0);
            gauge(sb, "process_resident_memory_bytes", "Resident memory size in bytes.", Long.parseLong(statm[1]) * 4096.0);
        } catch (Exception e) {
            // not Linux: leave the memory figures out
        }
        sb.append("# HELP jvm_memory_used_bytes Used bytes of a JVM memory area.\n# TYPE jvm_memory_used_bytes gauge\n");
        long heap = 0, nonHeap = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) heap += p.getUsage().getUsed();
            else nonHeap += p.getUsage().getUsed();
        }
        sb.append("jvm_memory_used_bytes{area=\"heap\"} ").append(heap).append('\n');
        sb.append("jvm_memory_used_bytes{area=\"nonheap\"} ").append(nonHeap).append('\n');
        gauge(sb, "jvm_memory_max_heap_bytes", "The heap limit (-Xmx).", Runtime.getRuntime().maxMemory());
        sb.append("# HELP jvm_gc_collection_seconds Time spent in a garbage collector.\n# TYPE jvm_gc_collection_seconds summary\n");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName().replace("\\", "\\\\").replace("\"", "\\\"");
            sb.append("jvm_gc_collection_seconds_count{gc=\"").append(name).append("\"} ").append(gc.getCollectionCount()).append('\n');
            sb.append("jvm_gc_collection_seconds_sum{gc=\"").append(name).append("\"} ").append(gc.getCollectionTime() / 1000.0).append('\n');
        }
        gauge(sb, "jvm_threads_current", "Current thread count of the JVM.", ManagementFactory.getThreadMXBean().getThreadCount());
        sb.append("# HELP prometheus_http_requests_total Counter of HTTP requests.\n# TYPE prometheus_http_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey(
                java.util.Comparator.comparing(HandlerCode::handler).thenComparingInt(HandlerCode::code))).forEach(e ->
                sb.append("prometheus_http_requests_total{code=\"").append(e.getKey().code()).append("\",handler=\"")
                        .append(e.getKey().handler()).append("\"} ").append(e.getValue().sum()).append('\n'));
        sb.append("# HELP prometheus_http_request_duration_seconds Time spent answering HTTP requests.\n# TYPE prometheus_http_request_duration_seconds summary\n");
        new java.util.TreeMap<>(durations).forEach((h, d) -> {
            synchronized (d) {
                sb.append("prometheus_http_request_duration_seconds_count{handler=\"").append(h).append("\"} ").append((long) d[0]).append('\n');
                sb.append("prometheus_http_request_duration_seconds_sum{handler=\"").append(h).append("\"} ").append(d[1]).append('\n');
            }
        });
    }

    static void gauge(StringBuilder sb, String name, String help, double v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(dev.vigil.server.api.Json.formatValue(v)).append('\n');
    }

    static void counter(StringBuilder sb, String name, String help, double v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(dev.vigil.server.api.Json.formatValue(v)).append('\n');
    }
}
