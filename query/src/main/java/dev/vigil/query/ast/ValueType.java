package dev.vigil.query.ast;

/** The type of a PromQL expression's value. */
public enum ValueType {
    SCALAR("scalar", "scalar"),
    VECTOR("vector", "instant vector"),
    MATRIX("matrix", "range vector"),
    STRING("string", "string");

    private final String shortName;
    private final String documentedName;

    ValueType(String shortName, String documentedName) {
        this.shortName = shortName;
        this.documentedName = documentedName;
    }

    /** The name Prometheus uses in API results ({@code "vector"}, {@code "matrix"} ...). */
    public String shortName() {
        return shortName;
    }

    /** The name in Prometheus's documentation and error messages ({@code "instant vector"}, {@code "range vector"}). */
    public String documentedName() {
        return documentedName;
    }
}
