// Status pages: targets, service discovery, rules, alerts, runtime and build info, flags, config, TSDB.
import { api } from './api.js';
import { h, alertBox } from './util.js';

async function pending(el, title) {
  el.append(h('h1', title), alertBox('info', 'This page is being built.'));
}
export const renderTargets = (el) => pending(el, 'Targets');
export const renderServiceDiscovery = (el) => pending(el, 'Service discovery');
export const renderRules = (el) => pending(el, 'Rules');
export const renderAlerts = (el) => pending(el, 'Alerts');
export const renderStatus = (el) => pending(el, 'Runtime and build information');
export const renderFlags = (el) => pending(el, 'Command-line flags');
export const renderConfig = (el) => pending(el, 'Configuration');
export const renderTsdbStatus = (el) => pending(el, 'TSDB status');
void api;
