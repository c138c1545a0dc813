package dev.vigil.rules;

/** A rule's health as /api/v1/rules shows it: {@code unknown} before the first evaluation, then {@code ok} or {@code err}. */
public enum RuleHealth {
    UNKNOWN("unknown"), OK("ok"), ERR("err");

    private final String text;

    RuleHealth(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
