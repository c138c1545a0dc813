// PromQL knowledge for the editor: functions with their signatures, keywords, and the completion
// context at the cursor.

/** [name, signature, what it does] for every PromQL function of Prometheus 3. */
export const FUNCTIONS = [
  ['abs', 'abs(v instant-vector)', 'absolute value'],
  ['absent', 'absent(v instant-vector)', '1-element vector when v has no elements'],
  ['absent_over_time', 'absent_over_time(v range-vector)', '1-element vector when the range has no samples'],
  ['acos', 'acos(v instant-vector)', 'arccosine'],
  ['acosh', 'acosh(v instant-vector)', 'inverse hyperbolic cosine'],
  ['asin', 'asin(v instant-vector)', 'arcsine'],
  ['asinh', 'asinh(v instant-vector)', 'inverse hyperbolic sine'],
  ['atan', 'atan(v instant-vector)', 'arctangent'],
  ['atanh', 'atanh(v instant-vector)', 'inverse hyperbolic tangent'],
  ['avg_over_time', 'avg_over_time(v range-vector)', 'average over the range'],
  ['ceil', 'ceil(v instant-vector)', 'round up'],
  ['changes', 'changes(v range-vector)', 'number of value changes in the range'],
  ['clamp', 'clamp(v instant-vector, min scalar, max scalar)', 'clamp values to [min, max]'],
  ['clamp_max', 'clamp_max(v instant-vector, max scalar)', 'clamp values to at most max'],
  ['clamp_min', 'clamp_min(v instant-vector, min scalar)', 'clamp values to at least min'],
  ['cos', 'cos(v instant-vector)', 'cosine'],
  ['cosh', 'cosh(v instant-vector)', 'hyperbolic cosine'],
  ['count_over_time', 'count_over_time(v range-vector)', 'number of samples in the range'],
  ['day_of_month', 'day_of_month(v=vector(time()) instant-vector)', 'day of the month, UTC'],
  ['day_of_week', 'day_of_week(v=vector(time()) instant-vector)', 'day of the week, UTC (0 = Sunday)'],
  ['day_of_year', 'day_of_year(v=vector(time()) instant-vector)', 'day of the year, UTC'],
  ['days_in_month', 'days_in_month(v=vector(time()) instant-vector)', 'days in the month, UTC'],
  ['deg', 'deg(v instant-vector)', 'radians to degrees'],
  ['delta', 'delta(v range-vector)', 'difference between first and last value (gauges)'],
  ['deriv', 'deriv(v range-vector)', 'per-second derivative by linear regression'],
  ['exp', 'exp(v instant-vector)', 'exponential'],
  ['floor', 'floor(v instant-vector)', 'round down'],
  ['histogram_avg', 'histogram_avg(v instant-vector)', 'average of native histograms'],
  ['histogram_count', 'histogram_count(v instant-vector)', 'count of native histograms'],
  ['histogram_fraction', 'histogram_fraction(lower scalar, upper scalar, v instant-vector)', 'fraction of observations between lower and upper'],
  ['histogram_quantile', 'histogram_quantile(φ scalar, b instant-vector)', 'φ-quantile from histogram buckets (le)'],
  ['histogram_stddev', 'histogram_stddev(v instant-vector)', 'standard deviation of native histograms'],
  ['histogram_stdvar', 'histogram_stdvar(v instant-vector)', 'standard variance of native histograms'],
  ['histogram_sum', 'histogram_sum(v instant-vector)', 'sum of native histograms'],
  ['hour', 'hour(v=vector(time()) instant-vector)', 'hour of the day, UTC'],
  ['idelta', 'idelta(v range-vector)', 'difference of the last two samples'],
  ['increase', 'increase(v range-vector)', 'increase of a counter over the range'],
  ['irate', 'irate(v range-vector)', 'per-second rate from the last two samples'],
  ['label_join', 'label_join(v instant-vector, dst string, separator string, src_1 string, ...)', 'join label values into dst'],
  ['label_replace', 'label_replace(v instant-vector, dst string, replacement string, src string, regex string)', 'regex replace of a label'],
  ['last_over_time', 'last_over_time(v range-vector)', 'most recent sample in the range'],
  ['ln', 'ln(v instant-vector)', 'natural logarithm'],
  ['log10', 'log10(v instant-vector)', 'decimal logarithm'],
  ['log2', 'log2(v instant-vector)', 'binary logarithm'],
  ['mad_over_time', 'mad_over_time(v range-vector)', 'median absolute deviation over the range'],
  ['max_over_time', 'max_over_time(v range-vector)', 'maximum over the range'],
  ['min_over_time', 'min_over_time(v range-vector)', 'minimum over the range'],
  ['minute', 'minute(v=vector(time()) instant-vector)', 'minute of the hour, UTC'],
  ['month', 'month(v=vector(time()) instant-vector)', 'month of the year, UTC'],
  ['pi', 'pi()', 'π'],
  ['predict_linear', 'predict_linear(v range-vector, t scalar)', 'value t seconds from now by linear regression'],
  ['present_over_time', 'present_over_time(v range-vector)', '1 for series with samples in the range'],
  ['quantile_over_time', 'quantile_over_time(φ scalar, v range-vector)', 'φ-quantile over the range'],
  ['rad', 'rad(v instant-vector)', 'degrees to radians'],
  ['rate', 'rate(v range-vector)', 'per-second average rate of increase of a counter'],
  ['resets', 'resets(v range-vector)', 'number of counter resets in the range'],
  ['round', 'round(v instant-vector, to_nearest=1 scalar)', 'round to the nearest multiple'],
  ['scalar', 'scalar(v instant-vector)', 'the single element as a scalar, else NaN'],
  ['sgn', 'sgn(v instant-vector)', 'sign: 1, -1 or 0'],
  ['sin', 'sin(v instant-vector)', 'sine'],
  ['sinh', 'sinh(v instant-vector)', 'hyperbolic sine'],
  ['sort', 'sort(v instant-vector)', 'ascending by value'],
  ['sort_by_label', 'sort_by_label(v instant-vector, label string, ...)', 'ascending by label values'],
  ['sort_by_label_desc', 'sort_by_label_desc(v instant-vector, label string, ...)', 'descending by label values'],
  ['sort_desc', 'sort_desc(v instant-vector)', 'descending by value'],
  ['sqrt', 'sqrt(v instant-vector)', 'square root'],
  ['stddev_over_time', 'stddev_over_time(v range-vector)', 'standard deviation over the range'],
  ['stdvar_over_time', 'stdvar_over_time(v range-vector)', 'standard variance over the range'],
  ['sum_over_time', 'sum_over_time(v range-vector)', 'sum over the range'],
  ['tan', 'tan(v instant-vector)', 'tangent'],
  ['tanh', 'tanh(v instant-vector)', 'hyperbolic tangent'],
  ['time', 'time()', 'evaluation time in seconds since the epoch'],
  ['timestamp', 'timestamp(v instant-vector)', 'timestamp of each sample'],
  ['vector', 'vector(s scalar)', 'the scalar as a vector without labels'],
  ['year', 'year(v=vector(time()) instant-vector)', 'year, UTC'],
];

