// Panel renderers for Grafana's panel types: timeseries (uPlot through graph.js), stat, gauge,
// bargauge, piechart (SVG), table and text; plus what they share: units, decimals, thresholds,
// named colours, value mappings and reducers. A renderer draws data it is given into a panel's body;
// fetching is dashboards.js's. Problems in a panel's JSON throw PanelProblem naming the field, so
// the dashboard shows them inside that panel only.
import { h, humanize, color, formatDuration, isoTime } from './util.js';
import { drawGraph } from './graph.js';

/** A panel's JSON cannot be drawn: `field` is the path of the culprit inside the panel. */
export class PanelProblem extends Error {
  constructor(field, message) {
    super(field ? `${field}: ${message}` : message);
    this.field = field;
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

// ---------------------------------------------------------------------------------------------
// Colours

/** Grafana's named colours (its "classic" theme shades), so thresholds written for Grafana look the same. */
const NAMED_COLORS = {
  'dark-red': '#C4162A', 'semi-dark-red': '#E02F44', red: '#F2495C', 'light-red': '#FF7383', 'super-light-red': '#FFA6B0',
  'dark-orange': '#FA6400', 'semi-dark-orange': '#FF780A', orange: '#FF9830', 'light-orange': '#FFB357', 'super-light-orange': '#FFCB7D',
  'dark-yellow': '#E0B400', 'semi-dark-yellow': '#F2CC0C', yellow: '#FADE2A', 'light-yellow': '#FFEE52', 'super-light-yellow': '#FFF899',
  'dark-green': '#37872D', 'semi-dark-green': '#56A64B', green: '#73BF69', 'light-green': '#96D98D', 'super-light-green': '#C8F2C2',
  'dark-blue': '#1F60C4', 'semi-dark-blue': '#3274D9', blue: '#5794F2', 'light-blue': '#8AB8FF', 'super-light-blue': '#C0D8FF',
  'dark-purple': '#8F3BB8', 'semi-dark-purple': '#A352CC', purple: '#B877D9', 'light-purple': '#CA95E5', 'super-light-purple': '#DEB6F2',
  text: '#1d2127', transparent: 'transparent',
};
const FALLBACK_COLOR = '#808080';
const hexCache = new Map();

/** A Grafana colour (named, hex, rgb(), any CSS colour) as CSS; unknown names become grey. */
export function resolveColor(c) {
  if (c === undefined || c === null || c === '') return null;
  const s = String(c).trim();
  let out = resolved.get(s);
  if (out === undefined) {
    out = NAMED_COLORS[s.toLowerCase()] ?? (CSS.supports('color', s) ? s : FALLBACK_COLOR);
    resolved.set(s, out);
  }
  return out;
}
const resolved = new Map();

/** A CSS colour as #rrggbb (uPlot's fills append a hex alpha to it). */
export function toHex(c) {
  const css = resolveColor(c) ?? FALLBACK_COLOR;
  if (/^#[0-9a-f]{6}$/i.test(css)) return css;
  let out = hexCache.get(css);
  if (!out) {
    const ctx = toHex.ctx ?? (toHex.ctx = document.createElement('canvas').getContext('2d'));
    ctx.fillStyle = '#808080';
    ctx.fillStyle = css;
    const v = ctx.fillStyle; // '#rrggbb', or 'rgba(r, g, b, a)' for translucent colours
    const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(v);
    out = m ? '#' + [m[1], m[2], m[3]].map((x) => Number(x).toString(16).padStart(2, '0')).join('') : v;
    hexCache.set(css, out);
  }
  return out;
}

/** `c` at `percent` opacity, for fills behind text and lines. */
function translucent(c, percent) {
  return `color-mix(in srgb, ${c} ${percent}%, transparent)`;
}

/** Text colour readable on a background colour. */
function contrastText(bg) {
  const hex = toHex(bg);
  const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
  return 0.299 * r + 0.587 * g + 0.114 * b > 165 ? '#1d2127' : '#fff';
}

// ---------------------------------------------------------------------------------------------
// Units and decimals (Grafana's unit ids)

/**
 * Up to three significant digits, never cutting integer digits; trailing zeros dropped. With a
 * `step` (an axis' tick spacing, in the same scale as v), as many decimals as the step needs, so
 * ticks 455, 457.5, 460 do not all round to whole numbers.
 */
function fixed(v, decimals, step) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  if (decimals !== undefined && decimals !== null && decimals !== '') return v.toFixed(Math.max(0, Math.min(20, Number(decimals))));
  let d;
  // two significant digits of the step at most: a base-10 step in a base-1024 unit is not round anyway
  if (step > 0) d = Math.max(0, Math.min(stepDecimals(step), 1 - Math.floor(Math.log10(step))));
  else if (v === 0) return '0';
  else d = Math.min(Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v)))), 10);
  let s = v.toFixed(d);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/** The decimals that show a step exactly: 5 → 0, 2.5 → 1, 0.05 → 2. */
function stepDecimals(step) {
  for (let d = 0; d < 10; d++) {
    const x = step * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x)) return d;
  }
  return 10;
}

function scaled(v, decimals, factor, suffixes, start = 0, step = undefined) {
  let i = start;
  let x = v;
  let st = step;
  while (Math.abs(x) >= factor && i < suffixes.length - 1) {
    x /= factor;
    st /= factor;
    i++;
  }
  const s = suffixes[i];
  return fixed(x, decimals, st) + (s && !s.startsWith(' ') && !/^[%°]/.test(s) ? ' ' : '') + s;
}

const SHORT = ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept'];
const SI_PREFIX = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const IEC_PREFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

// Unit functions take (value, decimals, step): step is optional, in the value's scale.
function si(symbol, start = 0) {
  return (v, d, st) => scaled(v, d, 1000, SI_PREFIX.map((p) => p + symbol), start, st);
}
function iec(symbol, start = 0) {
  return (v, d, st) => scaled(v, d, 1024, IEC_PREFIX.map((p) => p + symbol), start, st);
}
function count(suffix) {
  return (v, d, st) => scaled(v, d, 1000, SHORT, 0, st) + ' ' + suffix;
}
function suffix(s) {
  return (v, d, st) => fixed(v, d, st) + s;
}
function multiplied(f, by) {
  return (v, d, st) => f(v * by, d, st * by);
}

/** Seconds as Grafana's "s" unit shows them: 950 ms, 12.5 s, 3.2 min, 1.5 hour, ... */
function seconds(v, d, st) {
  const a = Math.abs(v);
  const at = (f, name) => fixed(v * f, d, st * f) + name;
  if (a === 0) return '0 s';
  if (a < 1e-6) return at(1e9, ' ns');
  if (a < 1e-3) return at(1e6, ' µs');
  if (a < 1) return at(1e3, ' ms');
  if (a < 60) return at(1, ' s');
  if (a < 3600) return at(1 / 60, ' min');
  if (a < 86400) return at(1 / 3600, ' hour');
  if (a < 604800) return at(1 / 86400, ' day');
  if (a < 31536000) return at(1 / 604800, ' week');
  return at(1 / 31536000, ' year');
}

