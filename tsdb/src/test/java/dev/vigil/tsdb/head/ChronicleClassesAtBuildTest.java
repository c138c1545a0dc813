package dev.vigil.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChronicleClassesAtBuildTest {
    /**
     * The build put Chronicle Map's generated class on the classpath (a file in the tsdb classes),
     * so opening the series dictionary finds it instead of compiling it with javac at start-up.
     */
    @Test
    void chronicle_generated_class_comes_from_the_build() throws ClassNotFoundException {
        Class<?> c = Class.forName("net.openhft.chronicle.hash.VanillaGlobalMutableState$$Native", false,
                ChronicleClassesAtBuildTest.class.getClassLoader());
        var source = c.getProtectionDomain().getCodeSource();
        assertNotNull(source, "defined at run time, not loaded from the classpath");
        String where = source.getLocation().toString();
        assertTrue(where.contains("tsdb"), "loaded from " + where);
    }
}
