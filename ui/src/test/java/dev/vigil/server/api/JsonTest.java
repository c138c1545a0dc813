package dev.vigil.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sample values and timestamps exactly as Prometheus's jsonutil writes them (expected values from Go). */
class JsonTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|0", "-0.0|-0", "1|1", "-2|-2", "0.5|0.5", "0.1|0.1", "1.5e-6|0.0000015", "1e-6|0.000001", "9.99e-7|9.99e-07",
        "1e-7|1e-07", "123456.789|123456.789", "1e15|1000000000000000", "1.2345678901234567e20|123456789012345670000",
        "1e21|1e+21", "1.5e300|1.5e+300", "0.6666666666666666|0.6666666666666666",
        "NaN|NaN", "Infinity|+Inf", "-Infinity|-Inf", "33.333333333333336|33.333333333333336"})
    void valuesAsGoFormatsThem(String in, String expected) {
        assertEquals(expected, Json.formatValue(Double.parseDouble(in)));
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1000,1", "1500,1.500", "1001,1.001", "1010,1.010", "-1500,-1.500", "1700000000123,1700000000.123"})
    void timestampsAsGoFormatsThem(long ms, String expected) {
        StringBuilder sb = new StringBuilder();
        Json.appendTimestamp(sb, ms);
        assertEquals(expected, sb.toString());
    }
}