const UNITS = {
  none: (v, d, st) => fixed(v, d, st),
  short: (v, d, st) => scaled(v, d, 1000, SHORT, 0, st),
  percent: suffix('%'),
  percentunit: multiplied(suffix('%'), 100),
  humidity: suffix('%H'),
  dB: suffix(' dB'),
  hex: (v) => Math.round(v).toString(16).toUpperCase(),
  hex0x: (v) => '0x' + Math.round(v).toString(16).toUpperCase(),
  sci: (v, d) => v.toExponential(d ?? 2),
  bytes: iec('B'), decbytes: si('B'), bits: iec('b'), decbits: si('b'),
  kbytes: iec('B', 1), mbytes: iec('B', 2), gbytes: iec('B', 3), tbytes: iec('B', 4),
  deckbytes: si('B', 1), decmbytes: si('B', 2), decgbytes: si('B', 3), dectbytes: si('B', 4),
  Bps: si('B/s'), binBps: iec('B/s'), bps: si('b/s'), binbps: iec('b/s'),
  KBs: si('B/s', 1), MBs: si('B/s', 2), GBs: si('B/s', 3), Kbits: si('b/s', 1), Mbits: si('b/s', 2), Gbits: si('b/s', 3),
  KiBs: iec('B/s', 1), MiBs: iec('B/s', 2), GiBs: iec('B/s', 3),
  pps: count('p/s'), reqps: count('req/s'), rps: count('rd/s'), wps: count('wr/s'), iops: count('io/s'),
  ops: count('ops/s'), opm: count('ops/min'), rpm: count('rd/min'), wpm: count('wr/min'), reqpm: count('req/min'),
  cps: count('c/s'), eps: count('evt/s'), mps: count('msg/s'),
  ns: multiplied(seconds, 1e-9), 'µs': multiplied(seconds, 1e-6), us: multiplied(seconds, 1e-6), ms: multiplied(seconds, 1e-3),
  s: seconds, m: multiplied(seconds, 60), h: multiplied(seconds, 3600), d: multiplied(seconds, 86400),
  dtdurations: (v) => formatDuration(Math.round(v)) || '0s',
  dtdurationms: (v) => formatDuration(Math.round(v / 1000)) || '0s',
  dateTimeAsIso: (v) => isoTime(v / 1000), dateTimeAsSystem: (v) => new Date(v).toLocaleString(),
  dateTimeFromNow: (v) => relativeTime(v),
  celsius: suffix('°C'), fahrenheit: suffix('°F'), kelvin: suffix(' K'),
  hertz: si('Hz'), volt: si('V'), amp: si('A'), watt: si('W'), kwatt: si('W', 1), voltamp: si('VA'), joule: si('J'),
  lengthm: si('m'), lengthkm: si('m', 1), massg: si('g'), masskg: si('g', 1),
  currencyUSD: (v, d, st) => '$' + scaled(v, d, 1000, SHORT, 0, st), currencyEUR: (v, d, st) => '€' + scaled(v, d, 1000, SHORT, 0, st),
  currencyGBP: (v, d, st) => '£' + scaled(v, d, 1000, SHORT, 0, st),
  bool: (v) => (v ? 'True' : 'False'), bool_yes_no: (v) => (v ? 'Yes' : 'No'), bool_on_off: (v) => (v ? 'On' : 'Off'),
};

function relativeTime(ms) {
  const s = (Date.now() - ms) / 1000;
  if (!Number.isFinite(s)) return '-';
  return s >= 0 ? `${formatDuration(Math.max(1, Math.round(s)))} ago` : `in ${formatDuration(Math.round(-s))}`;
}

/**
 * A value formatter for a Grafana unit id and decimals: the units above, the custom forms
 * suffix:X, prefix:X, si:X, count:X, currency:X, and for anything else humanize plus the unit
 * as a suffix (what Grafana does with a unit it does not know).
 */
export function unitFormatter(unit, decimals) {
  const d = decimals === null || decimals === undefined || decimals === '' ? undefined : Number(decimals);
  let f;
  if (!unit) f = (v) => (d === undefined ? humanize(v) : humanize(v, d));
  else if (UNITS[unit]) f = UNITS[unit];
  else {
    const m = /^(suffix|prefix|si|count|currency):(.*)$/.exec(unit);
    if (m && m[1] === 'suffix') f = suffix(m[2]);
    else if (m && m[1] === 'prefix') f = (v, dd, st) => m[2] + fixed(v, dd, st);
    else if (m && m[1] === 'si') f = si(m[2]);
    else if (m && m[1] === 'count') f = count(m[2]);
    else if (m && m[1] === 'currency') f = (v, dd, st) => m[2] + scaled(v, dd, 1000, SHORT, 0, st);
    else f = (v) => humanize(v, d) + ' ' + unit;
  }
  // step: an axis' tick spacing, for as many decimals as the ticks need
  return (v, step) => {
    if (v === null || v === undefined) return '-';
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
    return f(v, d, step);
  };
}

// ---------------------------------------------------------------------------------------------
// Field config: defaults, overrides, thresholds, mappings

/**
 * The panel's fieldConfig.defaults with the overrides that match this series applied (by name,
 * name regex or query refId). Property ids are paths: "color", "unit", "custom.fillOpacity".
 */
export function fieldConfig(panel, series) {
  const fc = panel.fieldConfig ?? {};
  if (typeof fc !== 'object' || Array.isArray(fc)) throw new PanelProblem('fieldConfig', 'must be an object');
  const defaults = fc.defaults ?? {};
  if (typeof defaults !== 'object' || Array.isArray(defaults)) throw new PanelProblem('fieldConfig.defaults', 'must be an object');
  const overrides = fc.overrides ?? [];
  if (!Array.isArray(overrides)) throw new PanelProblem('fieldConfig.overrides', 'must be an array');
  // the common case, no overrides, shares one checked copy per panel instead of a deep copy per series
  if (!overrides.length || !series) {
    let base = baseConfigs.get(panel);
    if (!base || base.defaults !== defaults) {
      base = { defaults, config: checkedConfig({ ...defaults, custom: defaults.custom ?? {} }) };
      baseConfigs.set(panel, base);
    }
    return base.config;
  }
  const out = structuredClone(defaults);
  out.custom = out.custom ?? {};
  {
    overrides.forEach((o, i) => {
      const id = o?.matcher?.id;
      const opt = o?.matcher?.options;
      let match = false;
      if (id === 'byName' || id === 'byDisplayName') match = opt === series.name;
      else if (id === 'byRegexp') {
        try { match = regexFromGrafana(String(opt)).test(series.name); } catch (e) {
          throw new PanelProblem(`fieldConfig.overrides[${i}].matcher.options`, `bad regex: ${e.message}`);
        }
      } else if (id === 'byFrameRefID') match = opt === series.refId;
      if (!match) return;
      for (const p of o.properties ?? []) {
        if (typeof p?.id !== 'string') continue;
        const path = p.id.split('.');
        let t = out;
        for (const k of path.slice(0, -1)) t = t[k] = (t[k] && typeof t[k] === 'object' ? t[k] : {});
        t[path[path.length - 1]] = p.value;
      }
    });
  }
  return checkedConfig(out);
}
const baseConfigs = new WeakMap();

function checkedConfig(out) {
  const steps = out.thresholds?.steps;
  if (out.thresholds !== undefined && out.thresholds !== null && !Array.isArray(steps)) {
    throw new PanelProblem('fieldConfig.defaults.thresholds.steps', 'must be an array of {color, value}');
  }
  for (const k of ['min', 'max', 'decimals']) {
    if (out[k] !== undefined && out[k] !== null && typeof out[k] !== 'number') {
      throw new PanelProblem(`fieldConfig.defaults.${k}`, `must be a number, got ${JSON.stringify(out[k])}`);
    }
  }
  if (out.unit !== undefined && out.unit !== null && typeof out.unit !== 'string') {
    throw new PanelProblem('fieldConfig.defaults.unit', `must be a string, got ${JSON.stringify(out.unit)}`);
  }
  return out;
}

/** '/abc/i' (Grafana's regex syntax) or a bare pattern, as a RegExp. */
export function regexFromGrafana(text) {
  const m = /^\/(.*)\/([gimsuy]*)$/s.exec(text);
  return m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(text);
}

