package dev.vigil.rules.notify;

import dev.vigil.tsdb.Labels;
import java.util.Map;

/**
 * An alert as sent to Alertmanager (its v2 postableAlert): times in epoch millis; {@code endsAtMs} is the resolution
 * time for a resolved alert and a validity horizon for a firing one.
 */
public record NotifierAlert(Labels labels, Map<String, String> annotations, long startsAtMs, long endsAtMs,
                            String generatorUrl) {}
