// Status pages: targets, service discovery, rules, alerts, runtime and build info, flags, config and
// TSDB cardinality, drawn from the HTTP API with what Prometheus 3's pages show.
//
// Every page has the same frame (h1, optional toolbar, an error area, the content) and loads through
// keepLoaded, so an API failure becomes an error box above the last good content, never a blank page.
// Filters live in the query string (replaceState: typing in a filter adds no history entries), so a
// reload or a shared link shows the same view.
import { api } from './api.js';
import { h, alertBox, ago, formatDuration } from './util.js';

// Scrape and evaluation intervals are rarely shorter than 15 s, so refreshing the live pages more
// often would mostly redraw the same state.
const REFRESH_MS = 15_000;

// ---------------------------------------------------------------- the page frame and loading

/** Draws the page's h1 and toolbar; returns the error area and the content area below them. */
function pageFrame(el, title, toolbar) {
  const messages = h('div.status-messages');
  const content = h('div.status-content', h('p.loading.muted', 'Loading…'));
  el.append(h('h1', title), ...(toolbar ? [toolbar] : []), messages, content);
  return { messages, content };
}

/**
 * Fetches with load(signal) and hands the answer to draw; with `live`, again every REFRESH_MS.
 * A failure of either shows as an error box, keeping what was drawn before. Returns stop (the
 * router's cleanup: ends the timer and cancels the request in flight) and reload.
 */
function keepLoaded({ messages, content }, what, load, draw, { live = false } = {}) {
  let controller = null;
  let timer = null;
  let stopped = false;

  async function refresh() {
    clearTimeout(timer);
    controller?.abort();
    const mine = (controller = new AbortController());
    try {
      const data = await load(mine.signal);
      if (mine.signal.aborted) return;
      messages.replaceChildren();
      draw(data);
    } catch (e) {
      if (mine.signal.aborted || e.name === 'AbortError') return;
      messages.replaceChildren(alertBox('error', `Error loading ${what}: ${e.message}`));
      content.querySelector('.loading')?.remove();
    }
    if (live && !stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    },
    reload: refresh,
  };
}

/** Puts the page's filter state in the query string; empty values are left out. */
function saveQuery(entries) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(entries)) {
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
    else if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  }
  const s = qs.toString();
  history.replaceState(history.state, '', location.pathname + (s ? `?${s}` : ''));
}

// ---------------------------------------------------------------- small pieces the pages share

function searchBox(value, placeholder, onChange) {
  return h('input.status-search', {
    type: 'search', value, placeholder, 'aria-label': placeholder, oninput: (e) => onChange(e.target.value),
  });
}

function choice(label, current, options, onChange) {
  return h('select', { 'aria-label': label, onchange: (e) => onChange(e.target.value) },
    options.map(([value, text]) => h('option', { value, selected: value === current }, text)));
}

