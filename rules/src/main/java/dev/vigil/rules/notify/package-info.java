/** Sending alerts to Alertmanager's v2 API: a bounded queue, batches, retries, external labels and relabelling. */
package dev.vigil.rules.notify;
