// Dashboards in Grafana's JSON model: the list with uploads (file, drag and drop, paste), and one
// dashboard drawn on Grafana's 24-column grid with rows, template variables, a time range and
// auto-refresh kept in the URL. Every panel queries on its own, so one broken panel shows its
// error while the others draw; time series ending at "now" stay current through live.js.
import { api, url, rangeQuery, instantQuery, ApiError } from './api.js';
import { h, alertBox, parseDuration, formatDuration, legendText } from './util.js';

// The drawing modules load while the dashboard's JSON is fetched (renderDashboard), not before:
// one round trip less before the first query, and the list page does not load them at all.
let matrixToData, sampleNumber, liveRange, gridIncrement, renderPanel, needsData, PanelProblem, RENDERERS, regexFromGrafana;

async function loadDrawingModules() {
  const [graph, live, panels] = await Promise.all([import('./graph.js'), import('./live.js'), import('./panels.js')]);
  ({ matrixToData, sampleNumber } = graph);
  ({ liveRange, gridIncrement } = live);
  ({ renderPanel, needsData, PanelProblem, RENDERERS, regexFromGrafana } = panels);
}

const API = '/api/v1/vigil/dashboards';

// ---------------------------------------------------------------------------------------------
// The list page

/** POSTs a dashboard's JSON text; resolves to {uid, title, source}, rejects with the server's message. */
async function uploadDashboard(text) {
  return send(API, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
}

async function send(path, init) {
  let res;
  try {
    res = await fetch(url(path), init);
  } catch (e) {
    throw new ApiError('unavailable', `cannot reach Vigil: ${e.message}`, 0);
  }
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError('bad_response', `${path} answered ${res.status} ${res.statusText} without JSON`, res.status);
  }
  if (json.status !== 'success') throw new ApiError(json.errorType ?? 'error', json.error ?? `HTTP ${res.status}`, res.status);
  return json.data;
}

export async function renderList(el) {
  el.classList.add('dash-list-page');
  const status = h('div.dash-upload-status', { 'aria-live': 'polite' });
  const fileInput = h('input.dash-file', { type: 'file', accept: '.json,application/json', multiple: true });
  const paste = h('textarea.dash-paste.mono', { rows: 3, placeholder: 'or paste a dashboard JSON here', spellcheck: false });
  const pasteButton = h('button.primary', { type: 'button' }, 'Upload pasted JSON');
  const drop = h('div.dash-drop',
    h('div', h('b', 'Upload a Grafana dashboard: '), 'drop its JSON file here, or choose one: ', fileInput),
    h('div.dash-paste-row', paste, pasteButton),
    h('div.muted', 'Grafana\'s export (with or without "Export for sharing externally") works as it is; data source inputs are ignored, Vigil is the data source.'));
  const filter = h('input.dash-filter', { type: 'search', placeholder: 'Filter by title or tag' });
  const listBox = h('div.dash-list', h('p.muted.loading', 'Loading…'));
  el.append(h('h1', 'Dashboards'), h('div.card.dash-upload', drop, status), h('div.toolbar', filter), listBox);

  let entries = [];
  async function reload() {
    try {
      entries = await api(API);
      draw();
    } catch (e) {
      listBox.replaceChildren(alertBox('error', `Cannot list dashboards: ${e.message}`));
    }
  }
  function draw() {
    const q = filter.value.trim().toLowerCase();
    const shown = entries.filter((d) => !q || d.title.toLowerCase().includes(q) || d.tags.some((t) => t.toLowerCase().includes(q)));
    if (!shown.length) {
      listBox.replaceChildren(h('p.muted', entries.length ? 'No dashboard matches.' : 'No dashboards yet.'));
      return;
    }
    listBox.replaceChildren(h('table.data.dash-table',
      h('thead', h('tr', h('th', 'Title'), h('th', 'Tags'), h('th', 'Source'), h('th', ''))),
      h('tbody', shown.map((d) => h('tr', { dataset: { uid: d.uid } },
        h('td', d.error ? [h('span', d.title), h('div.dash-file-error', d.error)]
          : h('a', { href: url(`/dashboards/${encodeURIComponent(d.uid)}`), 'data-link': '' }, d.title)),
        h('td', d.tags.map((t) => h('span.badge', t))),
        h('td', h(`span.badge.src-${d.source}`, d.source === 'builtin' ? 'built-in' : d.source)),
        h('td.dash-actions',
          d.error ? null : h('button', { type: 'button', title: 'Download the JSON', onclick: () => download(d) }, 'Export'),
          d.source === 'uploaded' ? h('button', { type: 'button', onclick: () => remove(d) }, 'Delete') : null))))));
  }
  async function download(d) {
    try {
      const model = await api(`${API}/${encodeURIComponent(d.uid)}`);
      const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(model, null, 2)], { type: 'application/json' })), download: `${d.uid}.json` });
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (e) {
      status.replaceChildren(alertBox('error', `Cannot export "${d.title}": ${e.message}`));
    }
  }
  async function remove(d) {
    if (!confirm(`Delete the dashboard "${d.title}"?`)) return;
    try {
      await send(`${API}/${encodeURIComponent(d.uid)}`, { method: 'DELETE' });
      status.replaceChildren(alertBox('info', `Deleted "${d.title}".`));
    } catch (e) {
      status.replaceChildren(alertBox('error', `Cannot delete "${d.title}": ${e.message}`));
    }
    reload();
  }
  async function upload(items) {
    const results = [];
    for (const { name, text } of items) {
      try {
        const saved = await uploadDashboard(text);
        results.push(h('div.alert.alert-info.dash-upload-ok', { dataset: { uid: saved.uid } }, 'Uploaded ', h('b', saved.title), ' from ', name, ': ',
          h('a', { href: url(`/dashboards/${encodeURIComponent(saved.uid)}`), 'data-link': '' }, 'open it')));
      } catch (e) {
        results.push(h('div.alert.alert-error.dash-upload-error', { role: 'alert' }, h('b', `${name} was not uploaded: `), e.message));
      }
    }
    status.replaceChildren(...results);
    reload();
  }
  const readFiles = (files) => Promise.all([...files].map(async (f) => ({ name: f.name, text: await f.text() })));
  fileInput.addEventListener('change', async () => {
    if (!fileInput.files.length) return;
    await upload(await readFiles(fileInput.files));
    fileInput.value = '';
  });
  pasteButton.addEventListener('click', async () => {
    if (!paste.value.trim()) {
      status.replaceChildren(alertBox('error', 'Paste a dashboard JSON into the box first.'));
      return;
    }
    await upload([{ name: 'the pasted JSON', text: paste.value }]);
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', async (e) => {
    e.preventDefault();
    drop.classList.remove('dragging');
    if (e.dataTransfer.files.length) await upload(await readFiles(e.dataTransfer.files));
    else if (e.dataTransfer.getData('text')) await upload([{ name: 'the dropped text', text: e.dataTransfer.getData('text') }]);
  });
  filter.addEventListener('input', draw);
  await reload();
}

// ---------------------------------------------------------------------------------------------
// Time

const PRESETS = [['now-5m', 'Last 5 minutes'], ['now-15m', 'Last 15 minutes'], ['now-30m', 'Last 30 minutes'], ['now-1h', 'Last 1 hour'],
  ['now-3h', 'Last 3 hours'], ['now-6h', 'Last 6 hours'], ['now-12h', 'Last 12 hours'], ['now-24h', 'Last 24 hours'],
  ['now-2d', 'Last 2 days'], ['now-7d', 'Last 7 days']];
