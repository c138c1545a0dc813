package dev.vigil.ingest.discovery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** resolv.conf as Prometheus's DNS client reads it, the search-list candidates, and Go's text form of addresses. */
class ResolvConfTest {
    @Test
    void parses_servers_search_list_and_ndots() {
        ResolvConf c = ResolvConf.parse("""
                # generated
                ; also a comment
                nameserver 10.0.0.2
                nameserver fe80::1
                nameserver dns.example.test
                domain first.test
                search corp.test. lan.test
                options rotate ndots:20 timeout:1
                """, 53);
        assertEquals(List.of(new InetSocketAddress("10.0.0.2", 53), new InetSocketAddress("fe80::1", 53)), c.servers(),
                "a server given by name is skipped: resolving it would need DNS");
        assertEquals(List.of("corp.test", "lan.test"), c.search(), "the last search or domain line wins");
        assertEquals(15, c.ndots(), "clamped like Go's resolver");

        ResolvConf d = ResolvConf.parse("search a.test\ndomain b.test\noptions ndots:x\n", 53);
        assertEquals(List.of("b.test"), d.search());
        assertEquals(0, d.ndots(), "an unreadable ndots reads as 0, as Go's ignored Atoi error");
        assertEquals(1, ResolvConf.parse("", 53).ndots());
    }

    @Test
    void candidates_follow_ndots_and_the_search_list() {
        ResolvConf c = new ResolvConf(List.of(), List.of("corp.test", "lan.test"), 1);
        assertEquals(List.of("web.corp.test.", "web.lan.test.", "web."), c.candidates("web"));
        assertEquals(List.of("web.dc1.", "web.dc1.corp.test.", "web.dc1.lan.test."), c.candidates("web.dc1"));
        assertEquals(List.of("web.dc1."), c.candidates("web.dc1."), "an absolute name is asked as it is");
        ResolvConf two = new ResolvConf(List.of(), List.of("corp.test"), 2);
        assertEquals(List.of("web.dc1.corp.test.", "web.dc1."), two.candidates("web.dc1"));
        assertEquals(3, ResolvConf.labelCount("a.b.c."));
        assertEquals(0, ResolvConf.labelCount("."));
    }

    @Test
    void ipv6_text_is_compressed_like_go() throws Exception {
        String[][] table = {
                {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
                {"0:0:0:0:0:0:0:1", "::1"},
                {"0:0:0:0:0:0:0:0", "::"},
                {"1:0:0:0:0:0:0:0", "1::"},
                {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // one zero group stays
                {"1:0:0:2:0:0:0:3", "1:0:0:2::3"}, // the longest run
                {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"}, // the first of equal runs
                {"FE80:0:0:0:0ABC:0:0:1", "fe80::abc:0:0:1"},
                {"::ffff:10.1.2.3", "10.1.2.3"}, // IPv4-mapped reads as IPv4
        };
        for (String[] row : table) {
            byte[] b = InetAddress.getByName(row[0]).getAddress();
            if (b.length == 4) b = mapped(b);
            assertEquals(row[1], DnsClient.ipString(b), row[0]);
        }
        assertEquals("192.168.0.255", DnsClient.ipString(new byte[] {(byte) 192, (byte) 168, 0, (byte) 255}));
    }

    private static byte[] mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 255;
        b[11] = (byte) 255;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }

    @Test
    void ipv6_text_reads_back_to_the_same_address() {
        qt().withExamples(2_000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            byte[] b = new byte[16];
            // mostly zero groups, so that runs of every length and position come up
            for (int g = 0; g < 8; g++) {
                if (r.nextInt(3) > 0) continue;
                b[2 * g] = (byte) r.nextInt(256);
                b[2 * g + 1] = (byte) r.nextInt(256);
            }
            String s = DnsClient.ipString(b);
            byte[] back = InetAddress.ofLiteral(s).getAddress();
            if (back.length == 4) back = mapped(back);
            assertArrayEquals(b, back, s);
            assertTrue(s.indexOf("::") == s.lastIndexOf("::"), s);
            assertFalse(s.contains(":0:0:") && !s.contains("::"), "a run of zeros left uncompressed: " + s);
            assertEquals(s.toLowerCase(), s);
            assertFalse(Arrays.stream(s.split(":")).anyMatch(p -> p.length() > 1 && p.startsWith("0")), s);
        });
    }
}