/** The colour of `value` under threshold steps (absolute, or percentage of min..max). */
export function thresholdColor(value, thresholds, min, max) {
  const steps = thresholds?.steps ?? [];
  let c = steps[0]?.color ?? 'green';
  if (value === null || value === undefined || Number.isNaN(value)) return resolveColor(c);
  let v = value;
  if (thresholds?.mode === 'percentage') v = max > min ? ((value - min) / (max - min)) * 100 : 0;
  for (const s of steps) {
    if (s === null || typeof s !== 'object') continue;
    if (s.value === null || s.value === undefined || s.value === -Infinity || v >= s.value) c = s.color;
  }
  return resolveColor(c);
}

/** Threshold steps as absolute values within min..max, for gauge bands and bar gradients. */
function absoluteSteps(thresholds, min, max) {
  const steps = (thresholds?.steps ?? []).filter((s) => s && typeof s === 'object');
  return steps.map((s, i) => {
    let v = s.value === null || s.value === undefined ? -Infinity : Number(s.value);
    if (thresholds?.mode === 'percentage' && Number.isFinite(v)) v = min + ((max - min) * v) / 100;
    return { value: i === 0 ? -Infinity : v, color: resolveColor(s.color) ?? FALLBACK_COLOR };
  });
}

/** Grafana value mappings (value, range, special, regex; and the Grafana 7 form) → {text, color} or null. */
export function mapValue(value, mappings) {
  if (!Array.isArray(mappings)) return null;
  for (const m of mappings) {
    if (!m || typeof m !== 'object') continue;
    let r = null;
    if (m.type === 'value' && m.options && typeof m.options === 'object') {
      r = m.options[String(value)] ?? null;
    } else if (m.type === 'range' && m.options) {
      const from = m.options.from ?? -Infinity, to = m.options.to ?? Infinity;
      if (value !== null && value >= from && value <= to) r = m.options.result;
    } else if (m.type === 'special' && m.options) {
      const k = m.options.match;
      if ((k === 'null' || k === 'null+nan') && (value === null || value === undefined)) r = m.options.result;
      else if ((k === 'nan' || k === 'null+nan') && Number.isNaN(value)) r = m.options.result;
      else if (k === 'true' && value === 1) r = m.options.result;
      else if (k === 'false' && value === 0) r = m.options.result;
    } else if (m.type === 'regex' && m.options?.pattern) {
      try { if (regexFromGrafana(m.options.pattern).test(String(value))) r = m.options.result; } catch { /* a bad pattern maps nothing */ }
    } else if (m.type === 1 && String(m.value) === String(value)) {
      r = { text: m.text };
    } else if (m.type === 2 && value !== null && value >= Number(m.from) && value <= Number(m.to)) {
      r = { text: m.text };
    }
    if (r) return { text: r.text, color: r.color ? resolveColor(r.color) : undefined };
  }
  return null;
}

/**
 * How one value shows: text (mapped, or formatted in the unit) and colour (mapping, thresholds,
 * fixed or palette by colour mode). `index` picks the palette colour.
 */
export function displayValue(value, cfg, index, range) {
  const fmt = unitFormatter(cfg.unit, cfg.decimals);
  const mapped = mapValue(value, cfg.mappings);
  const min = range?.min ?? cfg.min ?? 0, max = range?.max ?? cfg.max ?? 100;
  let c;
  const mode = cfg.color?.mode ?? 'thresholds';
  if (mapped?.color) c = mapped.color;
  else if (mode === 'fixed' || mode === 'shades') c = resolveColor(cfg.color?.fixedColor) ?? color(index);
  else if (mode.startsWith('palette')) c = color(index);
  else if (mode.startsWith('continuous')) c = continuousColor(mode, value, min, max);
  else c = thresholdColor(value, cfg.thresholds, min, max);
  let text = mapped?.text !== undefined && mapped.text !== '' ? String(mapped.text) : fmt(value);
  if ((value === null || value === undefined) && cfg.noValue !== undefined) text = String(cfg.noValue);
  return { text, color: c ?? FALLBACK_COLOR, numeric: value };
}

const CONTINUOUS = {
  GrYlRd: ['#73BF69', '#FADE2A', '#F2495C'], RdYlGr: ['#F2495C', '#FADE2A', '#73BF69'], BlYlRd: ['#5794F2', '#FADE2A', '#F2495C'],
  YlRd: ['#FADE2A', '#F2495C'], BlPu: ['#5794F2', '#B877D9'], YlBl: ['#FADE2A', '#5794F2'], blues: ['#C0D8FF', '#1F60C4'],
  reds: ['#FFA6B0', '#C4162A'], greens: ['#C8F2C2', '#37872D'], purples: ['#DEB6F2', '#8F3BB8'],
};

function continuousColor(mode, value, min, max) {
  const stops = CONTINUOUS[mode.replace(/^continuous-/, '')] ?? CONTINUOUS.GrYlRd;
  const f = max > min ? Math.min(1, Math.max(0, (value - min) / (max - min))) : 0;
  const pos = f * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const pct = Math.round((pos - i) * 100);
  return `color-mix(in srgb, ${stops[i + 1]} ${pct}%, ${stops[i]})`;
}

// ---------------------------------------------------------------------------------------------
// Reducers (Grafana's calcs)

const isNum = (v) => v !== null && v !== undefined && !Number.isNaN(v);

export const REDUCERS = {
  lastNotNull: (vs) => { for (let i = vs.length - 1; i >= 0; i--) if (isNum(vs[i])) return vs[i]; return null; },
  last: (vs) => (vs.length ? vs[vs.length - 1] : null),
  firstNotNull: (vs) => vs.find(isNum) ?? null,
  first: (vs) => (vs.length ? vs[0] : null),
  mean: (vs) => { const n = vs.filter(isNum); return n.length ? n.reduce((a, b) => a + b, 0) / n.length : null; },
  max: (vs) => { const n = vs.filter(isNum); return n.length ? Math.max(...n) : null; },
  min: (vs) => { const n = vs.filter(isNum); return n.length ? Math.min(...n) : null; },
  sum: (vs) => { const n = vs.filter(isNum); return n.length ? n.reduce((a, b) => a + b, 0) : null; },
  count: (vs) => vs.filter(isNum).length,
  range: (vs) => { const n = vs.filter(isNum); return n.length ? Math.max(...n) - Math.min(...n) : null; },
  diff: (vs) => { const n = vs.filter(isNum); return n.length ? n[n.length - 1] - n[0] : null; },
  diffperc: (vs) => { const n = vs.filter(isNum); return n.length && n[0] !== 0 ? (n[n.length - 1] - n[0]) / n[0] : null; },
  // the increase of a counter over the window, counting resets as Grafana does
  delta: (vs) => {
    const n = vs.filter(isNum);
    let d = 0;
    for (let i = 1; i < n.length; i++) d += n[i] >= n[i - 1] ? n[i] - n[i - 1] : n[i];
    return n.length ? d : null;
  },
  changeCount: (vs) => { const n = vs.filter(isNum); let c = 0; for (let i = 1; i < n.length; i++) if (n[i] !== n[i - 1]) c++; return c; },
  distinctCount: (vs) => new Set(vs.filter(isNum)).size,
  median: (vs) => {
    const n = vs.filter(isNum).sort((a, b) => a - b);
    return n.length ? (n.length % 2 ? n[(n.length - 1) / 2] : (n[n.length / 2 - 1] + n[n.length / 2]) / 2) : null;
  },
  stdDev: (vs) => {
    const n = vs.filter(isNum);
    if (!n.length) return null;
    const m = n.reduce((a, b) => a + b, 0) / n.length;
    return Math.sqrt(n.reduce((a, b) => a + (b - m) ** 2, 0) / n.length);
  },
  allIsNull: (vs) => (vs.every((v) => !isNum(v)) ? 1 : 0),
  allIsZero: (vs) => (vs.every((v) => v === 0) ? 1 : 0),
};
// Grafana 7's names and singlestat's valueName
const REDUCER_ALIASES = { current: 'lastNotNull', avg: 'mean', total: 'sum', last_time: 'last' };
const REDUCER_TITLES = { lastNotNull: 'Last *', last: 'Last', firstNotNull: 'First *', first: 'First', mean: 'Mean', max: 'Max',
  min: 'Min', sum: 'Total', count: 'Count', range: 'Range', diff: 'Difference', delta: 'Delta', median: 'Median' };

