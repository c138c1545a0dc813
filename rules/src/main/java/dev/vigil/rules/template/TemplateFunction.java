package dev.vigil.rules.template;

import java.util.List;

/**
 * A function callable from a template, such as {@code humanize}. Arguments arrive evaluated, the piped value last.
 * Throwing makes the template fail with {@code error calling NAME: MESSAGE}, the exception's message.
 */
@FunctionalInterface
public interface TemplateFunction {
    Object apply(List<Object> args) throws Exception;
}
