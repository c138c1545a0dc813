package dev.vigil.ingest.relabel;

import static dev.vigil.ingest.relabel.RelabelAction.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Labels;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Cases ported from Prometheus's model/relabel/relabel_test.go (TestRelabel, TestRelabelValidate). */
class RelabelTest {

    record Case(String name, Labels input, List<RelabelConfig> rules, Labels output) {
        @Override
        public String toString() {
            return name;
        }
    }

    static RelabelConfig.Builder rule(RelabelAction a) {
        return RelabelConfig.builder().action(a);
    }

    static Case keep(String name, Labels in, Labels out, RelabelConfig.Builder... rules) {
        return new Case(name, in, Stream.of(rules).map(RelabelConfig.Builder::build).toList(), out);
    }

    static Case dropped(String name, Labels in, RelabelConfig.Builder... rules) {
        return keep(name, in, null, rules);
    }

    static Stream<Case> cases() {
        Labels abc = Labels.of("a", "foo", "b", "bar", "c", "baz");
        Labels ports = Labels.of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678");
        Labels lines = Labels.of("a", "line1\nline2", "b", "bar", "c", "baz");
        return Stream.of(
                keep("replace with ${1}", abc, Labels.of("a", "foo", "b", "bar", "c", "baz", "d", "choo-choo"),
                        rule(REPLACE).sourceLabels("a").regex("f(.*)").targetLabel("d").replacement("ch${1}-ch${1}")),
                keep("two replaces over joined sources", abc, Labels.of("a", "boobam", "b", "bar", "c", "baz", "d", "boooom"),
                        rule(REPLACE).sourceLabels("a", "b").regex("f(.*);(.*)r").targetLabel("a").replacement("b${1}${2}m"),
                        rule(REPLACE).sourceLabels("c", "a").regex("(b).*b(.*)ba(.*)").targetLabel("d").replacement("$1$2$2$3")),
                dropped("drop then replace", Labels.of("a", "foo"),
                        rule(DROP).sourceLabels("a").regex(".*o.*"),
                        rule(REPLACE).sourceLabels("a").regex("f(.*)").targetLabel("d").replacement("ch$1-ch$1")),
                dropped("drop matching", Labels.of("a", "foo", "b", "bar"), rule(DROP).sourceLabels("a").regex(".*o.*")),
                keep("group in the middle", Labels.of("a", "abc"), Labels.of("a", "abc", "d", "b"),
                        rule(REPLACE).sourceLabels("a").regex(".*(b).*").targetLabel("d").replacement("$1")),
                keep("drop not matching", Labels.of("a", "foo"), Labels.of("a", "foo"), rule(DROP).sourceLabels("a").regex("no-match")),
                keep("drop regex is anchored", Labels.of("a", "foo"), Labels.of("a", "foo"), rule(DROP).sourceLabels("a").regex("f|o")),
                dropped("keep not matching", Labels.of("a", "foo"), rule(KEEP).sourceLabels("a").regex("no-match")),
                keep("keep matching", Labels.of("a", "foo"), Labels.of("a", "foo"), rule(KEEP).sourceLabels("a").regex("f.*")),
                keep("no replacement without a match", Labels.of("a", "boo"), Labels.of("a", "boo"),
                        rule(REPLACE).sourceLabels("a").regex("f").targetLabel("b").replacement("bar")),
                keep("blank replacement deletes the label", Labels.of("a", "foo", "f", "baz"), Labels.of("a", "foo"),
                        rule(REPLACE).sourceLabels("a").regex("(f).*").targetLabel("$1").replacement("$2")),
                keep("hashmod 1000 of baz", abc, Labels.of("a", "foo", "b", "bar", "c", "baz", "d", "976"),
                        rule(HASHMOD).sourceLabels("c").targetLabel("d").modulus(1000)),
                keep("hashmod 1000 of foo\\nbar", Labels.of("a", "foo\nbar"), Labels.of("a", "foo\nbar", "b", "734"),
                        rule(HASHMOD).sourceLabels("a").targetLabel("b").modulus(1000)),
                keep("labelmap with prefix", Labels.of("a", "foo", "b1", "bar", "b2", "baz"),
                        Labels.of("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz"),
                        rule(LABELMAP).regex("(b.*)").replacement("bar_${1}")),
                keep("labelmap of __meta_", Labels.of("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc"),
                        Labels.of("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb", "__meta_other", "ccc", "my_bar", "aaa", "my_baz", "bbb"),
                        rule(LABELMAP).regex("__meta_(my.*)").replacement("${1}")),
                keep("target label from a group", Labels.of("a", "some-name-value"), Labels.of("a", "some-name-value", "name", "value"),
                        rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${2}").targetLabel("${1}")),
                keep("replacement of a missing group is empty", Labels.of("a", "some-name-value"), Labels.of("a", "some-name-value"),
                        rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${3}").targetLabel("${1}")),
                keep("target label of a missing group is skipped", Labels.of("a", "some-name-0"), Labels.of("a", "some-name-0"),
                        rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("${3}"),
                        rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("${3}"),
                        rule(REPLACE).sourceLabels("a").regex("some-([^-]+)(-[^,]+)").replacement("${1}").targetLabel("${3}")),
                keep("real-life tags", Labels.of("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar"),
                        Labels.of("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar", "__metrics_path__", "/secret", "job", "some-job", "foo", "bar"),
                        rule(REPLACE).sourceLabels("__meta_sd_tags").regex("(?:.+,|^)path:(/[^,]+).*").replacement("${1}").targetLabel("__metrics_path__"),
                        rule(REPLACE).sourceLabels("__meta_sd_tags").regex("(?:.+,|^)job:([^,]+).*").replacement("${1}").targetLabel("job"),
                        rule(REPLACE).sourceLabels("__meta_sd_tags").regex("(?:.+,|^)label:([^=]+)=([^,]+).*").replacement("${2}").targetLabel("${1}")),
                keep("issue 12283", Labels.of("__meta_kubernetes_pod_container_port_name", "foo", "__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091"),
                        Labels.of("__meta_kubernetes_pod_annotation_XXX_metrics_port", "9091", "__meta_kubernetes_pod_container_port_name", "metrics"),
                        rule(LABELDROP).regex("^__meta_kubernetes_pod_container_port_name$"),
                        rule(REPLACE).sourceLabels("__meta_kubernetes_pod_annotation_XXX_metrics_port").regex("(.+)").replacement("metrics")
                                .targetLabel("__meta_kubernetes_pod_container_port_name"),
                        rule(KEEP).sourceLabels("__meta_kubernetes_pod_container_port_name").regex("^metrics$")),
                keep("labelkeep", Labels.of("a", "foo", "b1", "bar", "b2", "baz"), Labels.of("b1", "bar", "b2", "baz"), rule(LABELKEEP).regex("(b.*)")),
                keep("labeldrop", Labels.of("a", "foo", "b1", "bar", "b2", "baz"), Labels.of("a", "foo"), rule(LABELDROP).regex("(b.*)")),
                keep("upper and lower case", Labels.of("foo", "bAr123Foo"), Labels.of("foo", "bAr123Foo", "foo_lowercase", "bar123foo", "foo_uppercase", "BAR123FOO"),
                        rule(UPPERCASE).sourceLabels("foo").targetLabel("foo_uppercase"),
                        rule(LOWERCASE).sourceLabels("foo").targetLabel("foo_lowercase")),
                keep("keepequal equal", ports, ports, rule(KEEPEQUAL).sourceLabels("__tmp_port").targetLabel("__port1")),
                dropped("dropequal equal", ports, rule(DROPEQUAL).sourceLabels("__tmp_port").targetLabel("__port1")),
                keep("dropequal different", ports, ports, rule(DROPEQUAL).sourceLabels("__tmp_port").targetLabel("__port2")),
                dropped("keepequal different", ports, rule(KEEPEQUAL).sourceLabels("__tmp_port").targetLabel("__port2")),
                keep("dot matches newline", lines, Labels.of("a", "line1\nline2", "b", "bar", "c", "baz", "d", "match"),
                        rule(REPLACE).sourceLabels("a").regex("line1.*line2").targetLabel("d").replacement("match${1}")),
                keep("UTF-8 source label", Labels.of("utf-8.label", "line1\nline2", "b", "bar", "c", "baz"),
                        Labels.of("utf-8.label", "line1\nline2", "b", "bar", "c", "baz", "d", "match"),
                        rule(REPLACE).sourceLabels("utf-8.label").regex("line1.*line2").targetLabel("d").replacement("match${1}")),
                keep("UTF-8 target label", lines, Labels.of("a", "line1\nline2", "b", "bar", "c", "baz", "utf-8.label", "match"),
                        rule(REPLACE).sourceLabels("a").regex("line1.*line2").targetLabel("utf-8.label").replacement("match${1}")),
                keep("UTF-8 target label with a variable", lines, Labels.of("a", "line1\nline2", "b", "bar", "c", "baz", "utf-8.label", "match"),
                        rule(REPLACE).sourceLabels("a").regex("line1.*line2").targetLabel("utf-8.label${1}").replacement("match${1}")),
                keep("named groups and $var styles", lines,
                        Labels.of("a", "line1\nline2", "b", "bar", "c", "baz", "label1_line1", "val_line2", "label2_line1", "val_line2"),
                        rule(REPLACE).sourceLabels("a").regex("(line1).*(?<second>line2)").targetLabel("label1_${1}").replacement("val_${second}"),
                        rule(REPLACE).sourceLabels("a").regex("(line1).*(?<second>line2)").targetLabel("label2_$1").replacement("val_$second")),
                keep("__type__ from name", Labels.of("__name__", "http_requests_total"), Labels.of("__name__", "http_requests_total", "__type__", "counter"),
                        rule(REPLACE).sourceLabels("__name__").regex(".*_total$").targetLabel("__type__").replacement("counter")),
                keep("__unit__ from name", Labels.of("__name__", "disk_usage_bytes"), Labels.of("__name__", "disk_usage_bytes", "__unit__", "bytes"),
                        rule(REPLACE).sourceLabels("__name__").regex(".*_bytes$").targetLabel("__unit__").replacement("bytes")),
                // Ours, beyond the ported table.
                keep("static label without source", Labels.of("a", "1"), Labels.of("a", "1", "env", "prod"), rule(REPLACE).targetLabel("env").replacement("prod")),
                keep("$$ is a literal dollar; $1x is the (missing) group 1x", Labels.of("a", "v"), Labels.of("a", "v", "t", "$v-"),
                        rule(REPLACE).sourceLabels("a").regex("(.*)").targetLabel("t").replacement("$$$1-$1x")),
                keep("malformed ${ stays as text", Labels.of("a", "v"), Labels.of("a", "v", "t", "${1"),
                        rule(REPLACE).sourceLabels("a").targetLabel("t").replacement("${1")),
                keep("hashmod with modulus 3 on an address", Labels.of("__address__", "10.132.183.40:80"),
                        Labels.of("__address__", "10.132.183.40:80", "__tmp_hash", Long.toString(Relabel.hashMod("10.132.183.40:80", 3))),
                        rule(HASHMOD).sourceLabels("__address__").targetLabel("__tmp_hash").modulus(3)),
                keep("legacy scheme skips an invalid expanded target", Labels.of("a", "x.y"), Labels.of("a", "x.y"),
                        rule(REPLACE).sourceLabels("a").regex("(.*)").targetLabel("${1}").nameValidation(NameValidationScheme.LEGACY)),
                keep("UTF-8 scheme accepts the same target", Labels.of("a", "x.y"), Labels.of("a", "x.y", "x.y", "x.y"),
                        rule(REPLACE).sourceLabels("a").regex("(.*)").targetLabel("${1}")),
                keep("labeldrop of everything gives the empty set", Labels.of("a", "1"), Labels.EMPTY, rule(LABELDROP).regex(".*")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void process(Case c) {
        Labels got = Relabel.process(c.input(), c.rules());
        if (c.output() == null) {
            assertNull(got, "expected the set to be dropped");
        } else {
            assertEquals(c.output(), got);
        }
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of(rule(REPLACE), "requires 'target_label' value"),
                Arguments.of(rule(LOWERCASE), "requires 'target_label' value"),
                Arguments.of(rule(LOWERCASE).targetLabel("${3}").nameValidation(NameValidationScheme.LEGACY),
                        "\"${3}\" is invalid 'target_label' for lowercase action"),
                Arguments.of(rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("0${3}")
                        .nameValidation(NameValidationScheme.LEGACY), "\"0${3}\" is invalid 'target_label'"),
                Arguments.of(rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("-${3}")
                        .nameValidation(NameValidationScheme.LEGACY), "\"-${3}\" is invalid 'target_label' for replace action"),
                Arguments.of(rule(REPLACE).targetLabel("a.b").nameValidation(NameValidationScheme.LEGACY), "\"a.b\" is invalid 'target_label' for replace action"),
                Arguments.of(rule(HASHMOD).sourceLabels("a").targetLabel("t"), "relabel configuration for hashmod requires non-zero modulus"),
                Arguments.of(rule(HASHMOD).sourceLabels("a").modulus(2), "relabel configuration for hashmod action requires 'target_label' value"),
                Arguments.of(rule(UPPERCASE).sourceLabels("a").targetLabel("t").replacement("x"), "'replacement' can not be set for uppercase action"),
                Arguments.of(rule(KEEPEQUAL).sourceLabels("a").targetLabel("t").regex("x"),
                        "keepequal action requires only 'source_labels' and `target_label`, and no other fields"),
                Arguments.of(rule(DROPEQUAL).sourceLabels("a").targetLabel("t").separator(","),
                        "dropequal action requires only 'source_labels' and `target_label`, and no other fields"),
                Arguments.of(rule(LABELDROP).regex("a").sourceLabels("x"), "labeldrop action requires only 'regex', and no other fields"),
                Arguments.of(rule(LABELKEEP).regex("a").targetLabel("x"), "labelkeep action requires only 'regex', and no other fields"),
                Arguments.of(rule(LABELKEEP).regex("a").replacement("y"), "labelkeep action requires only 'regex', and no other fields"),
                Arguments.of(rule(LABELMAP).regex("(.*)").replacement("-$1").nameValidation(NameValidationScheme.LEGACY),
                        "\"-$1\" is invalid 'replacement' for labelmap action"));
    }

    @ParameterizedTest
    @MethodSource("invalidConfigs")
    void validate_invalidConfig_throwsPrometheusMessage(RelabelConfig.Builder b, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains(expected), () -> "message: " + e.getMessage());
    }

    static Stream<RelabelConfig.Builder> validConfigs() {
        return Stream.of(
                rule(LOWERCASE).targetLabel("${3}"), // legal with UTF-8 names
                rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("${3}"),
                rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("0${3}"),
                rule(REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)").replacement("${1}").targetLabel("-${3}"),
                rule(LABELMAP).regex("__meta_kubernetes_pod_label_(strimzi_io_.+)").replacement("$1").nameValidation(NameValidationScheme.LEGACY),
                rule(LABELMAP).regex("__meta_(.+)").replacement("${1}").nameValidation(NameValidationScheme.LEGACY),
                rule(LABELDROP).regex("tmp_.*"));
    }

    @ParameterizedTest
    @MethodSource("validConfigs")
    void validate_validConfig_builds(RelabelConfig.Builder b) {
        b.build();
    }

    @Test
    void legacyTargetLabelValidity() {
        record T(String s, boolean valid) {}
        for (T t : List.of(new T("-label", false), new T("label", true), new T("label${1}", true), new T("${1}label", true),
                new T("${1}", true), new T("${", false), new T("$", false), new T("${}", false), new T("foo${", false),
                new T("$1", true), new T("asd$2asd", true), new T("-foo${1}bar-", false), new T("bar.foo${1}bar", false),
                new T("_${1}_", true), new T("foo${bar}foo", true))) {
            assertEquals(t.valid(), RelabelConfig.isValidNameWithVariables(t.s(), NameValidationScheme.LEGACY), t.s());
        }
    }

    @Test
    void invalidRegex_namesTheRegex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelabelRegex.of("(a"));
        assertTrue(e.getMessage().startsWith("invalid relabel regex \"(a\""), e.getMessage());
    }

    @Test
    void action_parse_isCaseInsensitive() {
        assertEquals(LABELDROP, RelabelAction.parse("LabelDrop"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelabelAction.parse("nope"));
        assertEquals("unknown relabel action \"nope\"", e.getMessage());
    }
}
