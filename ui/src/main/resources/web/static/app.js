// The router: each page path maps to a module's render function, loaded on first use.
// render(el, {params, path}) draws the page into el and may return a function that stops what
// it started (timers, sockets) when the user leaves.
import { PREFIX } from './api.js';
import { h, alertBox } from './util.js';

const ROUTES = [
  [/^\/query$|^\/graph$/, 'query.js', 'render'],
  [/^\/targets$/, 'status.js', 'renderTargets'],
  [/^\/service-discovery$/, 'status.js', 'renderServiceDiscovery'],
  [/^\/rules$/, 'status.js', 'renderRules'],
  [/^\/alerts$/, 'status.js', 'renderAlerts'],
  [/^\/status$/, 'status.js', 'renderStatus'],
  [/^\/flags$/, 'status.js', 'renderFlags'],
  [/^\/config$/, 'status.js', 'renderConfig'],
  [/^\/tsdb-status$/, 'status.js', 'renderTsdbStatus'],
  [/^\/dashboards$/, 'dashboards.js', 'renderList'],
  [/^\/dashboards\/([^/]+)$/, 'dashboards.js', 'renderDashboard'],
];

let dispose = null;

async function route() {
  const main = document.getElementById('app');
  const path = location.pathname.startsWith(PREFIX) ? location.pathname.slice(PREFIX.length) : location.pathname;
  if (typeof dispose === 'function') {
    try { dispose(); } catch (e) { console.warn('leaving the page:', e); }
  }
  dispose = null;
  for (const a of document.querySelectorAll('.topbar nav a')) {
    a.classList.toggle('active', path.startsWith(new URL(a.href).pathname.slice(PREFIX.length)));
  }
  for (const [re, module, fn] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    const el = h('div.page');
    main.replaceChildren(el);
    try {
      const mod = await import(`./${module}`);
      dispose = await mod[fn](el, { params: new URLSearchParams(location.search), path, match: m });
    } catch (e) {
      el.append(alertBox('error', `This page failed to load: ${e.message}`));
      console.warn(e);
    }
    return;
  }
  main.replaceChildren(alertBox('error', `No page at ${path}.`));
}

/** Moves to another page of the UI without reloading it. */
export function navigate(href, replace = false) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  route();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  e.preventDefault();
  navigate(a.href);
});
window.addEventListener('popstate', route);
route();
