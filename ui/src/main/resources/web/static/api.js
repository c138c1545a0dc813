// HTTP API access under the route prefix, with Prometheus's error JSON turned into exceptions.

export const PREFIX = document.querySelector('meta[name="vigil-prefix"]')?.content ?? '';

export function url(path) {
  return PREFIX + path;
}

/** An API answer with status "error": errorType and error as Prometheus sends them. */
export class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

/**
 * GET (or POST when the query string would be long) `path` with `params`; resolves to the
 * response's `data`, rejects with ApiError. `signal` lets a page cancel what it no longer shows.
 */
export async function api(path, params = {}, { signal, method } = {}) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v.forEach((x) => body.append(k, x));
    else body.append(k, v);
  }
  const qs = body.toString();
  const post = method === 'POST' || (method !== 'GET' && qs.length > 1500);
  let res;
  try {
    res = post
      ? await fetch(url(path), { method: 'POST', body, signal })
      : await fetch(url(path) + (qs ? '?' + qs : ''), { signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('unavailable', `cannot reach Vigil: ${e.message}`, 0);
  }
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError('bad_response', `${path} answered ${res.status} ${res.statusText} without JSON`, res.status);
  }
  if (json.status !== 'success') {
    throw new ApiError(json.errorType ?? 'error', json.error ?? `HTTP ${res.status}`, res.status);
  }
  if (json.data && typeof json.data === 'object' && !Array.isArray(json.data)) {
    json.data.warnings = json.warnings;
    json.data.infos = json.infos;
  }
  return json.data;
}

export function instantQuery(expr, time, opts) {
  return api('/api/v1/query', { query: expr, time }, opts);
}

export function rangeQuery(expr, start, end, step, opts) {
  return api('/api/v1/query_range', { query: expr, start, end, step }, opts);
}
