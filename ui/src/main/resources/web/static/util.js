// Small shared helpers: building DOM, formatting labels, numbers, times and durations.

/** h('div.cls#id', {attrs/props/on*}, ...children): a DOM element without innerHTML, so no escaping bugs. */
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9]+)((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement(m ? m[1] : tag);
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    // value is a property only (a textarea has no value attribute)
    else if (k in el && (typeof v !== 'string' || k === 'value')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** `name{a="b", c="d"}` as Prometheus's UI writes a series. */
export function seriesName(metric) {
  const name = metric.__name__ ?? '';
  const rest = Object.keys(metric).filter((k) => k !== '__name__').sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return rest.length || !name ? `${name}{${rest.join(', ')}}` : name;
}

/** Grafana's legendFormat: `{{label}}` replaced by the series' value of it. */
export function legendText(format, metric) {
  if (!format || format === '__auto') return seriesName(metric);
  return format.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, n) => metric[n] ?? '');
}

const DURATION_UNITS = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** '1h30m', '5m', '15s', '250ms' or plain seconds, to seconds; NaN when it is neither. */
export function parseDuration(text) {
  const s = String(text ?? '').trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const re = /(\d+)(ms|y|w|d|h|m|s)/gy;
  let total = 0;
  let pos = 0;
  let m;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : NaN;
}

/** Seconds to the shortest Prometheus duration ('1h30m'). */
export function formatDuration(seconds) {
  if (!isFinite(seconds)) return '';
  let ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  let out = '';
  for (const [u, f] of [['y', 31536000000], ['w', 604800000], ['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]]) {
    if (ms >= f) {
      out += Math.floor(ms / f) + u;
      ms %= f;
    }
  }
  return out;
}

/** '12.3s ago' style relative time for "last scrape", "active since". */
export function ago(date) {
  const t = typeof date === 'number' ? date : Date.parse(date);
  if (!isFinite(t) || t <= 0) return 'never';
  const s = (Date.now() - t) / 1000;
  if (s < 0) return 'in ' + formatDuration(Math.round(-s));
  if (s < 60) return s.toFixed(1) + 's ago';
  return formatDuration(Math.round(s)) + ' ago';
}

export function isoTime(seconds) {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A number as the table view shows it: Prometheus's string form, untouched when it is one. */
export function sampleValue(v) {
  return typeof v === 'string' ? v : String(v);
}

const SI = [[1e24, 'Y'], [1e21, 'Z'], [1e18, 'E'], [1e15, 'P'], [1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
const SI_SMALL = [[1e-3, 'm'], [1e-6, 'µ'], [1e-9, 'n'], [1e-12, 'p']];

/** 1234567 -> '1.23M', 0.0012 -> '1.2m' (axis ticks, stat panels). */
export function humanize(v, decimals) {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (!isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const a = Math.abs(v);
  const fix = (x) => (decimals !== undefined && decimals !== null ? x.toFixed(decimals) : String(+x.toPrecision(3)));
  if (a === 0) return fix(0);
  for (const [f, s] of SI) if (a >= f) return fix(v / f) + s;
  if (a >= 1) return fix(v);
  for (const [f, s] of SI_SMALL) if (a >= f) return fix(v / f) + s;
  return v.toExponential(2);
}

export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** Grafana's classic palette: the colours users know their series by. */
export const PALETTE = ['#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0',
  '#508642', '#CCA300', '#447EBC', '#C15C17', '#890F02', '#0A437C', '#6D1F62', '#584477', '#B7DBAB', '#F4D598',
  '#70DBED', '#F9BA8F', '#F29191', '#82B5D8', '#E5A8E2', '#AEA2E0'];

export function color(i) {
  return PALETTE[i % PALETTE.length];
}

/** A message box the pages use for errors and warnings. */
export function alertBox(kind, text) {
  return h(`div.alert.alert-${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
}
