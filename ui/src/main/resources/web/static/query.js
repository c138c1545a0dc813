// The query page: several expression panels, each with autocomplete, syntax errors at their
// position, format, a table and a graph view; the whole state lives in the URL (g0.expr, g0.tab, ...
// as in Prometheus 3), so a link reproduces the view.
import { api, ApiError, instantQuery, rangeQuery } from './api.js';
import { h, alertBox, seriesName, sampleValue, parseDuration, formatDuration, isoTime, debounce } from './util.js';
import { drawGraph, matrixToData } from './graph.js';
import { liveRange, gridIncrement } from './live.js';
import { FUNCTIONS, AGGREGATIONS, KEYWORDS, completionContext, errorOffset } from './promql.js';

const MAX_TABLE_ROWS = 10000;

/** Reads panels from the URL: g<N>.expr, g<N>.tab, g<N>.range_input, g<N>.end_input, g<N>.moment_input,
 *  g<N>.res_type/res_step (or the older step_input), g<N>.display_mode (or stacked). */
function panelsFromUrl(params) {
  const panels = [];
  for (let i = 0; params.has(`g${i}.expr`) || params.has(`g${i}.tab`); i++) {
    const g = (k) => params.get(`g${i}.${k}`);
    panels.push({
      expr: g('expr') ?? '',
      tab: g('tab') === 'graph' || g('tab') === '0' ? 'graph' : 'table',
      range: g('range_input') || '1h',
      end: g('end_input') || '',
      moment: g('moment_input') || '',
      step: g('res_type') === 'fixed' ? (g('res_step') ?? '') : (g('step_input') ?? ''),
      stacked: g('display_mode') === 'stacked' || g('stacked') === '1',
    });
  }
  return panels.length ? panels : [newPanel()];
}

function newPanel() {
  return { expr: '', tab: 'table', range: '1h', end: '', moment: '', step: '', stacked: false };
}

function panelsToUrl(panels) {
  const p = new URLSearchParams();
  panels.forEach((s, i) => {
    p.set(`g${i}.expr`, s.expr);
    p.set(`g${i}.tab`, s.tab);
    if (s.tab === 'graph') {
      p.set(`g${i}.range_input`, s.range);
      if (s.end) p.set(`g${i}.end_input`, s.end);
      if (s.step) {
        p.set(`g${i}.res_type`, 'fixed');
        p.set(`g${i}.res_step`, s.step);
      }
      p.set(`g${i}.display_mode`, s.stacked ? 'stacked' : 'lines');
    } else if (s.moment) {
      p.set(`g${i}.moment_input`, s.moment);
    }
  });
  return '?' + p.toString();
}

/** Names and metadata the completion offers; fetched once per page, label data per metric. */
class Completions {
  constructor() {
    this.metrics = null;
    this.meta = {};
    this.labels = new Map();
    this.values = new Map();
  }

  async metricNames() {
    if (!this.metrics) {
      this.metrics = api('/api/v1/label/__name__/values').catch(() => []);
      api('/api/v1/metadata').then((m) => { this.meta = m; }).catch(() => {});
    }
    return this.metrics;
  }

  labelNames(metric) {
    const key = metric || '';
    if (!this.labels.has(key)) {
      this.labels.set(key, api('/api/v1/labels', metric ? { 'match[]': metric } : {})
        .then((l) => l.filter((n) => n !== '__name__')).catch(() => []));
    }
    return this.labels.get(key);
  }

  labelValues(metric, label) {
    const key = `${metric}\u0000${label}`;
    if (!this.values.has(key)) {
      this.values.set(key, api(`/api/v1/label/${encodeURIComponent(label)}/values`, metric ? { 'match[]': metric } : {})
        .catch(() => []));
    }
    return this.values.get(key);
  }

  /** [{text, detail, kind}] for the context, best matches first. */
  async suggest(ctx) {
    const p = ctx.prefix.toLowerCase();
    const rank = (items) => items
      .filter((it) => it.text.toLowerCase().includes(p) && it.text !== ctx.prefix)
      .sort((a, b) => (a.text.toLowerCase().startsWith(p) ? 0 : 1) - (b.text.toLowerCase().startsWith(p) ? 0 : 1)
        || a.text.localeCompare(b.text))
      .slice(0, 50);
    switch (ctx.kind) {
      case 'metric': {
        if (!p) return [];
        const metrics = (await this.metricNames()).map((m) => ({
          text: m, kind: this.meta[m]?.[0]?.type ?? 'metric', detail: this.meta[m]?.[0]?.help ?? '',
        }));
        const fns = FUNCTIONS.concat(AGGREGATIONS).map(([n, sig, doc]) => ({ text: n, kind: 'function', detail: `${sig} — ${doc}`, call: true }));
        const kws = KEYWORDS.map((k) => ({ text: k, kind: 'keyword', detail: '' }));
        return rank(metrics.concat(fns, kws));
      }
      case 'label':
        return rank((await this.labelNames(ctx.metric)).map((l) => ({ text: l, kind: 'label', detail: '' })));
      case 'value':
        return rank((await this.labelValues(ctx.metric, ctx.label)).map((v) => ({ text: v, kind: 'value', detail: '' })));
      default:
        return [];
    }
  }
}

