package dev.vigil.query.ast;

import java.util.List;
import java.util.Objects;

/**
 * A PromQL function signature, as Prometheus's {@code parser.Function}. {@code variadic} is 0 for a fixed arity, n &gt; 0
 * when the last argument type may appear 0 to n times, and -1 when it may repeat without bound (it must then appear
 * at least once, except as noted by the minimum {@code argTypes.size() - 1}).
 */
public record Function(String name, List<ValueType> argTypes, int variadic, ValueType returnType, boolean experimental) {
    public Function {
        Objects.requireNonNull(name);
        argTypes = List.copyOf(argTypes);
        Objects.requireNonNull(returnType);
    }

    /** The fewest arguments a call may pass. */
    public int minArgs() {
        return variadic == 0 ? argTypes.size() : argTypes.size() - 1;
    }

    /** The most arguments a call may pass, {@link Integer#MAX_VALUE} when unbounded. */
    public int maxArgs() {
        if (variadic < 0) {
            return Integer.MAX_VALUE;
        }
        return variadic == 0 ? argTypes.size() : argTypes.size() - 1 + variadic;
    }

    /** The expected type of the argument at {@code index}; the last type repeats for variadic functions. */
    public ValueType argType(int index) {
        return argTypes.get(Math.min(index, argTypes.size() - 1));
    }
}
