// Time-series graphs on uPlot (a canvas; 200 series x 1,000 points stay responsive): legend with
// label sets, hover values, drag to zoom, stacking, and appending live points without a redraw
// of the page.
import { h, humanize, color, seriesName } from './util.js';

/** Prometheus's sample string to a number uPlot can draw (±Inf and NaN are gaps). */
export function sampleNumber(v) {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * A range-query matrix on the step grid start..end: xs (seconds) and one array per series, null
 * where a series has no point.
 */
export function matrixToData(result, start, end, step) {
  const n = Math.max(1, Math.floor((end - start) / step + 1e-9) + 1);
  const xs = new Array(n);
  for (let i = 0; i < n; i++) xs[i] = start + i * step;
  const ys = result.map((s) => {
    const col = new Array(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) col[i] = sampleNumber(v);
    }
    return col;
  });
  return { xs, ys };
}

function stack(ys) {
  const out = [];
  let acc = null;
  for (const col of ys) {
    const next = col.map((v, i) => (v === null ? (acc ? acc[i] : null) : v + ((acc && acc[i]) || 0)));
    out.push(next);
    acc = next;
  }
  return out;
}

/**
 * Draws a graph into el. opts: series [{name, metric?}], xs, ys, stacked, format(v) for axis and
 * hover, min, max, height, fillOpacity (0..1), onZoom(fromSec, toSec), legend (true by default).
 * Returns {setData(xs, ys), append(xs, ys, keepFrom), destroy(), plot}.
 */
export function drawGraph(el, opts) {
  const format = opts.format ?? ((v) => humanize(v));
  const names = opts.series.map((s) => s.name ?? seriesName(s.metric ?? {}));
  let raw = { xs: opts.xs, ys: opts.ys };
  const wrap = h('div.graph');
  const canvasBox = h('div.graph-canvas');
  const tooltip = h('div.graph-tooltip', { hidden: true });
  wrap.append(canvasBox, tooltip);
  el.append(wrap);

  const fill = opts.stacked ? 0.5 : (opts.fillOpacity ?? 0);
  const hexAlpha = (a) => Math.round(a * 255).toString(16).padStart(2, '0');
  const series = [{}].concat(names.map((name, i) => ({
    label: name,
    stroke: opts.series[i].color ?? color(i),
    width: 1.25,
    fill: fill > 0 ? (opts.series[i].color ?? color(i)) + hexAlpha(fill) : undefined,
    spanGaps: false,
    points: { show: false },
  })));

  const view = () => [raw.xs].concat(opts.stacked ? stack(raw.ys) : raw.ys);
  const width = () => Math.max(200, canvasBox.clientWidth || el.clientWidth || 600);
  const yRange = (u, dmin, dmax) => {
    let lo = opts.min ?? dmin;
    let hi = opts.max ?? dmax;
    if (lo === null || hi === null || !isFinite(lo) || !isFinite(hi)) return [0, 1];
    if (lo === hi) { lo -= Math.abs(lo) * 0.1 || 1; hi += Math.abs(hi) * 0.1 || 1; }
    // a little room so a flat line at the extreme is not drawn on the frame
    const pad = (hi - lo) * 0.05;
    if (opts.max === undefined || opts.max === null) hi += pad;
    if (opts.min === undefined || opts.min === null) lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    return [lo, hi];
  };
  const plot = new uPlot({
    width: width(),
    height: opts.height ?? 300,
    series,
    legend: { show: false },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    scales: { x: { time: true }, y: { range: yRange } },
    axes: [
      { stroke: '#666', grid: { stroke: '#eee' } },
      { stroke: '#666', grid: { stroke: '#eee' }, size: 60, values: (u, vals) => vals.map((v) => format(v)) },
    ],
    hooks: {
      setSelect: [(u) => {
        if (u.select.width < 3) return;
        const from = u.posToVal(u.select.left, 'x');
        const to = u.posToVal(u.select.left + u.select.width, 'x');
        u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
        if (opts.onZoom) opts.onZoom(from, to);
        else u.setScale('x', { min: from, max: to });
      }],
      setCursor: [(u) => showTooltip(u)],
      // when the canvas was last painted: the browser test times redraws with it
      draw: [() => { wrap.lastDrawn = performance.now(); }],
    },
  }, view(), canvasBox);

  function showTooltip(u) {
    const idx = u.cursor.idx;
    if (idx === null || idx === undefined || u.cursor.left < 0) {
      tooltip.hidden = true;
      return;
    }
    const rows = [];
    raw.ys.forEach((col, i) => {
      if (col[idx] !== null && col[idx] !== undefined && u.series[i + 1].show) rows.push([i, col[idx]]);
    });
    rows.sort((a, b) => b[1] - a[1]);
    const shown = rows.slice(0, 12);
    tooltip.replaceChildren(
      h('div.tt-time', new Date(raw.xs[idx] * 1000).toLocaleString()),
      ...shown.map(([i, v]) => h('div.tt-row',
        h('span.swatch', { style: { background: series[i + 1].stroke } }),
        h('span.tt-name', names[i]), h('b.tt-value', format(v)))),
      rows.length > shown.length ? h('div.muted', `… ${rows.length - shown.length} more`) : null,
    );
    tooltip.hidden = rows.length === 0;
    const left = u.cursor.left + 70;
    tooltip.style.left = (left + 320 > wrap.clientWidth ? Math.max(0, u.cursor.left - 300) : left) + 'px';
    tooltip.style.top = Math.max(0, u.cursor.top - 10) + 'px';
  }

  let legend = null;
  if (opts.legend !== false) {
    legend = h('div.legend');
    names.forEach((name, i) => {
      const item = h('div.legend-item', { title: 'click: show only this series; again: show all' },
        h('span.swatch', { style: { background: series[i + 1].stroke } }), h('span', name));
      item.addEventListener('click', () => {
        const onlyThis = plot.series.every((s, j) => j === 0 || (j === i + 1) === s.show);
        plot.batch(() => {
          for (let j = 1; j < plot.series.length; j++) plot.setSeries(j, { show: onlyThis || j === i + 1 });
        });
        legend.querySelectorAll('.legend-item').forEach((it, j) => it.classList.toggle('off', !plot.series[j + 1].show));
      });
      legend.append(item);
    });
    wrap.append(legend);
  }

  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: opts.height ?? 300 }));
  resize.observe(canvasBox);

  return {
    plot,
    element: wrap,
    setData(xs, ys) {
      raw = { xs, ys };
      plot.setData(view());
    },
    /** Adds points after the last one (same series order); drops those before keepFrom (seconds). */
    append(xs, ys, keepFrom) {
      let drop = 0;
      if (keepFrom !== undefined) while (drop < raw.xs.length && raw.xs[drop] < keepFrom) drop++;
      const last = raw.xs.length ? raw.xs[raw.xs.length - 1] : -Infinity;
      let skip = 0;
      while (skip < xs.length && xs[skip] <= last) skip++;
      raw = {
        xs: raw.xs.slice(drop).concat(xs.slice(skip)),
        ys: raw.ys.map((col, i) => col.slice(drop).concat((ys[i] ?? new Array(xs.length).fill(null)).slice(skip))),
      };
      plot.setData(view());
    },
    get data() { return raw; },
    destroy() {
      resize.disconnect();
      plot.destroy();
      wrap.remove();
    },
  };
}
