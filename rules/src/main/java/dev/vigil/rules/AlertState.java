package dev.vigil.rules;

/** An alert's state; an alert that was firing and stopped is {@code INACTIVE} with a resolved time. */
public enum AlertState {
    INACTIVE("inactive"), PENDING("pending"), FIRING("firing");

    private final String text;

    AlertState(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public static AlertState of(String text) {
        for (AlertState s : values()) if (s.text.equals(text)) return s;
        throw new IllegalArgumentException("unknown alert state: " + text);
    }
}
