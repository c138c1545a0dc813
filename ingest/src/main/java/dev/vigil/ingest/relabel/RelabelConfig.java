package dev.vigil.ingest.relabel;

import java.util.List;
import java.util.Objects;

/**
 * One relabeling rule, as in a {@code relabel_config} block of {@code prometheus.yml}.
 *
 * <p>{@code null} components take Prometheus's defaults: separator {@code ";"}, regex {@code
 * (.*)}, replacement {@code $1}, action {@code replace}, no source labels, no target label,
 * {@link NameValidationScheme#UTF8}. A modulus of 0 means unset. The canonical constructor
 * validates the rule like Prometheus's {@code Config.Validate} and throws {@link
 * IllegalArgumentException} with Prometheus's message (e.g. {@code "relabel configuration for
 * hashmod requires non-zero modulus"}); a constructed instance is therefore always valid.
 *
 * @param sourceLabels label names whose values are joined with {@code separator}
 * @param separator placed between source values
 * @param targetLabel the label written by replace, hashmod, lowercase, uppercase; compared by
 *     keepequal, dropequal; may contain {@code $1}-style references for replace
 * @param regex anchored RE2 regex matched against the joined values (or label names)
 * @param modulus for hashmod, treated as unsigned 64-bit; 0 when unset
 * @param replacement expansion template for replace and labelmap
 * @param action what the rule does
 * @param nameValidation how produced label names are validated
 */
public record RelabelConfig(
        List<String> sourceLabels,
        String separator,
        String targetLabel,
        RelabelRegex regex,
        long modulus,
        String replacement,
        RelabelAction action,
        NameValidationScheme nameValidation) {

    public static final String DEFAULT_SEPARATOR = ";";
    public static final String DEFAULT_REPLACEMENT = "$1";

    /** Applies defaults and validates; see the class comment. */
    public RelabelConfig {
        sourceLabels = sourceLabels == null ? List.of() : List.copyOf(sourceLabels);
        separator = separator == null ? DEFAULT_SEPARATOR : separator;
        targetLabel = targetLabel == null ? "" : targetLabel;
        regex = regex == null ? RelabelRegex.DEFAULT : regex;
        replacement = replacement == null ? DEFAULT_REPLACEMENT : replacement;
        action = action == null ? RelabelAction.REPLACE : action;
        nameValidation = nameValidation == null ? NameValidationScheme.UTF8 : nameValidation;
        validate(sourceLabels, separator, targetLabel, regex, modulus, replacement, action, nameValidation);
    }

    /** A builder starting from Prometheus's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static void validate(
            List<String> sourceLabels, String separator, String targetLabel, RelabelRegex regex, long modulus,
            String replacement, RelabelAction action, NameValidationScheme scheme) {
        if (modulus == 0 && action == RelabelAction.HASHMOD) {
            throw invalid("relabel configuration for hashmod requires non-zero modulus");
        }
        boolean needsTarget = switch (action) {
            case REPLACE, HASHMOD, LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
            default -> false;
        };
        if (needsTarget && targetLabel.isEmpty()) {
            throw invalid("relabel configuration for " + action + " action requires 'target_label' value");
        }
        boolean hasVar = targetLabel.contains("$");
        if (action == RelabelAction.REPLACE && !hasVar && !scheme.isValidLabelName(targetLabel)) {
            throw invalidTarget(targetLabel, action);
        }
        if (action == RelabelAction.REPLACE && hasVar && !isValidNameWithVariables(targetLabel, scheme)) {
            throw invalidTarget(targetLabel, action);
        }
        boolean fixedTarget = switch (action) {
            case LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL, HASHMOD -> true;
            default -> false;
        };
        if (fixedTarget && !scheme.isValidLabelName(targetLabel)) {
            throw invalidTarget(targetLabel, action);
        }
        boolean noReplacement = switch (action) {
            case LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
            default -> false;
        };
        if (noReplacement && !replacement.equals(DEFAULT_REPLACEMENT)) {
            throw invalid("'replacement' can not be set for " + action + " action");
        }
        if (action == RelabelAction.LABELMAP && !isValidNameWithVariables(replacement, scheme)) {
            throw invalid(quote(replacement) + " is invalid 'replacement' for " + action + " action");
        }
        if ((action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL)
                && (!regex.equals(RelabelRegex.DEFAULT) || modulus != 0 || !separator.equals(DEFAULT_SEPARATOR))) {
            throw invalid(action + " action requires only 'source_labels' and `target_label`, and no other fields");
        }
        if ((action == RelabelAction.LABELDROP || action == RelabelAction.LABELKEEP)
                && (!sourceLabels.isEmpty() || !targetLabel.isEmpty() || modulus != 0
                        || !separator.equals(DEFAULT_SEPARATOR) || !replacement.equals(DEFAULT_REPLACEMENT))) {
            throw invalid(action + " action requires only 'regex', and no other fields");
        }
        for (String s : sourceLabels) {
            if (s == null || s.isEmpty() || !NameValidationScheme.isValidUtf16(s)) {
                throw invalid("invalid source label name " + quote(String.valueOf(s)));
            }
        }
    }

    /**
     * Prometheus's check for a name that may hold {@code $var} references: with UTF-8 names any
     * non-empty valid string passes; with legacy names the name must match {@code
     * ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$}.
     */
    static boolean isValidNameWithVariables(String s, NameValidationScheme scheme) {
        if (scheme == NameValidationScheme.UTF8) return scheme.isValidLabelName(s);
        return LEGACY_TARGET.matches(s);
    }

    private static final RelabelRegex LEGACY_TARGET = RelabelRegex.of("(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+");

    private static IllegalArgumentException invalidTarget(String target, RelabelAction action) {
        return invalid(quote(target) + " is invalid 'target_label' for " + action + " action");
    }

    private static IllegalArgumentException invalid(String msg) {
        return new IllegalArgumentException(msg);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** Mutable builder over Prometheus's defaults; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private List<String> sourceLabels = List.of();
        private String separator = DEFAULT_SEPARATOR;
        private String targetLabel = "";
        private RelabelRegex regex = RelabelRegex.DEFAULT;
        private long modulus;
        private String replacement = DEFAULT_REPLACEMENT;
        private RelabelAction action = RelabelAction.REPLACE;
        private NameValidationScheme nameValidation = NameValidationScheme.UTF8;

        public Builder sourceLabels(String... names) {
            this.sourceLabels = List.of(names);
            return this;
        }

        public Builder separator(String s) {
            this.separator = Objects.requireNonNull(s);
            return this;
        }

        public Builder targetLabel(String s) {
            this.targetLabel = Objects.requireNonNull(s);
            return this;
        }

        /** @throws IllegalArgumentException when the regex does not compile */
        public Builder regex(String s) {
            this.regex = RelabelRegex.of(s);
            return this;
        }

        public Builder modulus(long m) {
            this.modulus = m;
            return this;
        }

        public Builder replacement(String s) {
            this.replacement = Objects.requireNonNull(s);
            return this;
        }

        public Builder action(RelabelAction a) {
            this.action = Objects.requireNonNull(a);
            return this;
        }

        public Builder nameValidation(NameValidationScheme s) {
            this.nameValidation = Objects.requireNonNull(s);
            return this;
        }

        public RelabelConfig build() {
            return new RelabelConfig(sourceLabels, separator, targetLabel, regex, modulus, replacement, action, nameValidation);
        }
    }
}
