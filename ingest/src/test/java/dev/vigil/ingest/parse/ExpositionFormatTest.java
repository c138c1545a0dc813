package dev.vigil.ingest.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExpositionFormatTest {
    static Stream<Arguments> contentTypes() {
        return Stream.of(
                Arguments.of("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormat.OPENMETRICS_TEXT),
                Arguments.of("application/openmetrics-text;version=0.0.1", ExpositionFormat.OPENMETRICS_TEXT),
                Arguments.of("Application/OpenMetrics-Text", ExpositionFormat.OPENMETRICS_TEXT),
                Arguments.of("text/plain; version=0.0.4; charset=utf-8", ExpositionFormat.PROMETHEUS_TEXT),
                Arguments.of("text/plain;version=1.0.0;escaping=allow-utf-8", ExpositionFormat.PROMETHEUS_TEXT),
                Arguments.of("", ExpositionFormat.PROMETHEUS_TEXT),
                Arguments.of(null, ExpositionFormat.PROMETHEUS_TEXT),
                Arguments.of("application/json", ExpositionFormat.PROMETHEUS_TEXT));
    }

    @ParameterizedTest
    @MethodSource("contentTypes")
    void forContentType(String contentType, ExpositionFormat expected) {
        assertEquals(expected, ExpositionFormat.forContentType(contentType));
        assertEquals(expected, ExpositionFormat.forContentType(contentType).newParser().format());
    }

    @Test
    void acceptHeader_isWhatPrometheus3Sends_withoutProtobuf() {
        assertEquals("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                + "application/openmetrics-text;version=0.0.1;q=0.5,"
                + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2", ExpositionFormat.ACCEPT_HEADER);
    }
}