export const AGGREGATIONS = [
  ['sum', 'sum [by|without (labels)] (v)', 'sum over dimensions'],
  ['avg', 'avg [by|without (labels)] (v)', 'average over dimensions'],
  ['min', 'min [by|without (labels)] (v)', 'minimum over dimensions'],
  ['max', 'max [by|without (labels)] (v)', 'maximum over dimensions'],
  ['count', 'count [by|without (labels)] (v)', 'number of elements'],
  ['group', 'group [by|without (labels)] (v)', '1 per group'],
  ['stddev', 'stddev [by|without (labels)] (v)', 'population standard deviation'],
  ['stdvar', 'stdvar [by|without (labels)] (v)', 'population standard variance'],
  ['topk', 'topk(k, v)', 'largest k elements by value'],
  ['bottomk', 'bottomk(k, v)', 'smallest k elements by value'],
  ['quantile', 'quantile(φ, v)', 'φ-quantile over dimensions'],
  ['count_values', 'count_values("label", v)', 'count elements with the same value'],
  ['limitk', 'limitk(k, v)', 'k elements, deterministic sample'],
  ['limit_ratio', 'limit_ratio(r, v)', 'a ratio of elements, deterministic sample'],
];

export const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'atan2'];

/**
 * What completes at `pos` in `text`: {kind: 'metric'|'label'|'value'|'none', prefix, metric, label,
 * from (offset where the completed word starts)}.
 */
export function completionContext(text, pos) {
  const before = text.slice(0, pos);
  // inside a selector's braces: the last unclosed '{'
  const open = before.lastIndexOf('{');
  if (open > before.lastIndexOf('}') && !/"[^"]*$/.test(before.slice(0, open))) {
    const metric = (/([a-zA-Z_:][\w:]*)\s*$/.exec(before.slice(0, open)) ?? [])[1] ?? '';
    const inside = before.slice(open + 1);
    const value = /([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(inside);
    if (value) return { kind: 'value', metric, label: value[1], prefix: value[3], from: pos - value[3].length };
    const name = /(?:^|,)\s*([a-zA-Z_]\w*)?$/.exec(inside);
    if (name) {
      const p = name[1] ?? '';
      return { kind: 'label', metric, prefix: p, from: pos - p.length };
    }
    return { kind: 'none' };
  }
  if (/"[^"]*$/.test(before.replace(/"[^"]*"/g, ''))) return { kind: 'none' }; // inside a string
  // label lists of by/without/on/ignoring/group_left/group_right
  const grouping = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)$/.exec(before);
  if (grouping) {
    const p = (/([a-zA-Z_]\w*)$/.exec(grouping[2]) ?? [''])[0];
    const metric = (/([a-zA-Z_:][\w:]*)\s*[{[]/.exec(text) ?? [])[1] ?? '';
    return { kind: 'label', metric, prefix: p, from: pos - p.length };
  }
  if (/\[[^\]]*$/.test(before)) return { kind: 'none' }; // a duration
  const word = /([a-zA-Z_:][\w:]*)$/.exec(before);
  const p = word ? word[1] : '';
  return { kind: 'metric', prefix: p, from: pos - p.length };
}

/** The offset in `expr` of a Prometheus parse error ("1:5: parse error: ..."), or -1. */
export function errorOffset(expr, message) {
  const m = /(\d+):(\d+)(?::\d+)?: parse error/.exec(message ?? '');
  if (!m) return -1;
  const line = Number(m[1]);
  const col = Number(m[2]);
  let offset = 0;
  const lines = expr.split('\n');
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  return Math.min(expr.length, offset + col - 1);
}