const REFRESH_CHOICES = ['5s', '10s', '30s', '1m', '5m'];
const UNIT_MS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8, M: 2.592e9, y: 3.1536e10 };

/**
 * Grafana's time expressions (now, now-6h, now-1d/d, now/w), epoch milliseconds (the URL form of
 * an absolute time) or a date text, to epoch ms; NaN when it is none of them.
 */
export function parseTime(text, nowMs, roundUp = false) {
  const s = String(text ?? '').trim();
  if (/^\d{10,}$/.test(s)) return Number(s);
  // now-1d12h is now-1d-12h: a sign applies to every unit after it
  const m = /^now((?:[+-](?:\d+[smhdwMy])+)*)(?:\/([smhdwMy]))?$/.exec(s.replace(/\s+/g, ''));
  if (m) {
    let t = nowMs;
    for (const [, sign, parts] of m[1].matchAll(/([+-])((?:\d+[smhdwMy])+)/g)) {
      for (const [, n, u] of parts.matchAll(/(\d+)([smhdwMy])/g)) t += (sign === '-' ? -1 : 1) * Number(n) * UNIT_MS[u];
    }
    return m[2] ? roundTime(t, m[2], roundUp) : t;
  }
  return Date.parse(/^\d{4}-\d\d-\d\d \d/.test(s) ? s.replace(' ', 'T') : s);
}

function roundTime(t, unit, up) {
  const d = new Date(t);
  if (unit === 's') d.setMilliseconds(0);
  else if (unit === 'm') d.setSeconds(0, 0);
  else if (unit === 'h') d.setMinutes(0, 0, 0);
  else {
    d.setHours(0, 0, 0, 0);
    if (unit === 'w') d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
    else if (unit === 'M') d.setDate(1);
    else if (unit === 'y') d.setMonth(0, 1);
  }
  if (!up) return d.getTime();
  const add = { s: () => d.setSeconds(d.getSeconds() + 1), m: () => d.setMinutes(d.getMinutes() + 1), h: () => d.setHours(d.getHours() + 1),
    d: () => d.setDate(d.getDate() + 1), w: () => d.setDate(d.getDate() + 7), M: () => d.setMonth(d.getMonth() + 1),
    y: () => d.setFullYear(d.getFullYear() + 1) };
  add[unit]();
  return d.getTime() - 1;
}

function localTime(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function rangeLabel(from, to) {
  const preset = PRESETS.find(([f]) => f === from);
  if (preset && to === 'now') return preset[1];
  const m = /^now-(\w+)$/.exec(from);
  if (m && to === 'now') return `Last ${m[1]}`;
  const show = (t) => (/^\d{10,}$/.test(t) ? localTime(Number(t)) : t);
  return `${show(from)} to ${show(to)}`;
}

/** Grafana's interval rounding (kbn.roundInterval): a raw step to the nearest "nice" one, in seconds. */
export function roundInterval(seconds) {
  const ms = seconds * 1000;
  const table = [[15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500], [1500, 1000], [3500, 2000], [7500, 5000],
    [12500, 10000], [17500, 15000], [25000, 20000], [45000, 30000], [90000, 60000], [210000, 120000], [450000, 300000],
    [750000, 600000], [1050000, 900000], [1500000, 1200000], [2700000, 1800000], [5400000, 3600000], [8100000, 7200000],
    [16200000, 10800000], [32400000, 21600000], [86400000, 43200000], [604800000, 86400000], [1814400000, 604800000],
    [3628800000, 2592000000]];
  for (const [below, nice] of table) if (ms < below) return nice / 1000;
  return 31536000;
}

/** Seconds as Grafana writes an interval: 15s, 1m, 2h, 500ms. */
function intervalText(seconds) {
  return seconds < 1 ? `${Math.round(seconds * 1000)}ms` : formatDuration(seconds);
}

// The Prometheus data source's default scrape interval, which Grafana uses as the smallest step
// and in $__rate_interval; a panel's or query's interval (min step) replaces it.
const DEFAULT_SCRAPE_SECONDS = 15;

// ---------------------------------------------------------------------------------------------
// Template variables

const VAR_RE = /\$(\w+)|\$\{(\w+)(?:\.[\w.]+)?(?::([^}]+))?\}|\[\[(\w+)(?::([^\]]+))?\]\]/g;

