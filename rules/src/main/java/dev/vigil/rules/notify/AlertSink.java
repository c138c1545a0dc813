package dev.vigil.rules.notify;

import java.util.List;

/** Where rule evaluation hands alerts to be sent; must not block the evaluation (queue and return). */
@FunctionalInterface
public interface AlertSink {
    void send(List<NotifierAlert> alerts);
}