export function reducer(name, field = 'options.reduceOptions.calcs') {
  const n = REDUCER_ALIASES[name] ?? name;
  const f = REDUCERS[n];
  if (!f) throw new PanelProblem(field, `unknown calculation "${name}" (known: ${Object.keys(REDUCERS).join(', ')})`);
  return f;
}

/** The reducer a stat-like panel uses: options.reduceOptions.calcs[0] (lastNotNull by default). */
function panelReducer(panel) {
  const calcs = panel.options?.reduceOptions?.calcs;
  if (calcs !== undefined && !Array.isArray(calcs)) throw new PanelProblem('options.reduceOptions.calcs', 'must be an array');
  return reducer(calcs?.[0] ?? (panel.valueName ? panel.valueName : 'lastNotNull'));
}

// ---------------------------------------------------------------------------------------------
// Layout helpers

/** How many columns to lay n tiles out in, so that the smallest side of a tile is largest. */
function gridFor(n, width, height, aspect = 1) {
  let best = 1, bestSize = -1;
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const size = Math.min(width / cols / aspect, height / rows);
    if (size > bestSize) { best = cols; bestSize = size; }
  }
  return { cols: best, rows: Math.ceil(n / best) };
}

/** A font size at which `text` fits the box: bold digits are about 0.68 em wide. */
function fontFor(text, width, height, maxPx = 72) {
  return Math.max(10, Math.min(maxPx, height, (width - 8) / (Math.max(3, text.length) * 0.68)));
}

function noData(body, cfg) {
  body.append(h('div.panel-nodata', cfg?.noValue !== undefined ? String(cfg.noValue) : 'No data'));
  return { empty: true };
}

/** Series of a data set as [{name, refId, metric, value}] after reduction (instant results have one point). */
function reduceSeries(panel, data) {
  const reduce = panelReducer(panel);
  return data.series.map((s) => ({ ...s, value: reduce(s.values) }));
}

