// gmodel docs: the data layer. In server mode it calls the JSON API of
// `gmodel docs serve`; in static mode (a <script id="gmodel-data"> embedded by
// `docs generate --static`) it answers the same calls from the embedded data,
// with search and a subset of the selection syntax done here.
(function (gm) {
  'use strict';

  let index = null;       // {project, nodes, tags, layers}
  let byId = new Map();   // unique_id -> position in index.nodes
  let staticData = null;  // {index, overview, nodes} in static mode

  function detectStatic() {
    if (window.__gmodelData) return window.__gmodelData;
    const el = document.getElementById('gmodel-data');
    if (!el) return null;
    let data;
    try {
      data = JSON.parse(el.textContent);
    } catch (e) {
      throw new Error('the embedded docs data is not valid JSON: ' + e.message);
    }
    // Optional: node details in their own element, parsed on first use, so
    // a big project's page starts without parsing every detail.
    const nodesEl = document.getElementById('gmodel-nodes');
    if (nodesEl && !data.nodes) {
      let parsed = null;
      Object.defineProperty(data, 'nodes', {
        get() { return parsed || (parsed = JSON.parse(nodesEl.textContent)); },
      });
    }
    return data;
  }

  async function getJSON(url) {
    let res;
    try {
      res = await fetch(url, { headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new Error('cannot reach the docs server (' + url + '): is `gmodel docs serve` still running?');
    }
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      if (res.ok) throw new Error(url + ': the server sent invalid JSON');
    }
    if (!res.ok) {
      const err = new Error((body && body.error) || (url + ': HTTP ' + res.status));
      err.status = res.status;
      throw err;
    }
    return body;
  }

  function prepare(idx) {
    if (!idx || !Array.isArray(idx.nodes)) throw new Error('the docs index has no nodes');
    byId = new Map();
    const nodes = idx.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      n.i = i;
      n.up = n.up || [];
      n.dn = n.dn || [];
      n.tests = n.tests || [];
      n.tg = n.tg || [];
      n.c = n.c || [];
      n.l = n.l || 'other';
      byId.set(n.id, i);
    }
    idx.tags = idx.tags || [];
    idx.layers = idx.layers || ['bronze', 'silver', 'gold', 'other'];
    idx.project = idx.project || {};
    index = idx;
    searchCache = null;
    return idx;
  }

  async function init() {
    staticData = detectStatic();
    if (staticData) {
      gm.data.mode = 'static';
      return prepare(staticData.index);
    }
    gm.data.mode = 'server';
    return prepare(await (early || getJSON('api/index.json')));
  }

  function node(i) { return index.nodes[i]; }
  function lookup(id) {
    const i = byId.get(id);
    return i === undefined ? null : index.nodes[i];
  }

  let overviewP = null; // fetched once per page load, like the index
  function getOverview() {
    if (staticData) return Promise.resolve(staticData.overview || {});
    if (!overviewP) {
      overviewP = getJSON('api/overview');
      overviewP.catch(() => { overviewP = null; });
    }
    return overviewP;
  }

  async function getNode(id) {
    if (staticData) {
      const d = staticData.nodes && staticData.nodes[id];
      if (!d) {
        const err = new Error('no node ' + id + ' in this project');
        err.status = 404;
        throw err;
      }
      return d;
    }
    return getJSON('api/node/' + encodeURIComponent(id));
  }

  async function search(q, limit) {
    q = (q || '').trim();
    if (!q) return [];
    limit = limit || 50;
    if (!staticData) {
      return getJSON('api/search?q=' + encodeURIComponent(q) + '&limit=' + limit);
    }
    return staticSearch(q, limit);
  }

  async function select(sel, excl) {
    sel = (sel || '').trim();
    excl = (excl || '').trim();
    if (!staticData) {
      const body = await getJSON('api/select?select=' + encodeURIComponent(sel) +
        '&exclude=' + encodeURIComponent(excl));
      return body.ids || [];
    }
    return staticSelect(sel, excl);
  }

  // ---- static search: same ranking as the server's -------------------------

  let searchCache = null;
  function searchText() {
    if (searchCache) return searchCache;
    const nodes = index.nodes;
    const names = new Array(nodes.length);
    const descs = new Array(nodes.length);
    const cols = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      names[i] = nodes[i].n.toLowerCase();
      descs[i] = (nodes[i].d || '').toLowerCase();
      cols[i] = nodes[i].c.map((c) => c.toLowerCase());
    }
    searchCache = { names, descs, cols, sql: null };
    return searchCache;
  }
  function sqlText() {
    const sc = searchText();
    if (sc.sql) return sc.sql;
    const nodes = index.nodes;
    sc.sql = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const d = staticData.nodes && staticData.nodes[nodes[i].id];
      sc.sql[i] = d ? ((d.raw_sql || '') + '\n' + (d.compiled_sql || '')) : '';
    }
    sc.sqlLower = sc.sql.map((s) => s.toLowerCase());
    return sc.sql;
  }

  function snippet(text, at, len) {
    const from = Math.max(0, at - 40);
    const to = Math.min(text.length, at + len + 60);
    return (from > 0 ? '…' : '') + text.slice(from, to).replace(/\s+/g, ' ') + (to < text.length ? '…' : '');
  }

  function staticSearch(query, limit) {
    const q = query.toLowerCase();
    const sc = searchText();
    const nodes = index.nodes;
    const hits = [];
    for (let i = 0; i < nodes.length; i++) {
      const name = sc.names[i];
      let rank = -1, where = '', snip = '';
      if (name === q) rank = 0;
      else if (name.startsWith(q)) rank = 1;
      else if (name.includes(q)) rank = 2;
      if (rank >= 0) {
        where = 'name';
      } else {
        const cs = sc.cols[i];
        for (let k = 0; k < cs.length; k++) {
          if (cs[k].includes(q)) { rank = 3; where = 'column:' + nodes[i].c[k]; break; }
        }
        if (rank < 0) {
          const at = sc.descs[i].indexOf(q);
          if (at >= 0) { rank = 4; where = 'description'; snip = snippet(nodes[i].d, at, q.length); }
        }
      }
      if (rank >= 0) hits.push({ i, rank, where, snip });
    }
    if (hits.length < limit) {
      const sql = sqlText();
      const seen = new Set(hits.map((h) => h.i));
      for (let i = 0; i < nodes.length; i++) {
        if (seen.has(i)) continue;
        const at = sc.sqlLower[i].indexOf(q);
        if (at >= 0) hits.push({ i, rank: 5, where: 'sql', snip: snippet(sql[i], at, q.length) });
      }
    }
    hits.sort((a, b) => a.rank - b.rank ||
      nodes[a.i].n.length - nodes[b.i].n.length ||
      (nodes[a.i].n < nodes[b.i].n ? -1 : nodes[a.i].n > nodes[b.i].n ? 1 : a.i - b.i));
    return hits.slice(0, limit).map((h) => {
      const n = nodes[h.i];
      return { id: n.id, n: n.n, t: n.t, l: n.l, where: h.where, snippet: h.snip };
    });
  }

  // ---- static selection: a subset of dbt's syntax --------------------------
  // Union of space-separated selectors, intersection of comma-joined ones;
  // each: [@][N+]method:value[+N] with methods name (default), tag, path,
  // resource_type, source, package, config.materialized.

  function globRe(pat) {
    const s = pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp('^' + s + '$');
  }
  const hasGlob = (v) => /[*?]/.test(v);

  function matchAtom(method, value) {
    const nodes = index.nodes;
    const out = new Set();
    const add = (pred) => { for (let i = 0; i < nodes.length; i++) if (pred(nodes[i])) out.add(i); };
    switch (method) {
      case 'name':
      case '': {
        if (!method && (value.includes('/') || /\.(sql|csv|py)$/.test(value))) return matchAtom('path', value);
        const re = hasGlob(value) ? globRe(value) : null;
        add((n) => re ? re.test(n.n) : (n.n === value || n.p + '.' + n.n === value));
        break;
      }
      case 'tag': {
        const re = hasGlob(value) ? globRe(value) : null;
        add((n) => n.tg.some((t) => re ? re.test(t) : t === value));
        break;
      }
      case 'path': {
        const v = value.replace(/\/+$/, '');
        const re = hasGlob(v) ? globRe(v) : null;
        add((n) => !!n.f && (re ? re.test(n.f) : n.f === v || n.f.startsWith(v + '/')));
        break;
      }
      case 'resource_type':
        add((n) => n.t === value);
        break;
      case 'package':
        add((n) => n.p === value);
        break;
      case 'config.materialized':
        add((n) => n.m === value);
        break;
      case 'source': {
        const re = globRe(value.includes('.') ? value : value + '.*');
        add((n) => n.t === 'source' && re.test(n.id.split('.').slice(2).join('.')));
        break;
      }
      default:
        throw new Error('selector method "' + method + ':" is not available in the static docs ' +
          '(use name, tag:, path:, resource_type:, source:, package:, config.materialized:, or `gmodel docs serve`)');
    }
    return out;
  }

  // walk adds the nodes reachable from start through dir ('up' or 'dn') within depth steps.
  function walk(start, dir, depth, out) {
    let frontier = [...start];
    const seen = new Set(start);
    for (let d = 0; frontier.length && (depth < 0 || d < depth); d++) {
      const next = [];
      for (const i of frontier) {
        for (const j of index.nodes[i][dir]) {
          if (!seen.has(j)) { seen.add(j); next.push(j); out.add(j); }
        }
      }
      frontier = next;
    }
  }

  function evalAtom(text) {
    let s = text, at = false, upN, dnN, method = '';
    if (s.startsWith('@')) { at = true; s = s.slice(1); }
    let m = /^(\d*)\+/.exec(s);
    if (m) { upN = m[1]; s = s.slice(m[0].length); }
    m = /\+(\d*)$/.exec(s);
    if (m) { dnN = m[1]; s = s.slice(0, s.length - m[0].length); }
    const colon = s.indexOf(':');
    if (colon > 0) { method = s.slice(0, colon); s = s.slice(colon + 1); }
    const value = s;
    if (!value || value.includes('+')) throw new Error('cannot parse selector "' + text + '"');
    const base = matchAtom(method || '', value);
    const out = new Set(base);
    if (upN !== undefined) walk(base, 'up', upN === '' ? -1 : Number(upN), out);
    if (dnN !== undefined) walk(base, 'dn', dnN === '' ? -1 : Number(dnN), out);
    if (at) {
      const desc = new Set(base);
      walk(base, 'dn', -1, desc);
      for (const i of desc) out.add(i);
      walk(desc, 'up', -1, out);
    }
    return out;
  }

  function evalSpec(spec) {
    const out = new Set();
    for (const part of spec.split(/\s+/).filter(Boolean)) {
      let acc = null;
      for (const atom of part.split(',').filter(Boolean)) {
        const s = evalAtom(atom);
        if (acc === null) acc = s;
        else for (const i of acc) if (!s.has(i)) acc.delete(i);
      }
      if (acc) for (const i of acc) out.add(i);
    }
    return out;
  }

  function staticSelect(sel, excl) {
    if (!sel) throw new Error('enter a selector, e.g. +orders or tag:daily');
    const chosen = evalSpec(sel);
    if (excl) for (const i of evalSpec(excl)) chosen.delete(i);
    return [...chosen].sort((a, b) => a - b).map((i) => index.nodes[i].id);
  }

  // Server mode: ask for the index and overview while the page is still
  // starting (this script runs before DOMContentLoaded; the static data
  // element, when there is one, comes before the first script).
  let early = null;
  if (!window.__gmodelData && !document.getElementById('gmodel-data')) {
    early = getJSON('api/index.json');
    early.catch(() => {});
    getOverview().catch(() => {});
  }

  gm.data = {
    mode: '',
    init, getOverview, getNode, search, select, lookup, node,
    get index() { return index; },
    // exposed for the dev page and tests of the static helpers
    _staticSelect: staticSelect, _staticSearch: staticSearch,
  };
})(window.gmodel = window.gmodel || {});
