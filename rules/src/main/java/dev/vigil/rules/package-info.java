/** Recording and alerting rules, templates and notifiers. */
package dev.vigil.rules;