function prometheusRegularEscape(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

function regexEscape(v) {
  return String(v).replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** A value inside a regex inside a PromQL string: regex metacharacters get two backslashes. */
function prometheusRegexEscape(v) {
  return String(v).replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

const SORTERS = {
  1: (a, b) => a.text.localeCompare(b.text), 2: (a, b) => b.text.localeCompare(a.text),
  3: (a, b) => num(a.text) - num(b.text), 4: (a, b) => num(b.text) - num(a.text),
  5: (a, b) => a.text.toLowerCase().localeCompare(b.text.toLowerCase()), 6: (a, b) => b.text.toLowerCase().localeCompare(a.text.toLowerCase()),
  7: (a, b) => a.text.localeCompare(b.text, undefined, { numeric: true }), 8: (a, b) => b.text.localeCompare(a.text, undefined, { numeric: true }),
};
function num(text) {
  const m = /-?\d+(\.\d+)?/.exec(text);
  return m ? Number(m[0]) : -Infinity;
}

/** Splits Grafana's custom variable text: "a, b\, c, key : value". */
function customOptions(query) {
  const parts = String(query ?? '').match(/(?:\\,|[^,])+/g) ?? [];
  return parts.map((p) => p.trim().replace(/\\,/g, ',')).filter((p) => p !== '').map((p) => {
    const m = /^\s*(.+)\s:\s(.+)$/.exec(p);
    return m ? { text: m[1].trim(), value: m[2].trim() } : { text: p, value: p };
  });
}

// ---------------------------------------------------------------------------------------------
// One dashboard

export async function renderDashboard(el, { params, match }) {
  delete document.body.dataset.dashboardRendered;
  const uid = decodeURIComponent(match[1]);
  el.classList.add('dash-page');
  let model;
  const modules = loadDrawingModules();
  try {
    [model] = await Promise.all([api(`${API}/${encodeURIComponent(uid)}`), modules]);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    el.append(h('h1', 'Dashboard'), alertBox('error', e.status === 404 ? `There is no dashboard with the uid "${uid}".`
      : `This dashboard cannot be shown: ${e.message}`), h('p', h('a', { href: url('/dashboards'), 'data-link': '' }, '← all dashboards')));
    return undefined;
  }
  const problem = notADashboard(model);
  if (problem) {
    el.append(h('h1', 'Dashboard'), alertBox('error', `This JSON is not a dashboard: ${problem}`));
    return undefined;
  }
  const view = new DashboardView(el, model, params);
  // not awaited: the router gets the cleanup at once, so leaving while variables load stops everything
  view.start().catch((e) => {
    el.append(alertBox('error', `This dashboard failed to draw: ${e.message}`));
    console.warn(e);
  });
  return () => view.destroy();
}

function notADashboard(model) {
  if (!model || typeof model !== 'object' || Array.isArray(model)) return 'expected an object with a "panels" array';
  if (!Array.isArray(model.panels)) return model.panels === undefined ? 'the field "panels" is missing' : '"panels" must be an array';
  const bad = model.panels.findIndex((p) => !p || typeof p !== 'object' || Array.isArray(p));
  if (bad >= 0) return `"panels[${bad}]" must be an object`;
  return null;
}

class DashboardView {
  constructor(el, model, params) {
    this.el = el;
    this.model = model;
    this.vars = new Map();
    this.sections = [];
    this.panels = new Set();
    this.pending = new Set();
    this.destroyed = false;
    this.timer = null;
    const time = model.time ?? {};
    this.from = params.get('from') ?? time.from ?? 'now-6h';
    this.to = params.get('to') ?? time.to ?? 'now';
    const refresh = params.get('refresh') ?? (typeof model.refresh === 'string' ? model.refresh : '');
    this.refresh = refresh === 'off' || !(parseDuration(refresh) > 0) ? '' : refresh;
    this.params = params;
    this.inputs = new Map((model.__inputs ?? []).filter((i) => i?.type === 'constant').map((i) => [i.name, String(i.value ?? '')]));
    this.onDocClick = (e) => {
      if (this.timeMenu && !this.timeMenu.hidden && !e.target.closest('.dash-time')) this.timeMenu.hidden = true;
    };
    document.addEventListener('click', this.onDocClick);
  }

  // ----- time

  /** The dashboard's range in seconds; `live` when it ends at now. */
  range() {
    const now = Date.now();
    let from = parseTime(this.from, now, false);
    let to = parseTime(this.to, now, true);
    if (!Number.isFinite(from)) from = now - 6 * 3600e3;
    if (!Number.isFinite(to)) to = now;
    if (to <= from) to = from + 1000;
    return { from: from / 1000, to: to / 1000, live: this.to === 'now' };
  }

  /** A panel's range: the dashboard's, or its relative time (timeFrom) and shift (timeShift). */
  panelRange(panel) {
    let r = this.range();
    const timeFrom = panel.timeFrom ? parseDuration(String(this.interpolate(panel.timeFrom, {}, 'raw')).replace(/^now-/, '')) : NaN;
    if (timeFrom > 0) r = { from: r.to - timeFrom, to: r.to, live: r.live };
    const shift = panel.timeShift ? parseDuration(String(this.interpolate(panel.timeShift, {}, 'raw')).replace(/^now-/, '')) : NaN;
    if (shift > 0) r = { from: r.from - shift, to: r.to - shift, live: false };
    return r;
  }

  /**
   * Step, $__interval and $__rate_interval of a panel: range / max data points (the panel's
   * maxDataPoints, else its width in pixels) rounded as Grafana does, at least the panel's or a
   * query's interval, else the 15 s scrape interval.
   */
  panelInterval(panel, range, widthPx) {
    const minOf = (text) => {
      if (!text) return NaN;
      return parseDuration(String(this.interpolate(String(text), {}, 'raw')).replace(/^>/, ''));
    };
    const targets = Array.isArray(panel.targets) ? panel.targets : [];
    const mins = [minOf(panel.interval), ...targets.map((t) => minOf(t?.interval))].filter((x) => x > 0);
    const minStep = mins.length ? Math.max(...mins) : DEFAULT_SCRAPE_SECONDS;
    const points = Number(panel.maxDataPoints) > 0 ? Number(panel.maxDataPoints) : Math.max(100, Math.round(widthPx));
    const span = range.to - range.from;
    let interval = Math.max(roundInterval(span / points), minStep);
    // Prometheus answers at most 11,000 points per series
    interval = Math.max(interval, Math.ceil(span / 11000));
    const scrape = mins.length ? minStep : DEFAULT_SCRAPE_SECONDS;
    const rate = Math.max(interval + scrape, 4 * scrape);
    const rangeS = Math.round(span);
    return {
      step: interval,
      scoped: {
        __interval: intervalText(interval), __interval_ms: String(Math.round(interval * 1000)),
        __rate_interval: intervalText(rate), __rate_interval_ms: String(Math.round(rate * 1000)),
        __range: `${rangeS}s`, __range_s: String(rangeS), __range_ms: String(Math.round(span * 1000)),
        __from: String(Math.round(range.from * 1000)), __to: String(Math.round(range.to * 1000)),
      },
    };
  }

  setTimeRange(from, to) {
    this.from = from;
    this.to = to;
    this.timeButton.textContent = rangeLabel(from, to);
    this.syncTimeInputs?.();
    this.writeUrl(true);
    this.reloadVariables((v) => v.def.refresh === 2).then(() => this.loadAll());
  }

  // ----- variables

  /** `text` with $var, ${var[:format]}, [[var]] and the built-ins of `scoped` replaced. */
  interpolate(text, scoped = {}, format) {
    if (typeof text !== 'string') return text;
    return text.replace(VAR_RE, (whole, n1, n2, f2, n3, f3) => {
      const name = n1 ?? n2 ?? n3;
      const fmt = f2 ?? f3 ?? format;
      if (Object.hasOwn(scoped, name)) return scoped[name];
      if (name === '__dashboard') return this.model.title ?? '';
      const v = this.vars.get(name);
      if (!v) return this.inputs.get(name) ?? whole;
      return this.formatVariable(v, fmt);
    });
  }

  formatVariable(v, fmt) {
    let value = v.current.value;
    const list0 = Array.isArray(value) ? value : [value];
    if (fmt === 'text') return Array.isArray(v.current.text) ? v.current.text.join(' + ') : String(v.current.text ?? value);
    if (list0.includes('$__all')) {
      if (v.def.allValue !== undefined && v.def.allValue !== null && v.def.allValue !== '') return v.def.allValue;
      value = v.options.filter((o) => o.value !== '$__all').map((o) => o.value);
    }
    let list = (Array.isArray(value) ? value : [value]).map((x) => (v.type === 'interval' && String(x).startsWith('$__auto_interval') ? this.autoInterval(v) : String(x)));
    switch (fmt) {
      case 'raw': case 'csv': return list.join(',');
      case 'regex': return list.length === 1 ? regexEscape(list[0]) : `(${list.map(regexEscape).join('|')})`;
      case 'pipe': return list.join('|');
      case 'json': return JSON.stringify(list.length === 1 && !Array.isArray(value) ? list[0] : list);
      case 'doublequote': return list.map((x) => `"${x}"`).join(',');
      case 'singlequote': return list.map((x) => `'${x}'`).join(',');
      case 'glob': return list.length > 1 ? `{${list.join(',')}}` : list[0] ?? '';
      case 'queryparam': return list.map((x) => `var-${v.name}=${encodeURIComponent(x)}`).join('&');
      case 'percentencode': return encodeURIComponent(list.join(','));
      default: break;
    }
    // the Prometheus data source's own formatting: single values as they are, several as a regex alternation
    if (!v.def.multi && !v.def.includeAll) return list.map(prometheusRegularEscape).join(',');
    list = list.map(prometheusRegexEscape);
    return list.length === 1 ? list[0] : `(${list.join('|')})`;
  }

  autoInterval(v) {
    const r = this.range();
    const count = Number(v.def.auto_count) > 0 ? Number(v.def.auto_count) : 30;
    const min = parseDuration(v.def.auto_min ?? '10s') || 10;
    return intervalText(Math.max(roundInterval((r.to - r.from) / count), min));
  }

  async initVariables() {
    const list = this.model.templating?.list ?? [];
    list.forEach((def, i) => {
      if (!def || typeof def !== 'object' || typeof def.name !== 'string') return;
      if (def.type === 'datasource' || def.type === 'adhoc' || def.type === 'groupby') return; // Vigil is the one data source
      const fromUrl = this.params.getAll(`var-${def.name}`);
      let value = fromUrl.length ? fromUrl.map((x) => (x === 'All' ? '$__all' : x)) : def.current?.value;
      if (value === undefined || value === null) value = def.type === 'constant' || def.type === 'textbox' ? def.query ?? '' : '';
      if (!def.multi && Array.isArray(value)) value = value[0] ?? '';
      if (def.multi && !Array.isArray(value)) value = value === '' ? [] : [value];
      this.vars.set(def.name, { def, name: def.name, type: def.type, index: i, options: [], current: { value, text: def.current?.text ?? value },
        error: null });
    });
    await this.reloadVariables(() => true);
  }

  /** Re-reads the options of the variables `which` selects, in order (later ones may use earlier ones). */
  async reloadVariables(which) {
    for (const v of this.vars.values()) {
      if (!which(v)) continue;
      try {
        v.error = null;
        v.options = await this.variableOptions(v);
      } catch (e) {
        v.error = e.message;
        v.options = [];
      }
      this.settleSelection(v);
    }
    this.drawVariables();
  }

  async variableOptions(v) {
    const def = v.def;
    const r = this.range();
    let opts;
    switch (v.type) {
      case 'custom': opts = customOptions(def.query); break;
      case 'interval': opts = customOptions(def.query);
        if (def.auto) opts.unshift({ text: 'auto', value: `$__auto_interval_${v.name}` });
        break;
      case 'constant': return [{ text: String(def.query ?? ''), value: String(def.query ?? '') }];
      case 'textbox': return [];
      case 'query': opts = await this.queryVariable(v, r); break;
      default: throw new Error(`variable type "${v.type}" is not supported`);
    }
    if (v.type === 'query') {
      if (def.regex) {
        let re;
        try { re = regexFromGrafana(this.interpolate(String(def.regex), {}, 'regex')); } catch (e) { throw new Error(`regex: ${e.message}`); }
        const out = [];
        for (const t of opts) {
          const m = re.exec(t);
          if (!m) continue;
          const g = m.groups ?? {};
          if (g.value !== undefined || g.text !== undefined) out.push({ text: g.text ?? g.value, value: g.value ?? g.text });
          else {
            const captured = m.length > 1 ? m.slice(1).find((x) => x !== undefined) ?? m[0] : t;
            out.push({ text: captured, value: captured });
          }
        }
        opts = out;
      } else {
        opts = opts.map((t) => ({ text: t, value: t }));
      }
      const seen = new Set();
      opts = opts.filter((o) => o.value !== '' && !seen.has(o.value) && seen.add(o.value));
      if (SORTERS[def.sort]) opts.sort(SORTERS[def.sort]);
    }
    if (def.includeAll) opts.unshift({ text: 'All', value: '$__all' });
    return opts;
  }

  /** label_values(), label_names(), metrics(), query_result(), or a series selector, as Grafana reads them. */
  async queryVariable(v, r) {
    const raw = typeof v.def.query === 'object' && v.def.query !== null ? v.def.query.query : v.def.query ?? v.def.definition;
    const q = this.interpolate(String(raw ?? ''), this.panelInterval({}, r, 1000).scoped).trim();
    const time = { start: Math.floor(r.from), end: Math.ceil(r.to) };
    let m;
    if (!q) return [];
    if ((m = /^label_names\(\s*(.*?)\s*\)$/s.exec(q))) return api('/api/v1/labels', { 'match[]': m[1] || undefined, ...time });
    if ((m = /^label_values\(\s*(?:(.+?)\s*,\s*)?([a-zA-Z_][\w.]*)\s*\)$/s.exec(q))) {
      return api(`/api/v1/label/${encodeURIComponent(m[2])}/values`, { 'match[]': m[1] || undefined, ...time });
    }
    if ((m = /^metrics\(\s*(.*?)\s*\)$/s.exec(q))) {
      const re = new RegExp(m[1]);
      return (await api('/api/v1/label/__name__/values', time)).filter((n) => re.test(n));
    }
    if ((m = /^query_result\(\s*([\s\S]+?)\s*\)$/.exec(q))) {
      const data = await instantQuery(m[1], time.end);
      if (data.resultType === 'scalar' || data.resultType === 'string') return [String(data.result[1])];
      return data.result.map((s) => {
        const { __name__: name = '', ...labels } = s.metric;
        const value = s.value ?? s.values?.[s.values.length - 1] ?? [0, ''];
        return `${name}{${Object.entries(labels).map(([k, x]) => `${k}="${x}"`).join(',')}} ${value[1]} ${value[0] * 1000}`;
      });
    }
    const series = await api('/api/v1/series', { 'match[]': q, ...time });
    return series.map((s) => {
      const { __name__: name = '', ...labels } = s;
      return `${name}{${Object.entries(labels).map(([k, x]) => `${k}="${x}"`).join(',')}}`;
    });
  }

  /** Keeps the selection where the options still have it, else takes the first option (as Grafana does). */
  settleSelection(v) {
    if (v.type === 'textbox' || v.type === 'constant') {
      const value = v.type === 'constant' ? String(v.def.query ?? '') : String(Array.isArray(v.current.value) ? v.current.value[0] ?? '' : v.current.value);
      v.current = { value, text: value };
      return;
    }
    const values = new Set(v.options.map((o) => o.value));
    const wanted = (Array.isArray(v.current.value) ? v.current.value : [v.current.value]).filter((x) => values.has(x));
    let chosen = wanted;
    if (!chosen.length) chosen = v.options.length ? [v.options[0].value] : [];
    const textOf = (x) => v.options.find((o) => o.value === x)?.text ?? x;
    v.current = v.def.multi
      ? { value: chosen, text: chosen.map(textOf) }
      : { value: chosen[0] ?? '', text: chosen.length ? textOf(chosen[0]) : '' };
  }

  drawVariables() {
    const box = this.varBox;
    if (!box) return;
    box.replaceChildren();
    for (const v of this.vars.values()) {
      if (v.def.hide === 2 || v.type === 'constant') continue;
      const label = v.def.hide === 1 ? null : h('label.dash-var-label', { for: `var-${v.name}` }, v.def.label || v.name);
      let control;
      if (v.type === 'textbox') {
        control = h('input.dash-var-input', { id: `var-${v.name}`, type: 'text', value: v.current.value });
        control.addEventListener('change', () => this.setVariable(v, control.value));
      } else if (v.def.multi) {
        control = this.multiSelect(v);
      } else {
        control = h('select.dash-var-select', { id: `var-${v.name}` },
          v.options.map((o) => h('option', { value: o.value, selected: o.value === v.current.value }, o.text)));
        if (!v.options.length) control.append(h('option', { value: '' }, v.error ? 'error' : 'no values'));
        control.addEventListener('change', () => this.setVariable(v, control.value));
      }
      box.append(h('div.dash-var', { dataset: { name: v.name } }, label, control,
        v.error ? h('span.dash-var-error', { title: v.error, role: 'alert' }, `⚠ ${v.error}`) : null));
    }
    box.hidden = box.childElementCount === 0;
  }

  multiSelect(v) {
    const summary = h('summary', (v.current.text.length ? v.current.text : ['none']).join(' + '));
    const boxes = v.options.map((o) => h('label.dash-var-option',
      h('input', { type: 'checkbox', value: o.value, checked: v.current.value.includes(o.value) }), ' ', o.text));
    const apply = h('button.primary', { type: 'button' }, 'Apply');
    const det = h('details.dash-var-multi', { id: `var-${v.name}` }, summary, h('div.dash-var-menu', boxes, apply));
    apply.addEventListener('click', () => {
      let chosen = boxes.map((b) => b.firstChild).filter((c) => c.checked).map((c) => c.value);
      // "All" excludes single choices, as in Grafana
      if (chosen.includes('$__all') && chosen.length > 1) chosen = v.current.value.includes('$__all') ? chosen.filter((x) => x !== '$__all') : ['$__all'];
      det.open = false;
      this.setVariable(v, chosen);
    });
    return det;
  }

  async setVariable(v, value) {
    const textOf = (x) => v.options.find((o) => o.value === x)?.text ?? x;
    v.current = Array.isArray(value) ? { value, text: value.map(textOf) } : { value, text: textOf(value) };
    this.writeUrl(true);
    // later query variables may use this one
    await this.reloadVariables((w) => w.index > v.index && w.type === 'query');
    this.drawVariables();
    for (const s of this.sections) if (s.rowTitle) s.rowTitle.textContent = this.interpolate(s.row.title ?? '', {}, 'text');
    if (this.hasRepeats()) this.rebuild();
    this.loadAll();
  }

  hasRepeats() {
    const all = this.model.panels.flatMap((p) => [p, ...(Array.isArray(p?.panels) ? p.panels : [])]);
    return all.some((p) => p && typeof p.repeat === 'string' && p.repeat);
  }

  // ----- URL

  writeUrl(push) {
    const q = new URLSearchParams();
    q.set('from', this.from);
    q.set('to', this.to);
    q.set('refresh', this.refresh || 'off');
    for (const v of this.vars.values()) {
      if (v.type === 'constant' || v.def.skipUrlSync) continue;
      for (const x of Array.isArray(v.current.value) ? v.current.value : [v.current.value]) q.append(`var-${v.name}`, x);
    }
    const target = `${location.pathname}?${q}`;
    if (target === location.pathname + location.search) return;
    if (push) history.pushState(null, '', target);
    else history.replaceState(null, '', target);
  }

  // ----- page

  async start() {
    const m = this.model;
    this.timeButton = h('button.dash-time-button', { type: 'button', title: 'Time range' }, rangeLabel(this.from, this.to));
    this.timeMenu = this.timeMenuElement();
    this.refreshSelect = h('select.dash-refresh', { title: 'Auto-refresh' },
      h('option', { value: '' }, 'Off'),
      [...new Set([...REFRESH_CHOICES, ...(this.refresh && !REFRESH_CHOICES.includes(this.refresh) ? [this.refresh] : [])])]
        .sort((a, b) => parseDuration(a) - parseDuration(b)).map((r) => h('option', { value: r, selected: r === this.refresh }, r)));
    this.refreshSelect.addEventListener('change', () => this.setRefresh(this.refreshSelect.value));
    this.timeButton.addEventListener('click', () => {
      this.timeMenu.hidden = !this.timeMenu.hidden;
    });
    const zoomOut = h('button', { type: 'button', title: 'Zoom out (twice the range)', onclick: () => this.zoomOut() }, '⊖');
    const reload = h('button', { type: 'button', title: 'Refresh now', onclick: () => this.loadAll() }, '↻');
    this.varBox = h('div.dash-vars', { hidden: true });
    this.grid = h('div.dash-grid');
    this.el.append(
      h('div.dash-head',
        h('div.dash-title', h('a.muted', { href: url('/dashboards'), 'data-link': '' }, 'Dashboards'), ' / ', h('h1', m.title || '(untitled)'),
          (m.tags ?? []).map((t) => h('span.badge', t))),
        h('div.dash-controls', h('div.dash-time', this.timeButton, this.timeMenu), zoomOut, reload,
          h('label.dash-refresh-label', '⟳ ', this.refreshSelect))),
      this.varBox, this.grid);
    await this.initVariables();
    if (this.destroyed) return;
    this.writeUrl(false);
    // The grid's width is read while it is empty (a cheap layout), the queries go out, and only then
    // do the panels enter the page: the requests do not wait for the page to lay them out.
    const width = this.grid.clientWidth;
    const panels = document.createDocumentFragment();
    this.buildSections(panels);
    this.layout(width);
    this.loadAll();
    this.grid.append(panels);
    this.setRefresh(this.refresh, false);
  }

  timeMenuElement() {
    const fromIn = h('input.dash-time-from', { type: 'text', value: this.from, spellcheck: false });
    const toIn = h('input.dash-time-to', { type: 'text', value: this.to, spellcheck: false });
    const err = h('div.dash-time-error');
    const show = (t) => (/^\d{10,}$/.test(t) ? localTime(Number(t)) : t);
    const apply = h('button.primary', { type: 'button' }, 'Apply time range');
    apply.addEventListener('click', () => {
      const now = Date.now();
      const norm = (text) => {
        const t = text.trim();
        if (/^now/.test(t)) return Number.isFinite(parseTime(t, now)) ? t : null;
        const ms = parseTime(t, now);
        return Number.isFinite(ms) ? String(ms) : null;
      };
      const f = norm(fromIn.value), t = norm(toIn.value);
      if (f === null || t === null) {
        err.textContent = `Cannot read ${f === null ? `"${fromIn.value}"` : `"${toIn.value}"`}: use now-1h, now, or 2024-05-01 13:00:00.`;
        return;
      }
      if (parseTime(f, now) >= parseTime(t, now, true)) {
        err.textContent = '"From" must be before "to".';
        return;
      }
      err.textContent = '';
      menu.hidden = true;
      this.setTimeRange(f, t);
    });
    const menu = h('div.dash-time-menu', { hidden: true },
      h('div.dash-time-presets', PRESETS.map(([f, label]) => h('button', { type: 'button', dataset: { from: f }, onclick: () => {
        menu.hidden = true;
        this.setTimeRange(f, 'now');
      } }, label))),
      h('div.dash-time-absolute', h('b', 'Absolute range'), h('label', 'From ', fromIn), h('label', 'To ', toIn), err, apply));
    this.syncTimeInputs = () => {
      fromIn.value = show(this.from);
      toIn.value = show(this.to);
    };
    return menu;
  }

  zoomOut() {
    const r = this.range();
    const span = r.to - r.from;
    const nowS = Date.now() / 1000;
    const to = Math.min(nowS, r.to + span / 2);
    const from = to - 2 * span;
    this.setTimeRange(this.to === 'now' ? `now-${formatDuration(Math.round(2 * span))}` : String(Math.round(from * 1000)),
      this.to === 'now' ? 'now' : String(Math.round(to * 1000)));
  }

  setRefresh(value, write = true) {
    this.refresh = value;
    clearInterval(this.timer);
    this.timer = null;
    const seconds = parseDuration(value);
    if (seconds > 0) this.timer = setInterval(() => this.autoRefresh(), seconds * 1000);
    if (write) {
      this.writeUrl(false);
      // live updates follow auto-refresh: off pauses the graphs too, as the user asked
      if (this.isLive()) this.loadAll();
      else for (const p of this.panels) p.stopLive();
    }
  }

  isLive() {
    return !!this.refresh && parseDuration(this.refresh) > 0;
  }

  autoRefresh() {
    if (document.hidden) return;
    for (const p of this.panels) if (!p.live.length) p.load();
  }

  // ----- layout

  /** Panels into sections: what precedes the first row, then each row with its panels (nested when collapsed). */
  buildSections(into) {
    const gp = (p) => (p.gridPos && typeof p.gridPos === 'object' ? p.gridPos : {});
    let fallbackY = 10000;
    const withPos = this.model.panels.map((p, i) => ({ p, i, y: Number.isFinite(gp(p).y) ? gp(p).y : fallbackY++, x: Number.isFinite(gp(p).x) ? gp(p).x : 0 }));
    withPos.sort((a, b) => a.y - b.y || a.x - b.x || a.i - b.i);
    const sections = [{ row: null, collapsed: false, panels: [] }];
    for (const { p, i } of withPos) {
      if (p.type === 'row') {
        sections.push({ row: p, collapsed: !!p.collapsed, panels: Array.isArray(p.panels) ? p.panels.map((c, j) => ({ json: c, path: `panels[${i}].panels[${j}]` })) : [] });
      } else {
        // a panel after a collapsed row is not in it (Grafana would have moved it into row.panels): it stays visible
        if (sections[sections.length - 1].collapsed) sections.push({ row: null, collapsed: false, panels: [] });
        sections[sections.length - 1].panels.push({ json: p, path: `panels[${i}]` });
      }
    }
    for (const s of sections) {
      s.views = [];
      if (s.row) {
        s.rowTitle = h('span.dash-row-title', this.interpolate(s.row.title ?? '', {}, 'text'));
        s.rowCount = h('span.muted.dash-row-count');
        s.rowEl = h('div.dash-row', { role: 'button', tabindex: 0, 'aria-expanded': String(!s.collapsed) },
          h('span.dash-row-chevron'), s.rowTitle, s.rowCount);
        const toggle = () => this.toggleRow(s);
        s.rowEl.addEventListener('click', toggle);
        s.rowEl.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
        into.append(s.rowEl);
      }
      if (!s.collapsed) this.createViews(s, into);
    }
    this.sections = sections;
  }

  createViews(section, into = this.grid) {
    section.views = this.repeated(section.panels.filter(({ json }) => json && typeof json === 'object')).map(({ json, path, pos, scope }) => {
      const v = new PanelView(this, json, path, pos, scope);
      this.panels.add(v);
      into.append(v.el);
      return v;
    });
  }

  /** The values a variable stands for now: its selection, with "All" expanded to every option. */
  selectedValues(v) {
    const chosen = Array.isArray(v.current.value) ? v.current.value : [v.current.value];
    if (chosen.includes('$__all')) return v.options.filter((o) => o.value !== '$__all').map((o) => o.value);
    return chosen.filter((x) => x !== '' && x !== undefined);
  }

  /**
   * Panels with `repeat`: one copy per selected value of the variable, each with the variable bound
   * to its value, side by side (repeatDirection h, at most maxPerRow, 4 by default, to a row) or
   * stacked (v); the panels below in the section move down by the rows the copies add, as in Grafana.
   */
  repeated(entries) {
    const out = [];
    const shifts = [];
    for (const e of entries) {
      const name = typeof e.json.repeat === 'string' && e.json.repeat ? e.json.repeat : null;
      const v = name ? this.vars.get(name) : null;
      const values = v ? this.selectedValues(v) : [];
      const g = gridPos(e.json);
      if (!v || values.length <= 1) {
        out.push({ ...e, pos: g, scope: v && values.length ? { [name]: values[0] } : undefined });
        continue;
      }
      const vertical = e.json.repeatDirection === 'v';
      const perRow = vertical ? 1 : Math.max(1, Math.min(values.length, Number(e.json.maxPerRow) > 0 ? Number(e.json.maxPerRow) : 4));
      const w = vertical ? g.w : Math.max(1, Math.floor(24 / perRow));
      values.forEach((value, i) => {
        const row = Math.floor(i / perRow);
        out.push({ ...e, path: `${e.path} (repeat ${name}=${value})`, scope: { [name]: value },
          pos: { x: vertical ? g.x : (i % perRow) * w, y: g.y + row * g.h, w, h: g.h } });
      });
      shifts.push({ below: g.y + g.h, by: (Math.ceil(values.length / perRow) - 1) * g.h, except: e });
    }
    for (const o of out) {
      for (const sh of shifts) if (o !== sh.except && o.json !== sh.except.json && o.pos.y >= sh.below) o.pos = { ...o.pos, y: o.pos.y + sh.by };
    }
    return out;
  }

  /** Throws the panels away and lays them out again (repeats follow their variable). */
  rebuild() {
    for (const p of this.panels) p.destroy();
    this.panels.clear();
    this.pending.clear();
    this.grid.replaceChildren();
    const width = this.grid.clientWidth;
    const panels = document.createDocumentFragment();
    this.buildSections(panels);
    this.layout(width);
    this.grid.append(panels);
  }

  toggleRow(s) {
    s.collapsed = !s.collapsed;
    s.rowEl.setAttribute('aria-expanded', String(!s.collapsed));
    if (s.collapsed) {
      for (const v of s.views) {
        v.destroy();
        this.panels.delete(v);
        this.pending.delete(v);
      }
      s.views = [];
      this.layout();
    } else {
      this.createViews(s);
      this.layout();
      for (const v of s.views) v.load();
    }
  }

  /**
   * Places rows and panels on the grid: y of the panels below a collapsed row moves up by what it hides.
   * Panel sizes follow from the grid's width (one read), so drawing never waits for a layout.
   */
  layout(width = this.grid.clientWidth) {
    const gridWidth = width || 1200;
    const narrow = matchMedia('(max-width: 768px)').matches;
    const column = (gridWidth - 23 * GRID_GAP) / 24;
    let y = 0;
    for (const s of this.sections) {
      if (s.row) {
        place(s.rowEl, 0, y, 24, 1);
        s.rowEl.classList.toggle('collapsed', s.collapsed);
        s.rowCount.textContent = s.collapsed ? `(${s.panels.length} panel${s.panels.length === 1 ? '' : 's'})` : '';
        y += 1;
      }
      if (s.collapsed || !s.views.length) continue;
      const pos = s.views.map((v) => v.pos);
      const top = Math.min(...pos.map((p) => p.y));
      let bottom = y;
      s.views.forEach((v, i) => {
        const p = pos[i];
        const py = y + (p.y - top);
        place(v.el, p.x, py, p.w, p.h);
        v.setSize((narrow ? gridWidth : column * p.w + GRID_GAP * (p.w - 1)) - PANEL_CHROME_X,
          GRID_ROW * p.h + GRID_GAP * (p.h - 1) - PANEL_CHROME_Y);
        bottom = Math.max(bottom, py + p.h);
      });
      y = bottom;
    }
  }

  // ----- loading

  loadAll() {
    this.pending = new Set(this.panels);
    for (const p of this.panels) p.load();
    if (!this.pending.size) this.settled(null);
  }

  /** A panel finished (data, no data or error); when all have, the dashboard is marked rendered. */
  settled(panel) {
    if (panel) this.pending.delete(panel);
    if (this.pending.size || this.destroyed) return;
    this.el.dataset.rendered = 'true';
    // the time from navigation start, for people and the performance test
    if (!document.body.dataset.dashboardRendered) document.body.dataset.dashboardRendered = String(Math.round(performance.now()));
  }

  destroy() {
    this.destroyed = true;
    clearInterval(this.timer);
    document.removeEventListener('click', this.onDocClick);
    for (const p of this.panels) p.destroy();
    this.panels.clear();
    delete document.body.dataset.dashboardRendered;
  }
}

// Grafana's grid: 30 px rows, 8 px gaps (style.css .dash-grid); a panel's border, header and body
// padding (style.css .dash-panel*) around what its renderer gets.
const GRID_ROW = 30;
const GRID_GAP = 8;
const PANEL_CHROME_X = 2 + 12;
const PANEL_CHROME_Y = 2 + 28 + 6;

function gridPos(panel) {
  const g = panel.gridPos && typeof panel.gridPos === 'object' ? panel.gridPos : {};
  const int = (v, d) => (Number.isFinite(v) ? Math.round(v) : d);
  const w = Math.min(24, Math.max(1, int(g.w, 12)));
  const x = Math.min(24 - w, Math.max(0, int(g.x, 0)));
  return { x, y: Math.max(0, int(g.y, 0)), w, h: Math.max(1, int(g.h, 8)) };
}

function place(el, x, y, w, hgt) {
  el.style.setProperty('--x', x + 1);
  el.style.setProperty('--y', y + 1);
  el.style.setProperty('--w', w);
  el.style.setProperty('--h', hgt);
}

// ---------------------------------------------------------------------------------------------
// One panel: its queries, its drawing and its live updates

const TIME_SERIES_TYPES = new Set(['timeseries', 'graph']);

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

class PanelView {
  /** `pos`: where on the grid (gridPos, or a repeat's place); `scope`: variables bound by a repeat. */
  constructor(dash, panel, path, pos = gridPos(panel), scope = undefined) {
    this.dash = dash;
    this.panel = panel;
    this.path = path;
    this.pos = pos;
    this.scope = scope ?? {};
    this.live = [];
    this.view = null;
    this.abort = null;
    this.lastData = null;
    this.titleEl = h('span.dash-panel-title');
    this.stateEl = h('span.dash-panel-state');
    this.menuEl = h('details.dash-panel-menu', h('summary', { title: 'Panel menu' }, '⋮'), h('div.dash-panel-menu-items'));
    this.menuEl.addEventListener('toggle', () => { if (this.menuEl.open) this.fillMenu(); });
    const header = h('div.dash-panel-header', this.titleEl,
      typeof panel.description === 'string' && panel.description ? h('span.dash-panel-info', { title: panel.description }, 'i') : null,
      this.stateEl, this.menuEl);
    this.body = h('div.dash-panel-body');
    this.el = h('div.dash-panel' + (panel.transparent ? '.transparent' : ''), { dataset: { panelId: panel.id ?? '', type: panel.type ?? '', state: 'loading' } },
      header, this.body);
    this.setTitle();
    this.width = 600;
    this.height = 200;
    this.resize = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      if (Math.abs(width - this.width) < 2 && Math.abs(height - this.height) < 2) return;
      this.setSize(width, height);
      // graphs follow their width themselves; the SVG panels are drawn for a size
      if (this.lastData && !TIME_SERIES_TYPES.has(panel.type)) {
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => this.draw(this.lastData), 150);
      }
    });
    this.resize.observe(this.body);
  }

  /** The drawing area (the body's content box) in pixels. */
  setSize(width, height) {
    this.width = Math.max(40, Math.floor(width));
    this.height = Math.max(20, Math.floor(height));
  }

  title() {
    return this.dash.interpolate(typeof this.panel.title === 'string' ? this.panel.title : '', this.scope, 'text');
  }

  setTitle() {
    const t = this.title();
    this.titleEl.textContent = t;
    this.titleEl.title = t;
  }

  /** "Panel "CPU"", or its id or path when it has no title: how messages name a panel. */
  label() {
    const t = this.title();
    return t ? `Panel "${t}"` : this.panel.id !== undefined ? `Panel ${this.panel.id}` : `Panel ${this.path}`;
  }

  setState(state) {
    this.el.dataset.state = state;
    this.stateEl.className = `dash-panel-state state-${state}`;
    this.stateEl.title = state === 'loading' ? 'loading…' : '';
  }

  async load() {
    this.stopLive();
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.setTitle();
    this.setState('loading');
    try {
      const data = await this.fetch(abort.signal);
      // panels whose data came in meanwhile draw in the same frame: one style, layout and paint pass for all
      await nextFrame();
      if (abort.signal.aborted) return;
      this.draw(data);
      if (data && this.dash.isLive() && TIME_SERIES_TYPES.has(this.panel.type) && data.range.live) this.startLive(data);
    } catch (e) {
      if (abort.signal.aborted || e.name === 'AbortError') return;
      this.showError(e);
    }
    this.dash.settled(this);
  }

  showError(e) {
    this.view?.destroy?.();
    this.view = null;
    this.lastData = null;
    const message = `${this.label()}: ${e instanceof PanelProblem || e instanceof ApiError ? e.message : `${e.name}: ${e.message}`}`;
    this.body.replaceChildren(h('div.alert.alert-error.panel-error', { role: 'alert' }, message));
    this.setState('error');
    if (!(e instanceof PanelProblem) && !(e instanceof ApiError)) console.warn(this.label(), e);
  }

  /** Checks the panel, interpolates and runs its queries: {kind, range, step, xs, series, queries}. */
  async fetch(signal) {
    const p = this.panel;
    if (p.libraryPanel && !p.type) {
      throw new PanelProblem('libraryPanel', 'library panels live in Grafana\'s database; export the dashboard with "Export for sharing externally" to include them');
    }
    if (typeof p.type !== 'string' || !RENDERERS[p.type]) {
      throw new PanelProblem('type', `unknown panel type ${JSON.stringify(p.type)}; Vigil draws ${Object.keys(RENDERERS).filter((t) => t !== 'graph' && t !== 'singlestat').join(', ')} and row`);
    }
    if (!needsData(p.type)) return null;
    const targets = p.targets ?? [];
    if (!Array.isArray(targets)) throw new PanelProblem('targets', `must be an array of queries, got ${typeof targets}`);
    const range = this.dash.panelRange(p);
    const { step, scoped } = this.dash.panelInterval(p, range, this.width);
    const start = Math.floor(range.from / step) * step;
    const end = Math.max(start, Math.floor(range.to / step) * step);
    const timeSeries = TIME_SERIES_TYPES.has(p.type);
    const queries = [];
    targets.forEach((t, i) => {
      if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new PanelProblem(`targets[${i}]`, 'must be an object');
      if (t.hide === true) return;
      const expr = t.expr ?? t.expression ?? '';
      if (typeof expr !== 'string') throw new PanelProblem(`targets[${i}].expr`, `must be a string, got ${JSON.stringify(expr)}`);
      if (!expr.trim()) return;
      const refId = typeof t.refId === 'string' ? t.refId : String.fromCharCode(65 + i);
      const instant = !timeSeries && t.instant === true && t.range !== true;
      queries.push({ target: t, index: i, refId, instant, expr: this.dash.interpolate(expr, { ...scoped, ...this.scope }) });
    });
    const settled = await Promise.allSettled(queries.map((q) => (q.instant
      ? instantQuery(q.expr, range.to, { signal })
      : rangeQuery(q.expr, start, end, step, { signal }))));
    if (signal.aborted) throw new DOMException('aborted', 'AbortError');
    const series = [];
    let xs = null;
    settled.forEach((s, k) => {
      const q = queries[k];
      if (s.status === 'rejected') {
        if (s.reason?.name === 'AbortError') throw s.reason;
        throw new PanelProblem(`targets[${q.index}] (query ${q.refId}: ${q.expr})`, s.reason?.message ?? String(s.reason));
      }
      const d = s.value;
      const name = (metric) => {
        const n = legendText(typeof q.target.legendFormat === 'string' ? q.target.legendFormat : '', metric);
        return n === '{}' ? q.expr : n;
      };
      if (!q.instant) {
        const m = matrixToData(d.result, start, end, step);
        xs = m.xs;
        d.result.forEach((r, j) => series.push({ refId: q.refId, metric: r.metric, name: name(r.metric), values: m.ys[j], query: q }));
      } else if (d.resultType === 'vector') {
        for (const r of d.result) series.push({ refId: q.refId, metric: r.metric, name: name(r.metric), values: [sampleNumber(r.value[1])], query: q });
      } else if (d.resultType === 'scalar') {
        series.push({ refId: q.refId, metric: {}, name: name({}), values: [sampleNumber(d.result[1])], query: q });
      } else if (d.resultType === 'matrix') {
        for (const r of d.result) series.push({ refId: q.refId, metric: r.metric, name: name(r.metric), values: r.values.map((v) => sampleNumber(v[1])), query: q });
      }
    });
    const kind = queries.length && queries.every((q) => q.instant) ? 'instant' : 'range';
    if (!xs) xs = matrixToData([], start, end, step).xs;
    return { kind, range, step, start, end, xs, series: kind === 'range' && p.type === 'table' ? series.filter((s) => !s.query.instant) : series, queries, scoped };
  }

  draw(data) {
    this.view?.destroy?.();
    this.view = null;
    this.body.replaceChildren();
    this.lastData = data;
    const started = performance.now();
    try {
      this.view = renderPanel(this.body, {
        panel: this.panel,
        data: data ?? { kind: 'instant', series: [], xs: [] },
        width: this.width,
        height: this.height,
        interpolate: (text) => this.dash.interpolate(text, { ...data?.scoped, ...this.scope }, 'raw'),
        onZoom: (from, to) => this.dash.setTimeRange(String(Math.round(from * 1000)), String(Math.round(to * 1000))),
      });
    } catch (e) {
      this.showError(e);
      return;
    }
    this.setState(this.view.empty ? 'nodata' : 'ok');
    this.showPoints();
    // in the browser's performance timeline, for whoever profiles a slow dashboard
    performance.measure(`draw ${this.label()}`, { start: started, end: performance.now() });
  }

  showPoints() {
    if (this.view?.points) this.el.dataset.points = String(this.view.points());
    if (this.view?.last) this.el.dataset.last = String(this.view.last());
  }

  /**
   * Subscribes each range query to live increments; a step is appended once every query has
   * delivered it, so the graph's columns stay aligned. A series not seen before rebuilds the panel.
   */
  startLive(data) {
    const step = data.step;
    const span = data.range.to - data.range.from;
    const keyOf = (q, metric) => `${q.refId}\u0000${JSON.stringify(Object.entries(metric).sort())}`;
    const seriesKeys = data.series.map((s) => keyOf(s.query, s.metric));
    const ms = (t) => Math.round(t * 1000);
    let graphEnd = data.end;
    const subs = data.queries.filter((q) => !q.instant).map((q) => ({
      q, reached: data.end, pending: new Map(),
      known: new Set(data.series.filter((s) => s.query === q).map((s) => keyOf(q, s.metric))),
    }));
    const flush = () => {
      const upTo = Math.min(...subs.map((s) => s.reached));
      if (upTo <= graphEnd || !this.view?.append) return;
      const xs = [];
      for (let k = 1; graphEnd + k * step <= upTo + 1e-6; k++) xs.push(graphEnd + k * step);
      const ys = seriesKeys.map(() => new Array(xs.length).fill(null));
      for (const s of subs) {
        xs.forEach((t, j) => {
          const row = s.pending.get(ms(t));
          if (!row) return;
          for (const [key, v] of row) {
            const i = seriesKeys.indexOf(key);
            if (i >= 0) ys[i][j] = v;
          }
        });
        for (const t of [...s.pending.keys()]) if (t <= ms(upTo)) s.pending.delete(t);
      }
      graphEnd = upTo;
      this.view.append(xs, ys, upTo - span);
      this.showPoints();
    };
    for (const s of subs) {
      const handle = liveRange({ query: s.q.expr, step, from: data.end }, (result, from, to) => {
        const inc = gridIncrement(result, from, to, step, s.known, (m) => keyOf(s.q, m));
        if (inc.added.length || (this.view?.empty && inc.cols.size)) {
          this.reloadSoon();
          return;
        }
        inc.xs.forEach((t, j) => {
          const row = new Map();
          for (const [key, col] of inc.cols) if (col[j] !== null) row.set(key, col[j]);
          s.pending.set(ms(t), row);
        });
        s.reached = to;
        this.liveProblem(null);
        flush();
      }, (message) => this.liveProblem(message));
      this.live.push(handle);
    }
  }

  liveProblem(message) {
    this.el.classList.toggle('live-problem', !!message);
    if (message) this.stateEl.title = `live updates: ${message}`;
  }

  reloadSoon() {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.load(), 200);
  }

  stopLive() {
    for (const l of this.live) l.close();
    this.live = [];
  }

  fillMenu() {
    const items = this.menuEl.querySelector('.dash-panel-menu-items');
    const exprs = (this.lastData?.queries ?? []).map((q) => q.expr);
    const r = this.dash.range();
    items.replaceChildren(
      ...exprs.map((e, i) => h('a', { href: url(`/query?g0.expr=${encodeURIComponent(e)}&g0.tab=graph&g0.range_input=${formatDuration(Math.round(r.to - r.from))}`),
        'data-link': '', title: e }, `Explore query ${this.lastData.queries[i].refId}`)),
      h('button', { type: 'button', onclick: () => this.showJson() }, 'Panel JSON'),
      h('button', { type: 'button', onclick: () => { this.menuEl.open = false; this.load(); } }, 'Refresh'));
  }

  showJson() {
    this.menuEl.open = false;
    const close = h('button', { type: 'button' }, 'Close');
    const box = h('div.dash-panel-json', h('pre.mono', JSON.stringify(this.panel, null, 2)), close);
    close.addEventListener('click', () => box.remove());
    this.el.append(box);
  }

  destroy() {
    this.stopLive();
    this.abort?.abort();
    clearTimeout(this.reloadTimer);
    clearTimeout(this.resizeTimer);
    this.resize.disconnect();
    this.view?.destroy?.();
    this.el.remove();
  }
}
