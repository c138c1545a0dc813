/** Rule unit tests in promtool's format, and the in-memory storage they run on. */
package dev.vigil.rules.unittest;
