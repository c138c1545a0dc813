package dev.vigil.rules.config;

import java.util.List;
import java.util.Map;

/**
 * One validated rule group as written in a rule file.
 *
 * @param file the rule file's path as given (the API shows it)
 * @param intervalMs evaluation interval; 0 means the global {@code evaluation_interval}
 * @param limit maximum series a recording rule or alerts an alerting rule may produce; 0 means no limit
 * @param queryOffsetMs how far in the past rules are evaluated; -1 means the global {@code rule_query_offset}
 * @param labels labels added to every rule of the group (a rule's own labels win)
 * @param line 1-based line of the group in the file
 */
public record RuleGroupConfig(String file, String name, long intervalMs, int limit, long queryOffsetMs,
                              Map<String, String> labels, List<RuleConfig> rules, int line) {}
