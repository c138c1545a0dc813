package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.DnsSdConfig;
import dev.vigil.ingest.config.PromDuration;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

/**
 * {@code dns_sd_configs}, as Prometheus's {@code discovery/dns}: every refresh interval each name
 * is looked up (in parallel) and becomes one target group whose source is the name. SRV records
 * give {@code target:port}; A and AAAA records the address and MX and NS records the host, with
 * the configured port. A name that does not exist gives an empty group (its targets go away); a
 * lookup that failed keeps the name's previous targets.
 */
public final class DnsDiscoverer implements Discoverer {
    private static final Logger LOG = Logger.getLogger(DnsDiscoverer.class.getName());
    public static final String NAME_LABEL = "__meta_dns_name";
    public static final String SRV_TARGET_LABEL = "__meta_dns_srv_record_target";
    public static final String SRV_PORT_LABEL = "__meta_dns_srv_record_port";
    public static final String MX_TARGET_LABEL = "__meta_dns_mx_record_target";
    public static final String NS_TARGET_LABEL = "__meta_dns_ns_record_target";
    /** Prometheus's DNS client waits 2 s for each server. */
    private static final int SERVER_TIMEOUT_MS = 2_000;

    /** Where the resolver settings come from; rereading them each time picks up a changed resolv.conf. */
    public interface ResolverSource {
        ResolvConf get() throws IOException;
    }

    private final DnsSdConfig config;
    private final ResolverSource resolver;
    private final DnsClient client;
    private final int type;
    private volatile boolean closed;
    private volatile Thread thread;
    private volatile String lastError = "";

    public DnsDiscoverer(DnsSdConfig config) {
        this(config, () -> ResolvConf.read(ResolvConf.SYSTEM), SERVER_TIMEOUT_MS);
    }

    public DnsDiscoverer(DnsSdConfig config, ResolverSource resolver, int serverTimeoutMs) {
        this.config = config;
        this.resolver = resolver;
        this.client = new DnsClient(serverTimeoutMs);
        this.type = Type.value(config.type());
    }

    /**
     * Looks up in the background from the start: a dead DNS server must not hold up start-up or a
     * reload (each server may take its timeout for each search domain).
     */
    @Override
    public void start(Consumer<List<TargetGroup>> sink) {
        thread = Thread.ofVirtual().name("dns-sd " + String.join(",", config.names())).start(() -> {
            while (!closed) {
                refresh(sink);
                try {
                    Thread.sleep(Math.max(1, config.refreshIntervalMs()));
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** One refresh: reports a group for each name whose lookup gave an answer. */
    void refresh(Consumer<List<TargetGroup>> sink) {
        ResolvConf conf;
        try {
            conf = resolver.get();
        } catch (IOException e) {
            lastError = "could not load resolv.conf: " + e.getMessage();
            LOG.warning("dns_sd: keeping the previous targets: " + lastError);
            return;
        }
        List<Thread> lookups = new ArrayList<>(config.names().size());
        TargetGroup[] groups = new TargetGroup[config.names().size()];
        String[] errors = new String[groups.length];
        for (int i = 0; i < groups.length; i++) {
            int idx = i;
            String name = config.names().get(i);
            lookups.add(Thread.ofVirtual().name("dns-sd lookup " + name).start(() -> {
                try {
                    groups[idx] = group(name, client.lookup(conf, name, type));
                } catch (IOException | RuntimeException e) {
                    errors[idx] = e.getMessage();
                }
            }));
        }
        try {
            for (Thread t : lookups) t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        List<TargetGroup> update = new ArrayList<>(groups.length);
        String err = "";
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] != null) {
                update.add(groups[i]);
            } else {
                err = errors[i];
                LOG.warning("dns_sd: keeping the previous targets of \"" + config.names().get(i) + "\": " + errors[i]);
            }
        }
        lastError = err;
        if (!closed && !update.isEmpty()) sink.accept(update);
    }

    /** The targets of one name's answer records (Prometheus's refreshOne). */
    TargetGroup group(String name, List<Record> answer) {
        List<Labels> targets = new ArrayList<>(answer.size());
        for (Record r : answer) {
            Labels.Builder b = Labels.builder().set(NAME_LABEL, name);
            switch (r) {
                case SRVRecord srv -> {
                    String host = srv.getTarget().toString();
                    b.set(SRV_TARGET_LABEL, host).set(SRV_PORT_LABEL, Integer.toString(srv.getPort()))
                            .set(TargetGroup.ADDRESS_LABEL, hostPort(ResolvConf.trimDots(host), srv.getPort()));
                }
                case MXRecord mx -> {
                    String host = mx.getTarget().toString();
                    b.set(MX_TARGET_LABEL, host).set(TargetGroup.ADDRESS_LABEL, hostPort(ResolvConf.trimDots(host), config.port()));
                }
                case NSRecord ns -> {
                    String host = ns.getTarget().toString();
                    b.set(NS_TARGET_LABEL, host).set(TargetGroup.ADDRESS_LABEL, hostPort(ResolvConf.trimDots(host), config.port()));
                }
                case ARecord a -> b.set(TargetGroup.ADDRESS_LABEL, hostPort(DnsClient.ipString(a.getAddress().getAddress()), config.port()));
                case AAAARecord a -> b.set(TargetGroup.ADDRESS_LABEL, hostPort(DnsClient.ipString(a.getAddress().getAddress()), config.port()));
                case CNAMERecord c -> {
                    continue; // a query for A records may be answered with the CNAME chain first
                }
                default -> {
                    LOG.warning("dns_sd: skipping a record of an unexpected type: " + r);
                    continue;
                }
            }
            targets.add(b.build());
        }
        return new TargetGroup(name, targets, Labels.EMPTY);
    }

    // Go's net.JoinHostPort: brackets around a host with a colon (IPv6)
    private static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** Why the last refresh kept some name's previous targets, or empty. */
    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    @Override
    public String toString() {
        return "dns_sd " + config.type() + " " + config.names() + " every " + PromDuration.format(config.refreshIntervalMs());
    }
}
