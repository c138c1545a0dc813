// The query page (being built).
import { h } from './util.js';
export async function render(el) {
  el.append(h('div.query-page', h('h1', 'Query')));
}