function sparkline(values, c, width, height) {
  const n = values.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isNum(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  if (!Number.isFinite(lo) || n < 2) return null;
  if (hi === lo) { hi += 1; lo -= 1; }
  // one point per 2 px of a 200 px wide box is all a sparkline shows
  const every = Math.max(1, Math.floor(n / (width / 2)));
  let line = '';
  let first = null, last = null, count = 0;
  for (let i = 0; i < n; i += every) {
    const v = values[i];
    if (!isNum(v)) continue;
    const x = Math.round((i / (n - 1)) * width * 10) / 10;
    line += `${x},${Math.round((height - ((v - lo) / (hi - lo)) * (height - 2) - 1) * 10) / 10} `;
    if (first === null) first = x;
    last = x;
    count++;
  }
  if (count < 2) return null;
  return svg('svg', { class: 'stat-spark', viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', width: '100%', height },
    svg('polygon', { points: `${first},${height} ${line}${last},${height}`, fill: translucent(c, 18), stroke: 'none' }),
    svg('polyline', { points: line, fill: 'none', stroke: c, 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
}

// ---------------------------------------------------------------------------------------------
// Renderers. Each takes (body, ctx) with ctx = {panel, data, width, height, onZoom} where data =
// {kind: 'range'|'instant', xs, start, end, step, series: [{name, refId, metric, values}]} and
// returns {empty?, points?(), append?(xs, ys, keepFrom), destroy?()}.

function timeseries(body, { panel, data, width, height, onZoom }) {
  const custom0 = panel.fieldConfig?.defaults?.custom ?? {};
  const configs = data.series.map((s) => fieldConfig(panel, s));
  const cfg = configs[0] ?? fieldConfig(panel);
  const legacy = panel.type === 'graph';
  const stackMode = legacy ? (panel.stack ? (panel.percentage ? 'percent' : 'normal') : 'none') : (custom0.stacking?.mode ?? 'none');
  let unit = legacy ? panel.yaxes?.[0]?.format : cfg.unit;
  if (stackMode === 'percent') unit = 'percentunit';
  const fmt = unitFormatter(unit, cfg.decimals);
  const visible = data.series.map((s, i) => !configs[i].custom?.hideFrom?.viz);
  if (!data.series.some((s) => s.values.some(isNum))) return noData(body, cfg);
  // custom.transform negative-Y (Grafana's "transmit below the axis") flips a series
  const signs = configs.map((c) => (c.custom?.transform === 'negative-Y' ? -1 : 1));
  const shown = (cols) => cols.map((col, i) => (!visible[i] ? col.map(() => null) : signs[i] < 0 ? col.map((v) => (v === null ? null : -v)) : col));
  const percent = (ys) => {
    if (stackMode !== 'percent') return ys;
    return ys.map((col, i) => col.map((v, j) => {
      if (v === null) return null;
      let sum = 0;
      for (const c of ys) sum += c[j] ?? 0;
      return sum ? v / sum : 0;
    }));
  };
  const series = data.series.map((s, i) => ({
    name: configs[i].displayName ? String(configs[i].displayName) : s.name,
    color: toHex(configs[i].color?.mode === 'fixed' ? configs[i].color.fixedColor : color(i)),
  }));
  const legendOpts = panel.options?.legend ?? {};
  const showLegend = legacy ? panel.legend?.show !== false
    : legendOpts.showLegend !== false && legendOpts.displayMode !== 'hidden';
  const legendRight = legendOpts.placement === 'right';
  const calcs = (legendOpts.calcs ?? []).filter((c) => REDUCERS[REDUCER_ALIASES[c] ?? c]);
  const fill = legacy ? (panel.fill ?? 1) / 10 : (custom0.fillOpacity ?? 0) / 100;

  const wrap = h('div.ts' + (legendRight ? '.ts-right' : ''));
  body.append(wrap);
  const graphBox = h('div.ts-graph');
  wrap.append(graphBox);
  let legendEl = null;
  let rows = [];
  if (showLegend) {
    const table = calcs.length > 0 || legendOpts.displayMode === 'table';
    legendEl = h(table ? 'table.ts-legend.ts-legend-table' : 'div.ts-legend');
    if (table) legendEl.append(h('tr', h('th', ''), calcs.map((c) => h('th', REDUCER_TITLES[c] ?? c))));
    rows = series.map((s, i) => {
      if (!visible[i] || configs[i].custom?.hideFrom?.legend) return null;
      const cells = calcs.map(() => h('td.num'));
      const row = table
        ? h('tr.ts-legend-item', h('td', h('span.swatch', { style: { background: s.color } }), ' ', s.name), cells)
        : h('div.ts-legend-item', h('span.swatch', { style: { background: s.color } }), h('span', s.name));
      row.addEventListener('click', () => isolate(i));
      legendEl.append(row);
      return { row, cells };
    });
    wrap.append(legendEl);
  }
  // the legend's height estimated, not measured: reading offsetHeight would lay out the page once per panel
  let legendH = 0;
  if (legendEl && !legendRight) {
    const shown = rows.filter(Boolean);
    const lines = legendEl.tagName === 'TABLE' ? shown.length + 1
      : Math.ceil(shown.reduce((w, r) => w + 28 + 7 * r.row.textContent.length, 0) / Math.max(100, width));
    legendH = Math.min(lines * 17 + 2, Math.round(height * 0.4));
    legendEl.style.maxHeight = legendH + 'px';
  }
  const graphH = Math.max(60, height - legendH - 4);
  const ys = percent(shown(data.series.map((s) => s.values)));
  // soft limits widen the axis to include them, hard ones (min, max) fix it
  let lo = Infinity, hi = -Infinity;
  for (const col of ys) for (const v of col) if (v !== null) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const soft = (limit, dataEdge, pick) => (Number.isFinite(limit) && Number.isFinite(dataEdge) ? pick(limit, dataEdge) : undefined);
  const graph = drawGraph(graphBox, {
    series,
    xs: data.xs,
    ys,
    stacked: stackMode !== 'none',
    format: fmt,
    min: stackMode === 'percent' ? 0 : (legacy ? numOrUndef(panel.yaxes?.[0]?.min) : cfg.min ?? soft(custom0.axisSoftMin, lo, Math.min)),
    max: stackMode === 'percent' ? 1 : (legacy ? numOrUndef(panel.yaxes?.[0]?.max) : cfg.max ?? (stackMode === 'none' ? soft(custom0.axisSoftMax, hi, Math.max) : undefined)),
    height: graphH,
    fillOpacity: fill,
    legend: false,
    onZoom,
  });
  tuneYAxis(graph.plot, fmt);
  let raw = data.series.map((s) => s.values);
  function updateCalcs() {
    if (!calcs.length) return;
    rows.forEach((r, i) => {
      if (!r) return;
      calcs.forEach((c, j) => { r.cells[j].textContent = fmt(reducer(c)(raw[i])); });
    });
  }
  function isolate(i) {
    const plot = graph.plot;
    const onlyThis = plot.series.every((s, j) => j === 0 || (j === i + 1) === s.show);
    plot.batch(() => { for (let j = 1; j < plot.series.length; j++) plot.setSeries(j, { show: onlyThis || j === i + 1 }); });
    rows.forEach((r, j) => r?.row.classList.toggle('off', !plot.series[j + 1].show));
  }
  updateCalcs();
  return {
    /** Points with a value: what grows while live updates fill a window that slides. */
    points: () => raw.reduce((n, col) => n + col.reduce((k, v) => k + (v === null ? 0 : 1), 0), 0),
    last: () => graph.data.xs[graph.data.xs.length - 1],
    append(xs, newYs, keepFrom) {
      let drop = 0;
      const oldXs = graph.data.xs;
      if (keepFrom !== undefined) while (drop < oldXs.length && oldXs[drop] < keepFrom) drop++;
      const last = oldXs.length ? oldXs[oldXs.length - 1] : -Infinity;
      let skip = 0;
      while (skip < xs.length && xs[skip] <= last) skip++;
      raw = raw.map((col, i) => col.slice(drop).concat((newYs[i] ?? xs.map(() => null)).slice(skip)));
      if (stackMode === 'percent') graph.setData(oldXs.slice(drop).concat(xs.slice(skip)), percent(shown(raw)));
      else graph.append(xs, shown(newYs), keepFrom);
      updateCalcs();
    },
    destroy: () => graph.destroy(),
  };
}

/**
 * The y axis' labels with as many decimals as the tick spacing needs, and the axis as wide as its
 * longest label (uPlot's axis-autosize recipe): units such as "1.5 MiB/s" do not fit the fixed
 * width graph.js gives it.
 */
function tuneYAxis(plot, fmt) {
  const axis = plot.axes[1];
  if (!axis) return;
  axis.values = (u, splits, axisIdx, space, incr) => splits.map((v) => fmt(v, incr));
  axis.size = (u, values, axisIdx, cycleNum) => {
    const a = u.axes[axisIdx];
    if (cycleNum > 1) return a._size; // uPlot re-runs sizing until it settles; stop it going round
    let longest = '';
    for (const v of values ?? []) if (v && v.length > longest.length) longest = v;
    if (!longest) return 40;
    u.ctx.font = a.font?.[0] ?? '12px system-ui';
    return Math.ceil((a.ticks?.size ?? 10) + (a.gap ?? 5) + u.ctx.measureText(longest).width / devicePixelRatio + 4);
  };
  plot.redraw(false, true);
}

function numOrUndef(v) {
  return v === null || v === undefined || v === '' ? undefined : Number(v);
}

function stat(body, { panel, data, width, height }) {
  const items = reduceSeries(panel, data);
  const cfg0 = fieldConfig(panel);
  if (!items.length) return noData(body, cfg0);
  const o = panel.options ?? {};
  const colorMode = panel.type === 'singlestat' ? (panel.colorBackground ? 'background' : panel.colorValue ? 'value' : 'none') : (o.colorMode ?? 'value');
  const textMode = o.textMode ?? 'auto';
  const graphMode = panel.type === 'singlestat' ? (panel.sparkline?.show ? 'area' : 'none') : (o.graphMode ?? 'area');
  const horizontal = o.orientation === 'horizontal' || (o.orientation !== 'vertical' && width >= height);
  const n = items.length;
  const cols = horizontal ? Math.min(n, Math.max(1, Math.floor(width / 120))) : Math.max(1, Math.ceil(n / Math.max(1, Math.floor(height / 60))));
  const grid = n <= cols ? { cols: n, rows: 1 } : { cols, rows: Math.ceil(n / cols) };
  const tileW = width / grid.cols - 6, tileH = height / grid.rows - 6;
  const box = h('div.stat-grid', { style: { gridTemplateColumns: `repeat(${grid.cols}, 1fr)` } });
  items.forEach((s, i) => {
    const cfg = fieldConfig(panel, s);
    const d = displayValue(s.value, cfg, i);
    const name = cfg.displayName ? String(cfg.displayName) : s.name;
    const showName = textMode === 'name' || textMode === 'value_and_name' || (textMode === 'auto' && n > 1);
    const showValue = textMode !== 'name' && textMode !== 'none';
    const tile = h('div.stat-tile');
    const spark = graphMode === 'area' && data.kind === 'range' && tileH >= 50 ? sparkline(s.values, colorMode === 'background' ? '#ffffff' : d.color, 200, Math.round(tileH * 0.4)) : null;
    if (colorMode === 'background' || colorMode === 'background_solid') {
      tile.style.background = colorMode === 'background' ? `linear-gradient(120deg, ${d.color}, ${translucent(d.color, 80)})` : d.color;
      tile.style.color = contrastText(d.color);
    }
    const valueEl = h('div.stat-value', d.text);
    if (colorMode === 'value') valueEl.style.color = d.color;
    const nameFont = Math.max(10, Math.min(16, tileH * 0.16));
    const valueFont = fontFor(d.text, tileW - 8, (tileH - (showName ? nameFont * 1.6 : 0)) * 0.75);
    valueEl.style.fontSize = valueFont + 'px';
    if (showName) tile.append(h('div.stat-name', { style: { fontSize: nameFont + 'px' }, title: name }, name));
    if (showValue) tile.append(valueEl);
    if (spark) tile.append(spark);
    tile.dataset.value = s.value ?? '';
    box.append(tile);
  });
  body.append(box);
  return {};
}

/** min/max of gauge-like panels: the field's, else 0..100 (percent), 0..1 (percentunit) or the data's. */
function valueRange(cfg, values) {
  let min = cfg.min, max = cfg.max;
  const finite = values.filter((v) => Number.isFinite(v));
  if (min === undefined || min === null) min = cfg.unit === 'percent' || cfg.unit === 'percentunit' ? 0 : Math.min(0, ...finite);
  if (max === undefined || max === null) {
    max = cfg.unit === 'percent' ? 100 : cfg.unit === 'percentunit' ? 1 : Math.max(...finite, min + 1);
    if (cfg.thresholds?.mode !== 'percentage') {
      for (const s of cfg.thresholds?.steps ?? []) if (Number.isFinite(s?.value)) max = Math.max(max, s.value);
    }
  }
  return { min, max: max > min ? max : min + 1 };
}

/** A point on a circle, angle in degrees clockwise from 12 o'clock. */
function polar(cx, cy, r, deg) {
  const a = (deg * Math.PI) / 180;
  return [cx + r * Math.sin(a), cy - r * Math.cos(a)];
}

function arcPath(cx, cy, r, from, to) {
  const [x1, y1] = polar(cx, cy, r, from);
  const [x2, y2] = polar(cx, cy, r, to);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 ${to - from > 180 ? 1 : 0} 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

function gauge(body, { panel, data, width, height }) {
  const items = reduceSeries(panel, data);
  const cfg0 = fieldConfig(panel);
  if (!items.length) return noData(body, cfg0);
  const o = panel.options ?? {};
  const showMarkers = o.showThresholdMarkers !== false;
  const { cols, rows } = gridFor(items.length, width, height, 1.1);
  const box = h('div.gauge-grid', { style: { gridTemplateColumns: `repeat(${cols}, 1fr)` } });
  const SWEEP = 120; // degrees either side of 12 o'clock, as Grafana's gauge
  items.forEach((s, i) => {
    const cfg = fieldConfig(panel, s);
    const range = valueRange(cfg, items.map((x) => x.value));
    const d = displayValue(s.value, cfg, i, range);
    const name = cfg.displayName ? String(cfg.displayName) : s.name;
    const showName = items.length > 1 || o.textMode === 'value_and_name';
    const cx = 100, cy = 100, r = 80;
    const frac = isNum(s.value) ? Math.min(1, Math.max(0, (s.value - range.min) / (range.max - range.min))) : 0;
    const g = svg('svg', { viewBox: showName ? '0 0 200 190' : '0 0 200 175', class: 'gauge-svg', role: 'img', 'aria-label': `${name}: ${d.text}` });
    g.append(svg('path', { d: arcPath(cx, cy, r, -SWEEP, SWEEP), fill: 'none', stroke: '#e6e8eb', 'stroke-width': 16 }));
    if (frac > 0.001) {
      g.append(svg('path', { d: arcPath(cx, cy, r, -SWEEP, -SWEEP + 2 * SWEEP * frac), fill: 'none', stroke: d.color, 'stroke-width': 16 }));
    }
    if (showMarkers && (cfg.color?.mode ?? 'thresholds') === 'thresholds') {
      const steps = absoluteSteps(cfg.thresholds, range.min, range.max);
      steps.forEach((st, j) => {
        const lo = Math.max(range.min, st.value), hi = Math.min(range.max, steps[j + 1]?.value ?? range.max);
        if (!(hi > lo)) return;
        const a = -SWEEP + (2 * SWEEP * (lo - range.min)) / (range.max - range.min);
        const b = -SWEEP + (2 * SWEEP * (hi - range.min)) / (range.max - range.min);
        g.append(svg('path', { d: arcPath(cx, cy, r + 13, a, b), fill: 'none', stroke: st.color, 'stroke-width': 5 }));
      });
    }
    const fs = Math.min(34, 180 / (Math.max(3, d.text.length) * 0.6));
    g.append(svg('text', { x: cx, y: cy + fs * 0.35, 'text-anchor': 'middle', 'font-size': fs, fill: d.color, 'font-weight': 600 }, d.text));
    if (showName) g.append(svg('text', { x: cx, y: 178, 'text-anchor': 'middle', 'font-size': 13, fill: '#555' }, name.length > 28 ? name.slice(0, 27) + '…' : name));
    g.style.maxHeight = (height / rows - 4) + 'px';
    const tile = h('div.gauge-tile', { title: `${name}: ${d.text}`, dataset: { value: s.value ?? '' } }, g);
    box.append(tile);
  });
  body.append(box);
  return {};
}

function bargauge(body, { panel, data, width, height }) {
  const items = reduceSeries(panel, data);
  const cfg0 = fieldConfig(panel);
  if (!items.length) return noData(body, cfg0);
  const o = panel.options ?? {};
  const mode = o.displayMode ?? 'gradient';
  const vertical = o.orientation === 'vertical' || (o.orientation === 'auto' && height > width * 1.2);
  const n = items.length;
  const rowH = vertical ? height : Math.max(18, Math.min(60, (height - 4) / n - 4));
  // one grid for all bars (rows are display: contents), so names, bars and values line up
  const box = h('div.bargauge' + (vertical ? '.bargauge-v' : ''), { style: vertical ? {} : { gridAutoRows: rowH + 'px' } });
  items.forEach((s, i) => {
    const cfg = fieldConfig(panel, s);
    const range = valueRange(cfg, items.map((x) => x.value));
    const d = displayValue(s.value, cfg, i, range);
    const name = cfg.displayName ? String(cfg.displayName) : s.name;
    const frac = isNum(s.value) ? Math.min(1, Math.max(0, (s.value - range.min) / (range.max - range.min))) : 0;
    const fill = h('div.bar-fill');
    const pct = (frac * 100).toFixed(2) + '%';
    if (vertical) fill.style.height = pct; else fill.style.width = pct;
    if (mode === 'lcd') {
      const cells = 20;
      fill.style.background = 'none';
      fill.style.width = fill.style.height = '100%';
      fill.classList.add('bar-lcd');
      for (let k = 0; k < cells; k++) {
        const v = range.min + ((k + 0.5) / cells) * (range.max - range.min);
        const c = (cfg.color?.mode ?? 'thresholds') === 'thresholds' ? thresholdColor(v, cfg.thresholds, range.min, range.max) : d.color;
        fill.append(h('span', { style: { background: (k + 0.5) / cells <= frac ? c : translucent(c, 15) } }));
      }
    } else if (mode === 'gradient' && (cfg.color?.mode ?? 'thresholds') === 'thresholds') {
      // each threshold's colour where its range starts along the filled part, blending between them
      const steps = absoluteSteps(cfg.thresholds, range.min, range.max);
      const upTo = isNum(s.value) ? s.value : range.min;
      const stops = [];
      for (let j = 0; j < steps.length; j++) {
        const at = Math.max(range.min, steps[j].value);
        if (at > upTo) break;
        const p = upTo > range.min ? ((at - range.min) / (upTo - range.min)) * 100 : 0;
        stops.push(`${j === 0 ? translucent(steps[j].color, 55) : steps[j].color} ${p.toFixed(1)}%`);
      }
      if (stops.length > 1) stops.push(`${d.color} 100%`);
      fill.style.background = stops.length > 1 ? `linear-gradient(${vertical ? 'to top' : 'to right'}, ${stops.join(', ')})` : d.color;
    } else {
      fill.style.background = d.color;
    }
    const track = h('div.bar-track' + (o.showUnfilled === false ? '.bar-track-bare' : ''), fill);
    const valueEl = h('div.bar-value', { style: { color: o.valueMode === 'text' ? 'inherit' : d.color } }, d.text);
    const row = h('div.bar-row', { title: `${name}: ${d.text}`, dataset: { value: s.value ?? '' } },
      h('div.bar-name', name), track, valueEl);
    if (!vertical) valueEl.style.fontSize = Math.max(11, Math.min(22, rowH * 0.55)) + 'px';
    box.append(row);
  });
  body.append(box);
  return {};
}

function piechart(body, { panel, data, width, height }) {
  const items = reduceSeries(panel, data).filter((s) => isNum(s.value));
  const cfg0 = fieldConfig(panel);
  if (!items.length) return noData(body, cfg0);
  const o = panel.options ?? {};
  const legend = o.legend ?? {};
  const showLegend = legend.showLegend !== false && legend.displayMode !== 'hidden';
  const right = legend.placement !== 'bottom';
  const legendValues = legend.values ?? [];
  const labels = o.displayLabels ?? [];
  const total = items.reduce((a, s) => a + Math.max(0, s.value), 0);
  const slices = items.map((s, i) => {
    const cfg = fieldConfig(panel, s);
    const c = cfg.color?.mode === 'fixed' ? resolveColor(cfg.color.fixedColor) : mapValue(s.value, cfg.mappings)?.color ?? color(i);
    return { name: cfg.displayName ? String(cfg.displayName) : s.name, value: s.value, color: c, fmt: unitFormatter(cfg.unit, cfg.decimals),
      pct: total > 0 ? Math.max(0, s.value) / total : 0 };
  });
  const wrap = h('div.pie' + (right ? '.pie-right' : '.pie-bottom'));
  const R = 100, inner = o.pieType === 'donut' ? 60 : 0;
  const g = svg('svg', { viewBox: '-105 -105 210 210', class: 'pie-svg', role: 'img' });
  if (total <= 0) {
    g.append(svg('circle', { cx: 0, cy: 0, r: R, fill: '#e6e8eb' }));
  } else {
    let angle = 0;
    for (const sl of slices) {
      if (sl.pct <= 0) continue;
      const sweep = sl.pct * 360;
      const title = svg('title', {}, `${sl.name}: ${sl.fmt(sl.value)} (${(sl.pct * 100).toFixed(1)}%)`);
      if (sl.pct >= 0.9999) {
        g.append(svg('circle', { cx: 0, cy: 0, r: R, fill: sl.color }, title));
      } else {
        const [x1, y1] = polar(0, 0, R, angle), [x2, y2] = polar(0, 0, R, angle + sweep);
        const large = sweep > 180 ? 1 : 0;
        g.append(svg('path', { d: `M 0 0 L ${x1.toFixed(2)} ${y1.toFixed(2)} A ${R} ${R} 0 ${large} 1 ${x2.toFixed(2)} ${y2.toFixed(2)} Z`,
          fill: sl.color, stroke: '#fff', 'stroke-width': 1 }, title));
      }
      if (labels.length && sl.pct > 0.06) {
        const [lx, ly] = polar(0, 0, inner ? (R + inner) / 2 : R * 0.62, angle + sweep / 2);
        const text = labels.map((l) => (l === 'percent' ? `${(sl.pct * 100).toFixed(0)}%` : l === 'value' ? sl.fmt(sl.value) : sl.name)).join(' ');
        g.append(svg('text', { x: lx.toFixed(1), y: ly.toFixed(1), 'text-anchor': 'middle', 'dominant-baseline': 'middle', 'font-size': 11,
          fill: contrastText(sl.color), 'pointer-events': 'none' }, text.length > 18 ? text.slice(0, 17) + '…' : text));
      }
      angle += sweep;
    }
    if (inner) g.append(svg('circle', { cx: 0, cy: 0, r: inner, style: 'fill: var(--panel)' }));
  }
  const size = right ? Math.min(height, width * (showLegend ? 0.55 : 1)) : Math.min(width, height * (showLegend ? 0.65 : 1));
  g.style.width = g.style.height = Math.max(40, size - 4) + 'px';
  wrap.append(h('div.pie-chart', g));
  if (showLegend) {
    const table = legend.displayMode === 'table' || legendValues.length > 0;
    const lg = h(table ? 'table.pie-legend' : 'div.pie-legend');
    if (table) {
      lg.append(h('tr', h('th', ''), legendValues.map((v) => h('th', v === 'percent' ? 'Percent' : 'Value'))));
      for (const sl of slices) {
        lg.append(h('tr', h('td', h('span.swatch', { style: { background: sl.color } }), ' ', sl.name),
          legendValues.map((v) => h('td.num', v === 'percent' ? `${(sl.pct * 100).toFixed(1)}%` : sl.fmt(sl.value)))));
      }
    } else {
      for (const sl of slices) lg.append(h('div.pie-legend-item', h('span.swatch', { style: { background: sl.color } }), ' ', sl.name));
    }
    wrap.append(h('div.pie-legend-box', lg));
  }
  body.append(wrap);
  return {};
}

function table(body, { panel, data }) {
  const cfg = fieldConfig(panel);
  if (!data.series.length) return noData(body, cfg);
  const fmt = unitFormatter(cfg.unit, cfg.decimals);
  const multi = new Set(data.series.map((s) => s.refId)).size > 1;
  let columns, rows;
  if (data.kind === 'instant') {
    const labelNames = [...new Set(data.series.flatMap((s) => Object.keys(s.metric)))].sort((a, b) => (a === '__name__' ? -1 : b === '__name__' ? 1 : a.localeCompare(b)));
    const refIds = [...new Set(data.series.map((s) => s.refId))];
    columns = [...labelNames.map((n) => ({ title: n === '__name__' ? 'Metric' : n })), ...refIds.map((r) => ({ title: multi ? `Value #${r}` : 'Value', numeric: true }))];
    // rows join the queries' series on their labels, as Grafana's table does for format=table
    const byKey = new Map();
    for (const s of data.series) {
      const key = labelNames.map((n) => s.metric[n] ?? '').join('\u0000');
      let row = byKey.get(key);
      if (!row) byKey.set(key, row = [...labelNames.map((n) => s.metric[n] ?? ''), ...refIds.map(() => null)]);
      row[labelNames.length + refIds.indexOf(s.refId)] = REDUCERS.lastNotNull(s.values);
    }
    rows = [...byKey.values()];
  } else {
    columns = [{ title: 'Time' }, ...data.series.map((s) => ({ title: s.name, numeric: true }))];
    rows = [];
    for (let i = data.xs.length - 1; i >= 0 && rows.length < 1000; i--) {
      if (data.series.every((s) => !isNum(s.values[i]))) continue;
      rows.push([data.xs[i], ...data.series.map((s) => s.values[i])]);
    }
  }
  const tbl = h('table.data.panel-table');
  let sortBy = -1, desc = false;
  const head = h('tr', columns.map((c, i) => h('th', { onclick: () => { desc = sortBy === i ? !desc : false; sortBy = i; draw(); } }, c.title)));
  const tbody = h('tbody');
  tbl.append(h('thead', head), tbody);
  function cell(v, c, i) {
    if (data.kind === 'range' && i === 0) return h('td.mono', new Date(v * 1000).toLocaleString());
    if (c.numeric) {
      const d = displayValue(v, cfg, 0);
      const mode = cfg.custom?.cellOptions?.type ?? cfg.custom?.displayMode;
      const td = h('td.num', mapValue(v, cfg.mappings)?.text ?? fmt(v));
      if (mode === 'color-text') td.style.color = d.color;
      else if (mode === 'color-background') { td.style.background = d.color; td.style.color = contrastText(d.color); }
      return td;
    }
    return h('td', v);
  }
  function draw() {
    const sorted = sortBy < 0 ? rows : [...rows].sort((a, b) => {
      const x = a[sortBy], y = b[sortBy];
      const r = typeof x === 'number' || typeof y === 'number' ? (x ?? -Infinity) - (y ?? -Infinity) : String(x).localeCompare(String(y));
      return desc ? -r : r;
    });
    tbody.replaceChildren(...sorted.map((r) => h('tr', r.map((v, i) => cell(v, columns[i], i)))));
    head.querySelectorAll('th').forEach((th, i) => th.classList.toggle('sorted', i === sortBy));
  }
  draw();
  body.append(h('div.panel-table-box', tbl));
  return {};
}

function text(body, { panel, interpolate }) {
  const o = panel.options ?? {};
  const mode = o.mode ?? panel.mode ?? 'markdown';
  let content = o.content ?? panel.content ?? '';
  if (typeof content !== 'string') throw new PanelProblem('options.content', 'must be a string');
  if (interpolate) content = interpolate(content);
  const box = h('div.panel-text');
  if (mode === 'html') box.append(sanitizeHtml(content));
  else if (mode === 'code') box.append(h('pre', content));
  else if (mode === 'markdown') box.append(renderMarkdown(content));
  else throw new PanelProblem('options.mode', `unknown text mode "${mode}" (markdown, html or code)`);
  body.append(box);
  return {};
}

/** Panel type → renderer; Grafana's pre-7 "graph" and "singlestat" are drawn by their successors. */
export const RENDERERS = { timeseries, graph: timeseries, stat, singlestat: stat, gauge, bargauge, piechart, table, text };

/** Whether the type shows query results (text panels do not query). */
export function needsData(type) {
  return type !== 'text';
}

/** Draws data into body with the renderer of the panel's type; throws PanelProblem for an unknown type. */
export function renderPanel(body, ctx) {
  const type = ctx.panel.type;
  const r = RENDERERS[type];
  if (!r) {
    throw new PanelProblem('type', `unknown panel type "${type}"; Vigil draws ${Object.keys(RENDERERS).filter((t) => t !== 'graph' && t !== 'singlestat').join(', ')} and row`);
  }
  return r(body, ctx) ?? {};
}

// ---------------------------------------------------------------------------------------------
// Safe text: markdown to DOM nodes (never innerHTML), and an allowlist HTML sanitizer

const SAFE_URL = /^(https?:|mailto:|\/|#|\.{1,2}\/|[^:/?#]*(?:[/?#]|$))/i;

function link(href, children) {
  if (!SAFE_URL.test(href.trim())) return h('span', children);
  const external = /^https?:/i.test(href);
  return h('a', { href, target: external ? '_blank' : null, rel: external ? 'noopener noreferrer' : null }, children);
}

const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|\*([^*\s](?:[^*]*[^*\s])?)\*|\b_([^_\s](?:[^_]*[^_\s])?)_\b|!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"([^"]*)")?\s*\)|<(https?:\/\/[^>\s]+)>|(https?:\/\/[^\s<]+[^\s<.,;:!?)\]'"])|( {2,}\n|\\\n)/g;

/** Inline markdown (code, bold, italic, links, autolinks, hard breaks) as nodes. */
function inline(text) {
  const out = [];
  let last = 0;
  // matchAll works on a copy of the regex: the recursion for nested marks must not move this loop's position
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1]) out.push(h('code', m[2].trim()));
    else if (m[3] !== undefined || m[4] !== undefined) out.push(h('strong', inline(m[3] ?? m[4])));
    else if (m[5] !== undefined || m[6] !== undefined) out.push(h('em', inline(m[5] ?? m[6])));
    else if (m[8] !== undefined) out.push(link(m[8], inline(m[7] || m[8])));
    else if (m[10] !== undefined) out.push(link(m[10], m[10]));
    else if (m[11] !== undefined) out.push(link(m[11], m[11]));
    else if (m[12] !== undefined) out.push(h('br'));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const BLOCK_START = /^\s{0,3}(#{1,6}\s|```|~~~|>|([-*+]|\d{1,9}[.)])\s|([-*_])(\s*\3){2,}\s*$)/;

/** Markdown (headings, paragraphs, lists, quotes, code blocks, rules, inline marks) as a DOM fragment. */
export function renderMarkdown(src) {
  const frag = document.createDocumentFragment();
  const lines = String(src).replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (/^\s*$/.test(line)) { i++; continue; }
    if ((m = /^\s{0,3}(```|~~~)/.exec(line))) {
      const fence = m[1];
      const code = [];
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence); i++) code.push(lines[i]);
      i++;
      frag.append(h('pre', h('code', code.join('\n'))));
    } else if ((m = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
      frag.append(h('h' + m[1].length, inline(m[2])));
      i++;
    } else if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      frag.append(h('hr'));
      i++;
    } else if (/^\s{0,3}>/.test(line)) {
      const quoted = [];
      for (; i < lines.length && /^\s{0,3}>/.test(lines[i]); i++) quoted.push(lines[i].replace(/^\s{0,3}> ?/, ''));
      frag.append(h('blockquote', renderMarkdown(quoted.join('\n'))));
    } else if ((m = /^(\s*)([-*+]|\d{1,9}[.)])\s+/.exec(line))) {
      const ordered = /\d/.test(m[2]);
      const indent = m[1].length;
      const list = h(ordered ? 'ol' : 'ul');
      if (ordered && parseInt(m[2], 10) !== 1) list.setAttribute('start', parseInt(m[2], 10));
      let item = null;
      while (i < lines.length) {
        const l = lines[i];
        const im = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/.exec(l);
        if (im && im[1].length <= indent + 1) {
          item = [im[3]];
          list.append(h('li'));
          list.lastChild.itemLines = item;
          i++;
        } else if (item && l.trim() !== '' && (/^\s/.test(l) || !BLOCK_START.test(l))) {
          item.push(l.replace(new RegExp(`^\\s{0,${indent + 4}}`), ''));
          i++;
        } else break;
      }
      for (const li of list.children) {
        const body = li.itemLines;
        delete li.itemLines;
        // a nested list or paragraph inside the item is markdown again; a plain item stays inline
        if (body.length > 1 && body.slice(1).some((l) => BLOCK_START.test(l))) li.append(renderMarkdown(body.join('\n')));
        else li.append(...inline(body.join('\n')));
      }
      frag.append(list);
    } else {
      const para = [];
      for (; i < lines.length && lines[i].trim() !== '' && (para.length === 0 || !BLOCK_START.test(lines[i])); i++) para.push(lines[i]);
      frag.append(h('p', inline(para.join('\n').replace(/^\s+/gm, ''))));
    }
  }
  return frag;
}

const ALLOWED_TAGS = new Set(['a', 'b', 'strong', 'i', 'em', 'u', 's', 'p', 'br', 'hr', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5',
  'h6', 'code', 'pre', 'blockquote', 'span', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'small', 'sub', 'sup', 'dl', 'dt',
  'dd', 'img', 'center', 'font']);
const DROPPED_TAGS = new Set(['script', 'style', 'iframe', 'object', 'embed', 'template', 'noscript', 'link', 'meta', 'svg', 'math',
  'form', 'input', 'button', 'textarea', 'select', 'frame', 'frameset', 'base']);

/** HTML content with only harmless tags and attributes kept (no scripts, handlers, styles or javascript: URLs). */
export function sanitizeHtml(html) {
  const doc = new DOMParser().parseFromString(String(html), 'text/html'); // an inert document: nothing runs or loads
  const frag = document.createDocumentFragment();
  const copy = (from, to) => {
    for (const n of from.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) { to.append(n.textContent); continue; }
      if (n.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = n.tagName.toLowerCase();
      if (DROPPED_TAGS.has(tag)) continue;
      if (!ALLOWED_TAGS.has(tag)) { copy(n, to); continue; }
      const el = document.createElement(tag === 'center' || tag === 'font' ? 'span' : tag);
      for (const attr of ['title', 'alt', 'colspan', 'rowspan', 'align']) if (n.hasAttribute(attr)) el.setAttribute(attr, n.getAttribute(attr));
      if (tag === 'a' && n.hasAttribute('href') && SAFE_URL.test(n.getAttribute('href').trim())) {
        el.setAttribute('href', n.getAttribute('href'));
        el.setAttribute('rel', 'noopener noreferrer');
        if (/^https?:/i.test(n.getAttribute('href'))) el.setAttribute('target', '_blank');
      }
      if (tag === 'img') {
        const src = n.getAttribute('src') ?? '';
        if (!/^(https?:|\/|\.{1,2}\/)/i.test(src.trim())) continue;
        el.setAttribute('src', src);
        el.setAttribute('referrerpolicy', 'no-referrer');
        el.style.maxWidth = '100%';
      }
      copy(n, el);
      to.append(el);
    }
  };
  copy(doc.body, frag);
  return frag;
}
