/** Minimal JSON writing and parsing for the rules module's API shapes, state file and Alertmanager client. */
package dev.vigil.rules.json;
