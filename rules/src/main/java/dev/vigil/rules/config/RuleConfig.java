package dev.vigil.rules.config;

import java.util.Map;

/**
 * One validated rule as written in a rule file. Label and annotation maps keep the file's order.
 *
 * @param name the {@code record} or {@code alert} name
 * @param forMs {@code for} (alerting rules), 0 when absent
 * @param keepFiringForMs {@code keep_firing_for} (alerting rules), 0 when absent
 * @param line 1-based line of the rule in the file
 */
public record RuleConfig(Kind kind, String name, String expr, long forMs, long keepFiringForMs,
                         Map<String, String> labels, Map<String, String> annotations, int line) {
    public enum Kind { RECORD, ALERT }
}