/** Whether every word of `query` occurs, ignoring case, in one of `texts`. */
function matchesSearch(query, texts) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const haystack = texts.join('\n').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** Label names in Prometheus's order: byte order, not the locale's. */
function sortedEntries(obj) {
  return Object.entries(obj ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function labelTexts(labels) {
  return sortedEntries(labels).map(([k, v]) => `${k}="${v}"`);
}

function labelChips(labels) {
  const texts = labelTexts(labels);
  if (!texts.length) return h('span.muted', 'none');
  return h('div.label-chips', texts.map((t) => h('span.label', t)));
}

function healthBadge(health) {
  return h(`span.badge.${health || 'unknown'}`, (health || 'unknown').toUpperCase());
}

/** "N / M up": green when all are up, red when none is, amber in between. */
function upCountBadge(up, total) {
  const kind = up === total ? 'up' : up === 0 ? 'down' : 'unknown';
  return h(`span.badge.${kind}`, `${up} / ${total} up`);
}

/**
 * A collapsible card whose open state outlives redraws: `openState` maps key to open, and keys not
 * in it yet start as `defaultOpen`.
 */
function section(key, openState, defaultOpen, summary, ...body) {
  const d = h('details.card.status-section', { open: openState.get(key) ?? defaultOpen },
    h('summary', summary), ...body);
  d.addEventListener('toggle', () => openState.set(key, d.open));
  return d;
}

function setAllOpen(container, open) {
  for (const d of container.querySelectorAll('details.status-section')) d.open = open;
}

function expandButtons(container) {
  return [
    h('button', { type: 'button', onclick: () => setAllOpen(container(), true) }, 'Expand all'),
    h('button', { type: 'button', onclick: () => setAllOpen(container(), false) }, 'Collapse all'),
  ];
}

function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const k = keyOf(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(item);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function dataTable(className, headings, rows) {
  return h(`table.data.${className}`,
    h('thead', h('tr', headings.map((c) => h('th', c)))),
    h('tbody', rows));
}

/** A row under `row`'s cells with the error text, as Prometheus's UI shows scrape and rule errors. */
function errorRow(className, columns, text) {
  return h(`tr.${className}`, h('td', { colSpan: columns }, alertBox('error', text)));
}

/** Prometheus's zero time ("0001-01-01T00:00:00Z") and absent times read as "never". */
function isNever(time) {
  const t = Date.parse(time);
  return !Number.isFinite(t) || t <= 0;
}

function agoCell(time) {
  return h('td', { title: isNever(time) ? '' : time }, ago(time));
}

/** Durations below a second read best in ms (scrapes, evaluations); longer ones as Prometheus durations. */
function secondsText(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '-';
  if (seconds === 0) return '0s';
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)}µs`;
  if (seconds < 1) return `${+(seconds * 1e3).toFixed(2)}ms`;
  if (seconds < 60) return `${+seconds.toFixed(3)}s`;
  return formatDuration(seconds);
}

function timeWithAgo(time) {
  if (isNever(time)) return 'never';
  return `${new Date(time).toISOString()} (${ago(time)})`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n);
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${BYTE_UNITS[i]}`;
}

function count(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : String(n ?? '-');
}

/** A two-column table of [label, value, title] rows for the status and TSDB pages. */
function keyValueTable(className, rows) {
  return h(`table.data.kv.${className}`, h('tbody', rows.map(([label, value, title]) =>
    h('tr', h('th', { title }, label), h('td', value)))));
}

/** Annotations as a definition list; URL values (runbooks, dashboards) as links. */
function annotationList(annotations) {
  const entries = sortedEntries(annotations);
  if (!entries.length) return null;
  return h('dl.annotations', entries.flatMap(([k, v]) => [
    h('dt', k),
    h('dd', /^https?:\/\//.test(v) ? h('a', { href: v, target: '_blank', rel: 'noopener noreferrer' }, v) : v),
  ]));
}

// ---------------------------------------------------------------- targets

const TARGET_HEALTH_FILTERS = {
  all: ['All', () => true],
  unhealthy: ['Unhealthy', (t) => t.health !== 'up'],
  unknown: ['Unknown', (t) => t.health === 'unknown'],
};

export function renderTargets(el, { params }) {
  const filter = {
    health: TARGET_HEALTH_FILTERS[params.get('health')] ? params.get('health') : 'all',
    search: params.get('search') ?? '',
  };
  const open = new Map();
  let targets = null;
  const redraw = () => targets && drawTargetPools(frame.content, targets, filter, open);
  const filterChanged = () => {
    saveQuery({ health: filter.health === 'all' ? '' : filter.health, search: filter.search });
    redraw();
  };
  const toolbar = h('div.toolbar',
    choice('Target health', filter.health, Object.entries(TARGET_HEALTH_FILTERS).map(([k, [text]]) => [k, text]),
      (v) => { filter.health = v; filterChanged(); }),
    searchBox(filter.search, 'Filter by endpoint or labels', (v) => { filter.search = v; filterChanged(); }),
    expandButtons(() => frame.content));
  const frame = pageFrame(el, 'Targets', toolbar);
  return keepLoaded(frame, 'targets', (signal) => api('/api/v1/targets', { state: 'active' }, { signal }),
    (data) => { targets = data.activeTargets ?? []; redraw(); }, { live: true }).stop;
}

function drawTargetPools(content, targets, filter, open) {
  if (!targets.length) {
    content.replaceChildren(alertBox('info', 'No targets: the configuration has no scrape_configs, or discovery has found nothing yet.'));
    return;
  }
  const [, healthMatches] = TARGET_HEALTH_FILTERS[filter.health];
  const sections = [];
  for (const [pool, all] of groupBy(targets, (t) => t.scrapePool)) {
    const shown = all.filter((t) => healthMatches(t) && matchesSearch(filter.search, [t.scrapeUrl, ...labelTexts(t.labels)]));
    if (!shown.length) continue;
    const up = all.filter((t) => t.health === 'up').length;
    sections.push(section(pool, open, true,
      [h('span.section-title', pool), upCountBadge(up, all.length)],
      dataTable('targets', ['Endpoint', 'State', 'Labels', 'Last scrape', 'Scrape duration'], shown.flatMap(targetRows))));
  }
  content.replaceChildren(...(sections.length ? sections : [alertBox('info', 'No targets match the filter.')]));
}

function targetRows(t) {
  const never = isNever(t.lastScrape);
  const row = h('tr.target', { dataset: { health: t.health } },
    h('td.endpoint', h('a', { href: t.scrapeUrl, target: '_blank', rel: 'noopener noreferrer' }, t.scrapeUrl)),
    h('td', healthBadge(t.health)),
    h('td', labelChips(t.labels)),
    agoCell(t.lastScrape),
    h('td.num', { title: `interval ${t.scrapeInterval ?? '?'}, timeout ${t.scrapeTimeout ?? '?'}` },
      never ? '-' : secondsText(t.lastScrapeDuration)));
  return t.lastError ? [row, errorRow('target-error', 5, t.lastError)] : [row];
}

// ---------------------------------------------------------------- service discovery

export function renderServiceDiscovery(el, { params }) {
  const filter = { search: params.get('search') ?? '' };
  const open = new Map();
  let data = null;
  const redraw = () => data && drawDiscovery(frame.content, data, filter, open);
  const toolbar = h('div.toolbar',
    searchBox(filter.search, 'Filter by labels', (v) => { filter.search = v; saveQuery({ search: v }); redraw(); }),
    expandButtons(() => frame.content));
  const frame = pageFrame(el, 'Service discovery', toolbar);
  return keepLoaded(frame, 'targets', (signal) => api('/api/v1/targets', {}, { signal }),
    (d) => { data = d; redraw(); }).stop;
}

/** Per pool: what discovery found, and what relabeling made of it or that it dropped it. */
function drawDiscovery(content, data, filter, open) {
  const pools = new Map();
  const pool = (name) => {
    if (!pools.has(name)) pools.set(name, { active: [], dropped: [] });
    return pools.get(name);
  };
  for (const t of data.activeTargets ?? []) pool(t.scrapePool).active.push(t);
  for (const t of data.droppedTargets ?? []) pool(t.scrapePool).dropped.push(t);
  for (const name of Object.keys(data.droppedTargetCounts ?? {})) pool(name);
  if (!pools.size) {
    content.replaceChildren(alertBox('info', 'No scrape pools: the configuration has no scrape_configs.'));
    return;
  }
  const matches = (t) => matchesSearch(filter.search, [...labelTexts(t.discoveredLabels), ...labelTexts(t.labels)]);
  const sections = [];
  for (const name of [...pools.keys()].sort()) {
    const { active, dropped } = pools.get(name);
    const droppedCount = data.droppedTargetCounts?.[name] ?? dropped.length;
    const rows = [
      ...active.filter(matches).map((t) => h('tr.sd-target.active', h('td', labelChips(t.discoveredLabels)), h('td', labelChips(t.labels)))),
      ...dropped.filter(matches).map((t) => h('tr.sd-target.dropped', h('td', labelChips(t.discoveredLabels)),
        h('td', h('span.badge.dropped', 'dropped')))),
    ];
    if (!rows.length && filter.search) continue;
    const unlisted = droppedCount - dropped.length;
    sections.push(section(name, open, true,
      [h('span.section-title', name), h('span.badge.up', `${active.length} active`), h('span.badge.dropped', `${droppedCount} dropped`)],
      rows.length ? dataTable('service-discovery', ['Discovered labels', 'Target labels'], rows) : h('p.muted', 'No targets.'),
      unlisted > 0 ? h('p.muted', `${unlisted} more dropped targets are not kept (keep_dropped_targets).`) : null));
  }
  content.replaceChildren(...(sections.length ? sections : [alertBox('info', 'No targets match the filter.')]));
}

// ---------------------------------------------------------------- rules

export function renderRules(el, { params }) {
  const filter = {
    health: params.get('health') === 'unhealthy' ? 'unhealthy' : 'all',
    search: params.get('search') ?? '',
  };
  let groups = null;
  const redraw = () => groups && drawRuleGroups(frame.content, groups, filter);
  const filterChanged = () => {
    saveQuery({ health: filter.health === 'all' ? '' : filter.health, search: filter.search });
    redraw();
  };
  const toolbar = h('div.toolbar',
    choice('Rule health', filter.health, [['all', 'All'], ['unhealthy', 'Unhealthy']], (v) => { filter.health = v; filterChanged(); }),
    searchBox(filter.search, 'Filter by name, query or labels', (v) => { filter.search = v; filterChanged(); }));
  const frame = pageFrame(el, 'Rules', toolbar);
  return keepLoaded(frame, 'rules', (signal) => api('/api/v1/rules', {}, { signal }),
    (data) => { groups = data.groups ?? []; redraw(); }, { live: true }).stop;
}

function ruleMatches(rule, search) {
  return matchesSearch(search, [rule.name, rule.query, ...labelTexts(rule.labels)]);
}

function drawRuleGroups(content, groups, filter) {
  if (!groups.length) {
    content.replaceChildren(alertBox('info', 'No rule groups: the configuration has no rule_files, or they are empty.'));
    return;
  }
  const filtering = filter.health !== 'all' || filter.search !== '';
  const cards = [];
  for (const g of groups) {
    const rules = (g.rules ?? []).filter((r) => (filter.health === 'all' || r.health !== 'ok') && ruleMatches(r, filter.search));
    if (!rules.length && filtering) continue;
    cards.push(h('section.card.rule-group',
      h('div.group-header', h('h2', g.name), h('span.muted.mono', g.file)),
      h('div.group-meta',
        h('span', `Interval ${formatDuration(g.interval)}`),
        h('span', { title: isNever(g.lastEvaluation) ? '' : g.lastEvaluation }, `Last evaluation ${ago(g.lastEvaluation)}`),
        h('span', `Evaluation time ${secondsText(g.evaluationTime)}`)),
      rules.length
        ? dataTable('rules', ['Rule', 'Health', 'Last evaluation', 'Evaluation time'], rules.flatMap(ruleRows))
        : h('p.muted', 'No rules in this group.')));
  }
  content.replaceChildren(...(cards.length ? cards : [alertBox('info', 'No rules match the filter.')]));
}

function ruleRows(r) {
  const row = h('tr.rule', { dataset: { name: r.name, health: r.health } },
    h('td', ruleDefinition(r)),
    h('td', healthBadge(r.health)),
    agoCell(r.lastEvaluation),
    h('td.num', secondsText(r.evaluationTime)));
  return r.lastError ? [row, errorRow('rule-error', 4, r.lastError)] : [row];
}

/** A rule as its file declares it: kind and name, query, for / keep_firing_for, labels, annotations. */
function ruleDefinition(r) {
  const alerting = r.type === 'alerting';
  const hasLabels = Object.keys(r.labels ?? {}).length > 0;
  return h('div.rule-def',
    h('div.rule-name', h('span.badge.kind', alerting ? 'alerting' : 'recording'), ' ', h('strong.mono', r.name)),
    h('pre.expr', r.query),
    alerting && r.duration ? h('div.muted', `for ${formatDuration(r.duration)}`) : null,
    alerting && r.keepFiringFor ? h('div.muted', `keep firing for ${formatDuration(r.keepFiringFor)}`) : null,
    hasLabels ? labelChips(r.labels) : null,
    alerting ? annotationList(r.annotations) : null);
}

// ---------------------------------------------------------------- alerts

const ALERT_STATES = ['inactive', 'pending', 'firing'];

export function renderAlerts(el, { params }) {
  // no state parameter: all states; state= (empty): none, so unticking every box survives a reload
  const filter = {
    states: new Set(params.has('state') ? params.getAll('state').filter((s) => ALERT_STATES.includes(s)) : ALERT_STATES),
    search: params.get('search') ?? '',
  };
  const open = new Map();
  const stateCounts = {};
  let groups = null;
  const redraw = () => {
    if (!groups) return;
    const rules = groups.flatMap((g) => (g.rules ?? []).filter((r) => r.type === 'alerting'));
    for (const s of ALERT_STATES) stateCounts[s].textContent = `(${rules.filter((r) => r.state === s).length})`;
    drawAlertGroups(frame.content, groups, filter, open);
  };
  const filterChanged = () => {
    const allStates = ALERT_STATES.every((s) => filter.states.has(s));
    saveQuery({ state: allStates ? [] : filter.states.size ? ALERT_STATES.filter((s) => filter.states.has(s)) : [''], search: filter.search });
    redraw();
  };
  const stateBoxes = ALERT_STATES.map((s) => {
    stateCounts[s] = h('span.muted');
    return h('label.state-filter',
      h('input', {
        type: 'checkbox', name: 'state', value: s, checked: filter.states.has(s),
        onchange: (e) => { if (e.target.checked) filter.states.add(s); else filter.states.delete(s); filterChanged(); },
      }),
      h(`span.badge.${s}`, s), stateCounts[s]);
  });
  const toolbar = h('div.toolbar', stateBoxes,
    searchBox(filter.search, 'Filter by name or labels', (v) => { filter.search = v; filterChanged(); }),
    expandButtons(() => frame.content));
  const frame = pageFrame(el, 'Alerts', toolbar);
  return keepLoaded(frame, 'alerting rules', (signal) => api('/api/v1/rules', { type: 'alert' }, { signal }),
    (data) => { groups = data.groups ?? []; redraw(); }, { live: true }).stop;
}

function alertRuleMatches(rule, filter) {
  if (!filter.states.has(rule.state)) return false;
  const texts = [rule.name, rule.query, ...labelTexts(rule.labels), ...(rule.alerts ?? []).flatMap((a) => labelTexts(a.labels))];
  return matchesSearch(filter.search, texts);
}

function drawAlertGroups(content, groups, filter, open) {
  const withAlerting = groups.filter((g) => (g.rules ?? []).some((r) => r.type === 'alerting'));
  if (!withAlerting.length) {
    content.replaceChildren(alertBox('info', 'No alerting rules: the rule files have none, or the configuration has no rule_files.'));
    return;
  }
  const parts = [];
  for (const g of withAlerting) {
    const rules = g.rules.filter((r) => r.type === 'alerting' && alertRuleMatches(r, filter));
    if (!rules.length) continue;
    parts.push(h('h2.alert-group', h('span.muted.mono', g.file), ' > ', g.name));
    rules.forEach((r, i) => parts.push(alertRuleSection(`${g.file}\n${g.name}\n${i}\n${r.name}`, r, open)));
  }
  content.replaceChildren(...(parts.length ? parts : [alertBox('info', 'No alerting rules match the filter.')]));
}

/** One alerting rule: closed when inactive, so the page opens on what needs attention. */
function alertRuleSection(key, r, open) {
  const alerts = r.alerts ?? [];
  const d = section(key, open, r.state !== 'inactive',
    [h(`span.badge.${r.state}`, r.state.toUpperCase()), h('span.section-title.mono', r.name), h('span.muted', `${alerts.length} active`)],
    ruleDefinition(r),
    alerts.length
      ? dataTable('alert-instances', ['Labels', 'State', 'Active since', 'Value'], alerts.flatMap(alertRows))
      : h('p.muted', 'No active alerts.'));
  d.classList.add('alert-rule');
  d.dataset.name = r.name;
  d.dataset.state = r.state;
  return d;
}

function alertRows(a) {
  const row = h('tr.alert-instance', { dataset: { state: a.state } },
    h('td', labelChips(a.labels)),
    h('td', h(`span.badge.${a.state}`, a.state.toUpperCase()),
      a.keepFiringSince ? h('div.muted', `keeps firing since ${ago(a.keepFiringSince)}`) : null),
    agoCell(a.activeAt),
    h('td.num.mono', a.value));
  const annotations = annotationList(a.annotations);
  return annotations ? [row, h('tr.alert-annotations', h('td', { colSpan: 4 }, annotations))] : [row];
}

// ---------------------------------------------------------------- runtime and build information

/** runtimeinfo's fields labelled; Vigil fills Go's fields with the JVM's nearest figures. */
const RUNTIME_FIELDS = [
  ['startTime', 'Start time', timeWithAgo],
  ['CWD', 'Working directory'],
  ['reloadConfigSuccess', 'Configuration reload',
    (ok) => (ok ? h('span.badge.ok', 'Successful') : h('span.badge.err', 'Unsuccessful'))],
  ['lastConfigTime', 'Last successful configuration reload', timeWithAgo],
  ['corruptionCount', 'WAL corruptions'],
  ['goroutineCount', 'Active threads'],
  ['GOMAXPROCS', 'Available processors'],
  ['GOMEMLIMIT', 'Memory limit (maximum heap)', formatBytes],
  ['GOGC', 'GOGC'],
  ['GODEBUG', 'GODEBUG'],
  ['storageRetention', 'Storage retention'],
];

const BUILD_FIELDS = [
  ['version', 'Version (Prometheus API level)'],
  ['revision', 'Revision'],
  ['branch', 'Branch'],
  ['buildUser', 'Build user'],
  ['buildDate', 'Build date'],
  ['goVersion', 'Runtime'],
];

function fieldRows(data, fields) {
  const known = new Set(fields.map(([key]) => key));
  const shown = (v, format) => (v === '' || v === undefined || v === null ? h('span.muted', 'not set') : format ? format(v) : String(v));
  return [
    ...fields.filter(([key]) => key in data).map(([key, label, format]) => [label, shown(data[key], format), key]),
    ...Object.keys(data).filter((k) => !known.has(k) && k !== 'warnings' && k !== 'infos').map((k) => [k, shown(data[k]), k]),
  ];
}

/** WAL replay runs from segment min to max; the server answers once it is done, then current == max. */
function walReplay(w) {
  const done = w.current >= w.max;
  return keyValueTable('wal-replay', [
    ['State', done ? h('span.badge.ok.wal-done', 'done') : h('span.badge.pending', 'replaying')],
    ['Progress', done ? `segments ${w.min} to ${w.max}`
      : h('span', h('progress', { max: Math.max(1, w.max - w.min), value: w.current - w.min }), ` segment ${w.current} of ${w.min} to ${w.max}`)],
  ]);
}

function alertmanagerList(data) {
  const active = data.activeAlertmanagers ?? [];
  const dropped = data.droppedAlertmanagers ?? [];
  if (!active.length && !dropped.length) return h('p.muted', 'No Alertmanagers configured.');
  return dataTable('alertmanagers', ['Endpoint', 'State'], [
    ...active.map((a) => h('tr', h('td.mono', a.url), h('td', h('span.badge.up', 'active')))),
    ...dropped.map((a) => h('tr', h('td.mono', a.url), h('td', h('span.badge.dropped', 'dropped')))),
  ]);
}

const STATUS_SECTIONS = [
  ['Runtime information', '/api/v1/status/runtimeinfo', (d) => keyValueTable('runtime-info', fieldRows(d, RUNTIME_FIELDS))],
  ['Build information', '/api/v1/status/buildinfo', (d) => keyValueTable('build-info', fieldRows(d, BUILD_FIELDS))],
  ['WAL replay', '/api/v1/status/walreplay', walReplay],
  ['Alertmanagers', '/api/v1/alertmanagers', alertmanagerList],
  ['Remote write', '/api/v1/vigil/remote_write', remoteWriteTable],
];

/** Each remote_write queue: where it stands and what it sent, failed, retried and dropped. */
function remoteWriteTable(queues) {
  if (!queues.length) return h('p.muted', 'No remote_write is configured.');
  const num = (v) => h('td.num', typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
  const rows = queues.map((q) => h('tr.remote', { dataset: { name: q.name } },
    h('td', h('b', q.name), h('div.muted.mono', q.url)), num(q.shards), num(q.samplesSent), num(q.samplesFailed),
    num(q.samplesRetried), num(q.samplesDropped), num(q.samplesPending), num(q.backlogBytes),
    num(q.lagSeconds.toFixed(1)), num(q.metadataSent),
    h('td', q.lastError ? h('span.badge.down', q.lastError) : h('span.badge.up', 'ok'))));
  return dataTable('remote-write', ['Remote', 'Shards', 'Sent', 'Failed', 'Retried', 'Dropped', 'Pending',
    'WAL backlog (bytes)', 'Lag (s)', 'Metadata sent', 'Last error'], rows);
}

export function renderStatus(el) {
  const frame = pageFrame(el, 'Runtime and build information');
  // each card loads on its own, so one failing endpoint leaves the others readable
  const load = (signal) => Promise.allSettled(STATUS_SECTIONS.map(([, path]) => api(path, {}, { signal })));
  const draw = (results) => frame.content.replaceChildren(h('div.status-grid', STATUS_SECTIONS.map(([title, , show], i) => {
    const r = results[i];
    return h('section.card', h('h2', title),
      r.status === 'fulfilled' ? show(r.value) : alertBox('error', `Error loading ${title.toLowerCase()}: ${r.reason.message}`));
  })));
  return keepLoaded(frame, 'status', load, draw).stop;
}

// ---------------------------------------------------------------- flags

export function renderFlags(el, { params }) {
  const filter = { search: params.get('search') ?? '' };
  let flags = null;
  const redraw = () => flags && drawFlags(frame.content, flags, filter.search);
  const toolbar = h('div.toolbar',
    searchBox(filter.search, 'Filter by flag name or value', (v) => { filter.search = v; saveQuery({ search: v }); redraw(); }));
  const frame = pageFrame(el, 'Command-line flags', toolbar);
  return keepLoaded(frame, 'flags', (signal) => api('/api/v1/status/flags', {}, { signal }),
    (data) => { flags = data; redraw(); }).stop;
}

function drawFlags(content, flags, search) {
  const rows = sortedEntries(flags)
    .filter(([name, value]) => name !== 'warnings' && name !== 'infos' && typeof value === 'string')
    .filter(([name, value]) => matchesSearch(search, [`--${name}`, value]))
    .map(([name, value]) => h('tr.flag', { dataset: { name } }, h('td.mono', `--${name}`), h('td.mono', value)));
  content.replaceChildren(rows.length ? dataTable('flags', ['Flag', 'Value'], rows) : alertBox('info', 'No flag matches the filter.'));
}

// ---------------------------------------------------------------- configuration

export function renderConfig(el) {
  const copy = h('button', { type: 'button', disabled: true }, 'Copy to clipboard');
  const feedback = h('span.muted.copy-feedback', { role: 'status' });
  const frame = pageFrame(el, 'Configuration', h('div.toolbar', copy, feedback));
  return keepLoaded(frame, 'the configuration', (signal) => api('/api/v1/status/config', {}, { signal }), (data) => {
    const yaml = h('pre.card.config-yaml', data.yaml);
    frame.content.replaceChildren(yaml);
    copy.disabled = false;
    copy.onclick = async () => {
      const ok = await copyText(data.yaml, yaml);
      feedback.textContent = ok ? 'Copied.' : 'The browser refused to copy: select the text and copy it yourself.';
    };
  }).stop;
}

/**
 * The Clipboard API needs a secure context (https or localhost); a Vigil reached over plain http
 * by name has none, so copy through a selection there, as browsers have long allowed.
 */
async function copyText(text, node) {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      console.info('clipboard API refused, copying through a selection:', e.message);
    }
  }
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  try {
    return document.execCommand('copy');
  } catch (e) {
    console.info('copying through a selection failed:', e.message);
    return false;
  }
}

// ---------------------------------------------------------------- TSDB status

const TSDB_LIMITS = ['5', '10', '20', '50', '100'];

export function renderTsdbStatus(el, { params }) {
  // passed to the API as given, so a bad ?limit= shows the API's own message
  let limit = params.get('limit') || '10';
  const options = (TSDB_LIMITS.includes(limit) ? TSDB_LIMITS : [...TSDB_LIMITS, limit]).map((v) => [v, v]);
  const toolbar = h('div.toolbar', h('label', 'Entries per table ',
    choice('Entries per table', limit, options, (v) => {
      limit = v;
      saveQuery({ limit: v === '10' ? '' : v });
      loader.reload();
    })));
  const frame = pageFrame(el, 'TSDB status', toolbar);
  const loader = keepLoaded(frame, 'TSDB status', (signal) => api('/api/v1/status/tsdb', { limit }, { signal }),
    (data) => drawTsdbStatus(frame.content, data, limit));
  return loader.stop;
}

/** An empty head reports minTime > maxTime (Go's MaxInt64 and MinInt64, beyond a JS number's precision). */
function headTime(t, stats) {
  if (!stats.numSeries || !(stats.minTime <= stats.maxTime) || !Number.isFinite(new Date(t).getTime())) return 'no samples';
  return `${new Date(t).toISOString()} (${t})`;
}

function drawTsdbStatus(content, data, limit) {
  const hs = data.headStats ?? {};
  const share = (v) => (hs.numSeries ? `${+((100 * v) / hs.numSeries).toFixed(2)}%` : '-');
  const tables = [
    ['series-by-metric', `Top ${limit} series count by metric names`, ['Metric name', 'Series', 'Share'],
      data.seriesCountByMetricName, share],
    ['values-by-label', `Top ${limit} label names with value count`, ['Label name', 'Values'], data.labelValueCountByLabelName],
    ['memory-by-label', `Top ${limit} label names with high memory usage`, ['Label name', 'Bytes', ''],
      data.memoryInBytesByLabelName, formatBytes],
    ['series-by-pair', `Top ${limit} series count by label value pairs`, ['Label pair', 'Series', 'Share'],
      data.seriesCountByLabelValuePair, share],
  ];
  content.replaceChildren(
    h('section.card', h('h2', 'Head block'), keyValueTable('head-stats', [
      ['Number of series', count(hs.numSeries)],
      ['Number of chunks', count(hs.chunkCount)],
      ['Number of label pairs', count(hs.numLabelPairs)],
      ['Current min time', headTime(hs.minTime, hs)],
      ['Current max time', headTime(hs.maxTime, hs)],
    ])),
    h('div.status-grid.tsdb-tables', tables.map(([className, title, headings, stats, extra]) =>
      h('section.card', h('h2', title), cardinalityTable(className, headings, stats ?? [], extra)))));
}

/** name/value rows; `extra` adds a third column derived from the value (share of series, bytes readable). */
function cardinalityTable(className, headings, stats, extra) {
  if (!stats.length) return h('p.muted', 'No data.');
  return dataTable(`cardinality.${className}`, headings, stats.map((s) => h('tr',
    h('td.mono', s.name),
    h('td.num', count(s.value)),
    extra ? h('td.num.muted', extra(s.value)) : null)));
}
