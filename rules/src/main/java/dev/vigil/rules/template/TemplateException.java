package dev.vigil.rules.template;

/**
 * A template that does not parse or fails while executing. The message is shaped like Go's text/template errors
 * ({@code template: __alert_X:1: unclosed action}), because Prometheus shows those in annotations and promtool output.
 */
public final class TemplateException extends Exception {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
        super(message);
    }

    static TemplateException of(String message) {
        return new TemplateException(message);
    }
}