export async function render(el, { params }) {
  const completions = new Completions();
  const state = panelsFromUrl(params);
  const page = h('div.query-page');
  const list = h('div.panels');
  const panels = [];
  const syncUrl = () => history.replaceState(null, '', location.pathname + panelsToUrl(state));

  const addPanel = (s, run) => {
    const panel = queryPanel(s, completions, {
      changed: syncUrl,
      remove: () => {
        const i = state.indexOf(s);
        if (i >= 0) state.splice(i, 1);
        panels.splice(panels.indexOf(panel), 1);
        panel.dispose();
        panel.element.remove();
        syncUrl();
      },
    });
    panels.push(panel);
    list.append(panel.element);
    if (run && s.expr) panel.run();
    return panel;
  };

  page.append(list, h('div.toolbar', h('button.add-panel', {
    onclick: () => {
      const s = newPanel();
      state.push(s);
      addPanel(s, false).focus();
      syncUrl();
    },
  }, 'Add query')));
  el.append(page);
  state.forEach((s) => addPanel(s, true));
  return () => panels.forEach((p) => p.dispose());
}

function queryPanel(s, completions, { changed, remove }) {
  const input = h('textarea.expr', { rows: 1, spellcheck: false, placeholder: 'Expression (press Shift+Enter for newlines)', value: s.expr });
  const dropdown = h('ul.complete', { hidden: true, role: 'listbox' });
  const syntax = h('div.syntax');
  const errorBox = h('div.panel-error');
  const stats = h('div.stats.muted');
  const body = h('div.panel-body');
  const tabs = h('div.tabs');
  const controls = h('div.toolbar.controls');
  const element = h('section.card.query-panel',
    h('div.editor', input, dropdown,
      h('div.editor-buttons',
        h('button.format', { title: 'Format the expression (format_query)', onclick: () => format() }, 'Format'),
        h('button.primary.execute', { onclick: () => run() }, 'Execute'),
        h('button.remove', { title: 'Remove this panel', onclick: () => remove() }, '✕'))),
    syntax, errorBox, tabs, controls, stats, body);

  let graph = null;
  let live = null;
  let abort = null;
  let suggestions = [];
  let selected = 0;
  let compCtx = null;

  const autosize = () => {
    input.style.height = 'auto';
    input.style.height = Math.min(300, input.scrollHeight + 2) + 'px';
  };

  // --- completion ---
  const closeDropdown = () => {
    dropdown.hidden = true;
    suggestions = [];
  };
  const showDropdown = () => {
    dropdown.replaceChildren(...suggestions.map((sg, i) => h('li', {
      class: i === selected ? 'selected' : null, role: 'option',
      onmousedown: (e) => { e.preventDefault(); accept(i); },
    }, h('span.c-text', sg.text), h('span.c-kind', sg.kind), sg.detail ? h('span.c-detail', sg.detail) : null)));
    dropdown.hidden = suggestions.length === 0;
    dropdown.querySelector('li.selected')?.scrollIntoView({ block: 'nearest' });
  };
  const complete = debounce(async () => {
    const pos = input.selectionStart;
    if (pos !== input.selectionEnd) return closeDropdown();
    const ctx = completionContext(input.value, pos);
    if (ctx.kind === 'none') return closeDropdown();
    const got = await completions.suggest(ctx);
    if (input.selectionStart !== pos) return; // typed on meanwhile
    compCtx = ctx;
    suggestions = got;
    selected = 0;
    showDropdown();
  }, 120);
  const accept = (i) => {
    const sg = suggestions[i];
    if (!sg || !compCtx) return;
    const pos = input.selectionStart;
    let text = sg.text;
    if (sg.call && input.value[pos] !== '(') text += '(';
    input.setRangeText(text, compCtx.from, pos, 'end');
    closeDropdown();
    input.dispatchEvent(new Event('input'));
    input.focus();
  };

  // --- syntax check while typing (parse_query), errors at their position ---
  const showSyntaxError = (message) => {
    const off = errorOffset(input.value, message);
    if (off < 0) {
      syntax.replaceChildren();
      return;
    }
    const expr = input.value;
    syntax.replaceChildren(h('pre.error-context',
      expr.slice(0, off), h('mark.error-at', expr.slice(off, off + 1) || ' '), expr.slice(off + 1)));
  };
  const checkSyntax = debounce(async () => {
    const expr = input.value.trim();
    if (!expr) {
      syntax.replaceChildren();
      return;
    }
    try {
      await api('/api/v1/parse_query', { query: input.value });
      syntax.replaceChildren();
    } catch (e) {
      if (e instanceof ApiError && e.type === 'bad_data') showSyntaxError(e.message);
    }
  }, 400);

  input.addEventListener('input', () => {
    s.expr = input.value;
    autosize();
    changed();
    complete();
    checkSyntax();
  });
  input.addEventListener('keydown', (e) => {
    if (!dropdown.hidden && suggestions.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        selected = (selected + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length;
        showDropdown();
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault();
        accept(selected);
        return;
      }
      if (e.key === 'Escape') {
        closeDropdown();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      closeDropdown();
      run();
    }
  });
  input.addEventListener('blur', () => setTimeout(closeDropdown, 150));

  // --- tabs and controls ---
  const tabButton = (name, label) => h('button.tab', {
    class: s.tab === name ? 'active' : null, dataset: { tab: name },
    onclick: () => {
      s.tab = name;
      tabs.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
      drawControls();
      changed();
      run();
    },
  }, label);
  tabs.append(tabButton('table', 'Table'), tabButton('graph', 'Graph'));

  const field = (cls, value, placeholder, onchange, width) => h(`input.${cls}`, {
    type: 'text', value, placeholder, style: { width: width ?? '9em' },
    onchange: (e) => { onchange(e.target.value.trim()); changed(); run(); },
  });
  function drawControls() {
    controls.replaceChildren();
    if (s.tab === 'table') {
      controls.append(h('label', 'Evaluation time ', field('moment', s.moment, 'now (or 2026-01-01T12:00:00Z)', (v) => { s.moment = v; }, '16em')));
      return;
    }
    const shiftRange = (factor) => {
      const r = parseDuration(s.range);
      if (!isFinite(r)) return;
      s.range = formatDuration(Math.max(1, Math.round(r * factor)));
      changed();
      drawControls();
      run();
    };
    controls.append(
      h('button', { title: 'Shorter range', onclick: () => shiftRange(0.5) }, '−'),
      field('range', s.range, '1h', (v) => { s.range = v || '1h'; }, '5em'),
      h('button', { title: 'Longer range', onclick: () => shiftRange(2) }, '+'),
      h('label', 'End ', field('end', s.end, 'now', (v) => { s.end = v; }, '15em')),
      h('label', 'Step ', field('step', s.step, 'auto', (v) => { s.step = v; }, '5em')),
      h('label', h('input.stacked', {
        type: 'checkbox', checked: s.stacked,
        onchange: (e) => { s.stacked = e.target.checked; changed(); run(); },
      }), ' Stacked'),
    );
  }
  drawControls();

  async function format() {
    try {
      const formatted = await api('/api/v1/format_query', { query: input.value });
      input.value = formatted;
      s.expr = formatted;
      autosize();
      changed();
      syntax.replaceChildren();
      errorBox.replaceChildren();
    } catch (e) {
      showError(e);
    }
  }

  function showError(e) {
    errorBox.replaceChildren(alertBox('error', e.message));
    if (e instanceof ApiError) {
      showSyntaxError(e.message);
      const off = errorOffset(input.value, e.message);
      if (off >= 0) input.setSelectionRange(off, off + 1);
    }
  }

  function stopLive() {
    if (live) live.close();
    live = null;
  }

  function timeParam(text, fallbackSec) {
    if (!text) return fallbackSec;
    if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
    const t = Date.parse(text);
    if (!isFinite(t)) throw new ApiError('bad_data', `cannot parse "${text}" as a time: use RFC 3339 (2026-01-01T12:00:00Z) or Unix seconds`);
    return t / 1000;
  }

  async function run() {
    const expr = input.value.trim();
    stopLive();
    if (abort) abort.abort();
    errorBox.replaceChildren();
    if (!expr) {
      body.replaceChildren();
      stats.replaceChildren();
      return;
    }
    abort = new AbortController();
    const signal = abort.signal;
    const started = performance.now();
    try {
      if (s.tab === 'table') {
        const time = s.moment ? timeParam(s.moment) : undefined;
        const data = await instantQuery(input.value, time, { signal });
        showStats(started, data, null);
        drawTable(data);
      } else {
        const range = parseDuration(s.range);
        if (!(range > 0)) throw new ApiError('bad_data', `invalid range "${s.range}": use a duration such as 1h or 30m`);
        const now = Date.now() / 1000;
        const end = timeParam(s.end, now);
        const start = end - range;
        let step = s.step ? parseDuration(s.step) : Math.max(1, Math.round(range / 250));
        if (!(step > 0)) throw new ApiError('bad_data', `invalid step "${s.step}": use a duration such as 15s`);
        step = Math.max(step, Math.ceil(range / 11000));
        // aligning to the step keeps the points on one grid as the live updates extend it
        const alignedEnd = Math.floor(end / step) * step;
        const data = await rangeQuery(input.value, alignedEnd - range, alignedEnd, step, { signal });
        showStats(started, data, step);
        drawRangeGraph(data, alignedEnd - range, alignedEnd, step);
        if (!s.end) startLive(step, alignedEnd, range);
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      body.replaceChildren();
      stats.replaceChildren();
      showError(e);
    }
  }

  function showStats(started, data, step) {
    const n = Array.isArray(data.result) && data.resultType !== 'scalar' && data.resultType !== 'string' ? data.result.length : 1;
    stats.replaceChildren(`Load time: ${Math.round(performance.now() - started)} ms`,
      step ? ` · Resolution: ${formatDuration(step)}` : '', ` · Result series: ${n}`);
    for (const w of data.warnings ?? []) stats.append(alertBox('warning', w));
    for (const w of data.infos ?? []) stats.append(alertBox('info', w));
  }

  function drawTable(data) {
    if (graph) { graph.destroy(); graph = null; }
    const table = h('table.data.result-table');
    const row = (name, value) => h('tr', h('td.series', name), h('td.num.value', value));
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      table.append(row(h('i', data.resultType), sampleValue(data.result[1])));
    } else if (data.result.length === 0) {
      table.append(h('tr', h('td.muted', { colSpan: 2 }, 'Empty query result')));
    } else {
      for (const r of data.result.slice(0, MAX_TABLE_ROWS)) {
        const value = data.resultType === 'matrix'
          ? h('div', ...(r.values ?? []).map(([t, v]) => h('div', `${sampleValue(v)} @${t}`)))
          : r.value ? sampleValue(r.value[1]) : r.histogram ? 'native histogram' : '';
        table.append(row(seriesLabel(r.metric), value));
      }
      if (data.result.length > MAX_TABLE_ROWS) {
        table.append(h('tr', h('td.muted', { colSpan: 2 }, `… ${data.result.length - MAX_TABLE_ROWS} more series not shown`)));
      }
    }
    body.replaceChildren(table);
  }

  function drawRangeGraph(data, start, end, step) {
    if (graph) graph.destroy();
    body.replaceChildren();
    if (data.resultType !== 'matrix') {
      body.append(alertBox('info', `The graph needs a range query result; this expression gives a ${data.resultType}.`));
      graph = null;
      return;
    }
    if (data.result.length === 0) {
      body.append(h('p.muted', 'Empty query result'));
      graph = null;
      return;
    }
    const { xs, ys } = matrixToData(data.result, start, end, step);
    graph = drawGraph(body, {
      series: data.result.map((r) => ({ name: seriesName(r.metric), metric: r.metric })),
      xs, ys, stacked: s.stacked, height: 320,
      onZoom: (from, to) => {
        s.range = formatDuration(Math.max(1, Math.round(to - from)));
        s.end = isoTime(Math.round(to));
        drawControls();
        changed();
        run();
      },
    });
    graph.keys = data.result.map((r) => seriesName(r.metric));
    body.__vigilGraph = graph;
    graph.element.__vigilGraph = graph;
  }

  // also without a graph yet: a series that appears later draws one
  function startLive(step, from, range) {
    live = liveRange({ query: input.value, step, from }, (result, prev, to) => {
      if (!graph) {
        if (result.some((r) => r.values?.length)) run();
        return;
      }
      const inc = gridIncrement(result, prev, to, step, new Set(graph.keys));
      if (inc.added.length) {
        run(); // new series: draw the graph anew with them
        return;
      }
      graph.append(inc.xs, graph.keys.map((k) => inc.cols.get(k) ?? new Array(inc.xs.length).fill(null)), to - range);
    }, (message) => errorBox.replaceChildren(alertBox('error', `live update: ${message}`)));
  }

  setTimeout(autosize);
  return {
    element,
    run,
    focus: () => input.focus(),
    dispose() {
      stopLive();
      if (abort) abort.abort();
      if (graph) graph.destroy();
    },
  };
}

/** A series as Prometheus's table shows it: the metric name, then its labels. */
function seriesLabel(metric) {
  const name = metric.__name__ ?? '';
  const labels = Object.keys(metric).filter((k) => k !== '__name__').sort();
  return h('span.series-name', h('b', name), '{',
    ...labels.flatMap((k, i) => [i ? ', ' : '', h('span.label-name', k), '=', h('span.label-value', JSON.stringify(metric[k]))]), '}');
}
