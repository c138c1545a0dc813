/** The Go text/template subset used in rule labels and annotations, with Prometheus's template functions. */
package dev.vigil.rules.template;
