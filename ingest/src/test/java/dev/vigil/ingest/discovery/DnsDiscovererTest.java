package dev.vigil.ingest.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.DnsSdConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.tsdb.Labels;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.SRVRecord;

/** dns_sd_configs against a DNS server on 127.0.0.1, with Prometheus's labels, search list and failure handling. */
class DnsDiscovererTest {
    FakeDnsServer dns;

    @BeforeEach
    void start() throws Exception {
        dns = new FakeDnsServer();
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    static Name n(String s) {
        return Name.fromConstantString(s);
    }

    static SRVRecord srv(String name, String target, int port) {
        return new SRVRecord(n(name), DClass.IN, 60, 0, 0, port, n(target));
    }

    static ARecord a(String name, String ip) throws Exception {
        return new ARecord(n(name), DClass.IN, 60, InetAddress.getByName(ip));
    }

    List<TargetGroup> refresh(DnsDiscoverer d) {
        List<List<TargetGroup>> reports = new ArrayList<>();
        d.refresh(reports::add);
        return reports.isEmpty() ? null : reports.getLast();
    }

    DnsDiscoverer discoverer(String type, int port, List<String> search, String... names) {
        ResolvConf conf = dns.resolvConf(search, 1);
        return new DnsDiscoverer(new DnsSdConfig(List.of(names), 30_000, type, port), () -> conf, 500);
    }

    @Test
    void srv_records_become_targets_with_prometheus_meta_labels() {
        dns.set("_node._tcp.example.test.", srv("_node._tcp.example.test.", "web-1.example.test.", 9100),
                srv("_node._tcp.example.test.", "web-2.example.test.", 9101));
        List<TargetGroup> groups = refresh(discoverer("SRV", 0, List.of(), "_node._tcp.example.test"));
        assertEquals(1, groups.size());
        TargetGroup g = groups.getFirst();
        assertEquals("_node._tcp.example.test", g.source());
        assertEquals(Labels.EMPTY, g.labels());
        assertEquals(List.of(
                Labels.of("__address__", "web-1.example.test:9100", "__meta_dns_name", "_node._tcp.example.test",
                        "__meta_dns_srv_record_target", "web-1.example.test.", "__meta_dns_srv_record_port", "9100"),
                Labels.of("__address__", "web-2.example.test:9101", "__meta_dns_name", "_node._tcp.example.test",
                        "__meta_dns_srv_record_target", "web-2.example.test.", "__meta_dns_srv_record_port", "9101")),
                g.targets());
    }

    @Test
    void a_aaaa_mx_and_ns_records_take_the_configured_port() throws Exception {
        dns.set("www.example.test.", new CNAMERecord(n("www.example.test."), DClass.IN, 60, n("host.example.test.")),
                a("host.example.test.", "10.0.0.7"));
        dns.set("v6.example.test.", new AAAARecord(n("v6.example.test."), DClass.IN, 60, InetAddress.getByName("2001:db8:0:0:0:0:0:1")));
        dns.set("example.test.", new MXRecord(n("example.test."), DClass.IN, 60, 10, n("mail.example.test.")),
                new NSRecord(n("example.test."), DClass.IN, 60, n("ns1.example.test.")));

        // the CNAME of the chain is skipped, the A record of its target is a target
        assertEquals(List.of(Labels.of("__address__", "10.0.0.7:80", "__meta_dns_name", "www.example.test")),
                refresh(discoverer("A", 80, List.of(), "www.example.test")).getFirst().targets());
        assertEquals(List.of(Labels.of("__address__", "[2001:db8::1]:9090", "__meta_dns_name", "v6.example.test")),
                refresh(discoverer("AAAA", 9090, List.of(), "v6.example.test")).getFirst().targets());
        assertEquals(List.of(Labels.of("__address__", "mail.example.test:25", "__meta_dns_name", "example.test",
                        "__meta_dns_mx_record_target", "mail.example.test.")),
                refresh(discoverer("MX", 25, List.of(), "example.test")).getFirst().targets());
        assertEquals(List.of(Labels.of("__address__", "ns1.example.test:53", "__meta_dns_name", "example.test",
                        "__meta_dns_ns_record_target", "ns1.example.test.")),
                refresh(discoverer("NS", 53, List.of(), "example.test")).getFirst().targets());
    }

    @Test
    void a_relative_name_is_tried_under_the_search_domains() throws Exception {
        dns.set("app.lan.test.", a("app.lan.test.", "10.0.0.9"));
        List<TargetGroup> groups = refresh(discoverer("A", 8080, List.of("corp.test", "lan.test"), "app"));
        // "app" has fewer labels than ndots+1: the search domains come first, the bare name last
        assertEquals(List.of("app.corp.test. A", "app.lan.test. A"), dns.asked);
        assertEquals("app", groups.getFirst().source());
        assertEquals(Labels.of("__address__", "10.0.0.9:8080", "__meta_dns_name", "app"),
                groups.getFirst().targets().getFirst());
    }

    @Test
    void a_name_that_does_not_exist_removes_its_targets_and_a_failing_one_keeps_them() throws Exception {
        dns.set("svc.example.test.", a("svc.example.test.", "10.0.0.1"));
        DnsDiscoverer d = discoverer("A", 80, List.of(), "svc.example.test", "other.example.test");
        List<TargetGroup> first = refresh(d);
        // a name without any records is reported empty: that removes what it had
        assertEquals(2, first.size());
        assertEquals(1, first.get(0).targets().size());
        assertTrue(first.get(1).targets().isEmpty());
        assertEquals("", d.lastError());

        dns.failing.add(n("svc.example.test."));
        List<TargetGroup> second = refresh(d);
        // the failing name is left out of the report, so the set keeps its previous group
        assertEquals(List.of("other.example.test"), second.stream().map(TargetGroup::source).toList());
        assertTrue(d.lastError().contains("svc.example.test"), d.lastError());

        dns.failing.clear();
        dns.remove("svc.example.test.");
        List<TargetGroup> third = refresh(d);
        assertTrue(third.get(0).targets().isEmpty(), "NXDOMAIN: no targets any more");
    }

    @Test
    void a_dead_server_is_skipped_for_the_next_one() throws Exception {
        dns.set("svc.example.test.", a("svc.example.test.", "10.0.0.1"));
        InetSocketAddress dead;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        ResolvConf conf = dns.resolvConf(List.of(), 1, dead);
        DnsDiscoverer d = new DnsDiscoverer(new DnsSdConfig(List.of("svc.example.test"), 30_000, "A", 80), () -> conf, 300);
        assertEquals(1, refresh(d).getFirst().targets().size());
    }

    @Test
    void a_truncated_udp_answer_is_asked_again_over_tcp() {
        dns.truncateUdp = true;
        dns.set("_x._tcp.example.test.", srv("_x._tcp.example.test.", "a.example.test.", 1));
        List<TargetGroup> groups = refresh(discoverer("SRV", 0, List.of(), "_x._tcp.example.test"));
        assertEquals(1, groups.getFirst().targets().size());
        assertEquals(1, dns.udpQueries.get());
        assertEquals(1, dns.tcpQueries.get());
    }

    @Test
    void every_server_failing_keeps_the_previous_targets_with_an_error() {
        dns.failing.add(n("svc.example.test."));
        DnsDiscoverer d = discoverer("A", 80, List.of(), "svc.example.test");
        assertEquals(null, refresh(d), "nothing reported");
        assertTrue(d.lastError().contains("could not resolve \"svc.example.test\""), d.lastError());
    }

    @Test
    void started_discoverer_reports_changes_through_a_target_group_set() throws Exception {
        dns.set("svc.example.test.", a("svc.example.test.", "10.0.0.1"));
        ResolvConf conf = dns.resolvConf(List.of(), 1);
        List<List<TargetGroup>> published = new CopyOnWriteArrayList<>();
        DnsDiscoverer d = new DnsDiscoverer(new DnsSdConfig(List.of("svc.example.test"), 100, "A", 80), () -> conf, 500);
        try (TargetGroupSet set = new TargetGroupSet(List.of(d), published::add)) {
            set.start();
            awaitTargets(published, List.of("10.0.0.1:80"));
            dns.set("svc.example.test.", a("svc.example.test.", "10.0.0.1"), a("svc.example.test.", "10.0.0.2"));
            awaitTargets(published, List.of("10.0.0.1:80", "10.0.0.2:80"));
        }
    }

    private static void awaitTargets(List<List<TargetGroup>> published, List<String> addresses) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> last = List.of();
        while (System.nanoTime() < deadline) {
            if (!published.isEmpty()) {
                last = published.getLast().stream().flatMap(g -> g.targets().stream())
                        .map(t -> t.get("__address__")).toList();
                if (last.equals(addresses)) return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("targets " + last + ", expected " + addresses);
    }
}
