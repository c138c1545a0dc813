// Dashboards in Grafana's JSON model.
import { h, alertBox } from './util.js';

export async function renderList(el) {
  el.append(h('h1', 'Dashboards'), alertBox('info', 'This page is being built.'));
}
export async function renderDashboard(el) {
  el.append(h('h1', 'Dashboard'), alertBox('info', 'This page is being built.'));
}
