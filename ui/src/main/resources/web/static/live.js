// Live updates for open graphs: one WebSocket for the page; the server evaluates each subscribed
// range query only over the steps after the last one the graph has and sends just those points.
// When the socket drops, the same increments are fetched by polling query_range, the top bar shows
// "reconnecting", and the socket is retried with backoff.
import { PREFIX, rangeQuery } from './api.js';
import { seriesName } from './util.js';

const subs = new Map();
let socket = null;
let connected = false;
let retryMs = 1000;
let retryTimer = null;
let pollTimer = null;
let nextId = 1;

function socketUrl() {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${PREFIX}/api/v1/vigil/live`;
}

function setState(text) {
  const el = document.getElementById('conn-state');
  if (!el) return;
  el.hidden = !text;
  el.textContent = text ?? '';
}

function send(msg) {
  if (socket && connected && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(msg));
}

function subscribeMessage(sub) {
  return { type: 'subscribe', id: sub.id, query: sub.query, step: sub.step, from: sub.from };
}

function deliver(sub, result, to) {
  if (to <= sub.from) return;
  const from = sub.from;
  sub.from = to;
  try {
    sub.onData(result, from, to);
  } catch (e) {
    console.warn('live update handler failed:', e);
  }
}

function connect() {
  retryTimer = null;
  if (socket || subs.size === 0) return;
  let ws;
  try {
    ws = new WebSocket(socketUrl());
  } catch (e) {
    scheduleReconnect();
    return;
  }
  socket = ws;
  ws.onopen = () => {
    connected = true;
    retryMs = 1000;
    stopPolling();
    setState(null);
    for (const sub of subs.values()) send(subscribeMessage(sub));
  };
  ws.onmessage = (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch { return; }
    const sub = subs.get(msg.id);
    if (!sub) return;
    if (msg.error) {
      sub.onError?.(msg.error);
      return;
    }
    deliver(sub, msg.result ?? [], msg.to);
  };
  ws.onclose = () => {
    socket = null;
    connected = false;
    if (subs.size === 0) return;
    setState('reconnecting…');
    startPolling();
    scheduleReconnect();
  };
  ws.onerror = () => {}; // onclose follows and handles it
}

function scheduleReconnect() {
  if (retryTimer) return;
  retryTimer = setTimeout(connect, retryMs);
  retryMs = Math.min(retryMs * 2, 30000);
}

function startPolling() {
  if (pollTimer) return;
  const tick = async () => {
    for (const sub of [...subs.values()]) {
      const now = Date.now() / 1000;
      const to = sub.from + Math.floor((now - sub.from) / sub.step) * sub.step;
      if (to <= sub.from) continue;
      try {
        const data = await rangeQuery(sub.query, sub.from + sub.step, to, sub.step);
        if (subs.has(sub.id) && !connected) deliver(sub, data.result, to);
      } catch (e) {
        sub.onError?.(e.message);
      }
    }
  };
  pollTimer = setInterval(tick, Math.max(1000, Math.min(...[...subs.values()].map((s) => s.step * 1000), 15000)));
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

/**
 * Keeps a range query's graph current. `from` is the graph's last step time (seconds); onData(result,
 * from, to) gets the matrix of the steps in (from, to] only. Returns {close()}.
 */
export function liveRange({ query, step, from }, onData, onError) {
  const sub = { id: nextId++, query, step, from, onData, onError };
  subs.set(sub.id, sub);
  if (connected) send(subscribeMessage(sub));
  else if (!socket) connect();
  return {
    close() {
      subs.delete(sub.id);
      send({ type: 'unsubscribe', id: sub.id });
      if (subs.size === 0) {
        stopPolling();
        setState(null);
        if (socket) {
          // forget it now: a subscription made before its close event must open a new one
          const closing = socket;
          socket = null;
          connected = false;
          closing.onclose = null;
          closing.onmessage = null;
          closing.close();
        }
      }
    },
  };
}

/** Whether the page's socket is up (tests and the UI's own state). */
export function isConnected() {
  return connected;
}

/**
 * The steps in (from, to] as xs and one column per series key (seriesName of its labels), for
 * appending to a graph; keys not in `known` are reported in `added` (the graph then rebuilds).
 */
export function gridIncrement(result, from, to, step, known, nameOf = (m) => seriesName(m)) {
  const n = Math.max(0, Math.round((to - from) / step));
  const xs = new Array(n);
  for (let i = 0; i < n; i++) xs[i] = from + (i + 1) * step;
  const cols = new Map();
  const added = [];
  for (const s of result) {
    const key = nameOf(s.metric);
    const col = new Array(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t - from) / step) - 1;
      const num = Number(v);
      if (i >= 0 && i < n && Number.isFinite(num)) col[i] = num;
    }
    cols.set(key, col);
    if (!known.has(key)) added.push(s);
  }
  return { xs, cols, added };
}
