package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JettyReferenceSizeTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE);
    }

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE);
        else System.setProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE, saved);
    }

    @Test
    void answersWhatJettyWouldAskJmxFor() {
        System.clearProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE);
        Server.tellJettyTheReferenceSize();
        boolean compressed = Boolean.parseBoolean(ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("UseCompressedOops").getValue());
        // Jetty's own rule: a 64-byte cache line holds 16 compressed references or 8 full ones
        assertEquals(compressed ? "16" : "8", System.getProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE));
    }

    @Test
    void leavesAValueTheUserSetAlone() {
        System.setProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE, "3");
        Server.tellJettyTheReferenceSize();
        assertEquals("3", System.getProperty(Server.JETTY_REFERENCES_PER_CACHE_LINE));
    }
}
