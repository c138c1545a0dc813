package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.rules.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The /api/v1/rules filters: type, rule_name[], rule_group[], file[], exclude_alerts. */
class RulesFilterTest {
    static final RulesApi.AlertInfo ALERT = new RulesApi.AlertInfo(Map.of("alertname", "A"), Map.of(), "firing", 1000,
            0, 1);
    static final List<RulesApi.GroupInfo> GROUPS = List.of(
            new RulesApi.GroupInfo("g1", "a.yml", 60_000, 0, 0, List.of(
                    new RulesApi.RuleInfo("recording", "r1", "x", 0, 0, Map.of(), Map.of(), null, List.of(), "ok",
                            null, 0, 0),
                    new RulesApi.RuleInfo("alerting", "A", "y > 0", 0, 0, Map.of(), Map.of(), "firing",
                            List.of(ALERT), "ok", null, 0, 0)), 0, 0),
            new RulesApi.GroupInfo("g2", "b.yml", 60_000, 0, 0, List.of(
                    new RulesApi.RuleInfo("recording", "r2", "z", 0, 0, Map.of(), Map.of(), null, List.of(), "ok",
                            null, 0, 0)), 0, 0));

    static List<String> names(RulesApi.RulesFilter f) {
        StringBuilder b = new StringBuilder();
        RulesApi.writeRules(b, GROUPS, f);
        Map<?, ?> data = (Map<?, ?>) Json.parse(b.toString());
        List<String> out = new java.util.ArrayList<>();
        for (Object g : (List<?>) data.get("groups")) {
            for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) out.add(((Map<?, ?>) g).get("name") + "/"
                    + ((Map<?, ?>) r).get("name"));
        }
        return out;
    }

    @Test
    void filters() {
        assertEquals(List.of("g1/r1", "g1/A", "g2/r2"), names(RulesApi.RulesFilter.ALL));
        assertEquals(List.of("g1/A"), names(new RulesApi.RulesFilter("alert", Set.of(), Set.of(), Set.of(), false)));
        assertEquals(List.of("g1/r1", "g2/r2"), names(new RulesApi.RulesFilter("record", Set.of(), Set.of(), Set.of(),
                false)));
        assertEquals(List.of("g2/r2"), names(new RulesApi.RulesFilter(null, Set.of("r2"), Set.of(), Set.of(), false)));
        assertEquals(List.of("g1/r1", "g1/A"), names(new RulesApi.RulesFilter(null, Set.of(), Set.of("g1"), Set.of(),
                false)));
        assertEquals(List.of("g2/r2"), names(new RulesApi.RulesFilter(null, Set.of(), Set.of(), Set.of("b.yml"), false)));
        assertThrows(IllegalArgumentException.class, () -> new RulesApi.RulesFilter("bogus", Set.of(), Set.of(),
                Set.of(), false));
        StringBuilder b = new StringBuilder();
        RulesApi.writeRules(b, GROUPS, RulesApi.RulesFilter.ALL);
        assertTrue(b.toString().contains("\"alerts\":["));
        b.setLength(0);
        RulesApi.writeRules(b, GROUPS, new RulesApi.RulesFilter(null, Set.of(), Set.of(), Set.of(), true));
        assertFalse(b.toString().contains("\"alerts\""), "exclude_alerts drops the alerts of alerting rules");
    }
}
