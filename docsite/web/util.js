// gmodel docs: shared helpers (escaping, formatting, colours).
// Classic script: everything hangs off window.gmodel so that the server can
// inline the files one after another for static mode.
(function (gm) {
  'use strict';

  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

  // esc escapes text for use in HTML content and quoted attributes.
  function esc(s) {
    return s == null ? '' : String(s).replace(/[&<>"']/g, (c) => ESC[c]);
  }

  // Raw marks HTML that is already safe: produced by html`` or rendered and
  // sanitized by the server (Markdown, highlighted SQL).
  class Raw {
    constructor(s) { this.s = s; }
    toString() { return this.s; }
  }
  const raw = (s) => new Raw(s == null ? '' : String(s));

  function fmt(v) {
    if (v instanceof Raw) return v.s;
    if (Array.isArray(v)) {
      let out = '';
      for (const x of v) out += fmt(x);
      return out;
    }
    if (v == null || v === false) return '';
    return esc(v);
  }

  // html is a template tag: every interpolated value is escaped unless it
  // is a Raw (or an array of them), so data never reaches innerHTML unescaped.
  function html(strings, ...vals) {
    let out = strings[0];
    for (let i = 0; i < vals.length; i++) out += fmt(vals[i]) + strings[i + 1];
    return new Raw(out);
  }

  // setHTML replaces el's children with a Raw.
  function setHTML(el, r) {
    if (!(r instanceof Raw)) throw new Error('setHTML needs html``');
    el.innerHTML = r.s;
  }

  const nf = new Intl.NumberFormat();
  function num(n) { return n == null || n === '' ? '' : nf.format(Number(n)); }

  function bytes(n) {
    if (n == null || isNaN(n)) return '';
    n = Number(n);
    const u = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + u[i];
  }

  function seconds(s) {
    if (s == null || isNaN(s)) return '';
    s = Number(s);
    if (s < 1) return Math.round(s * 1000) + ' ms';
    if (s < 60) return s.toFixed(s < 10 ? 2 : 1) + ' s';
    const m = Math.floor(s / 60);
    return m + ' min ' + Math.round(s - m * 60) + ' s';
  }

  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleString();
  }

  function debounce(fn, ms) {
    let t = 0;
    return function (...args) {
      clearTimeout(t);
      t = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  const LAYERS = ['bronze', 'silver', 'gold', 'other'];
  const LAYER_COLORS = { bronze: '#b08d57', silver: '#9ea7b3', gold: '#d4af37', other: '#8a8f98' };
  // A distinct palette for materializations; unknown ones get a hashed colour.
  const MAT_COLORS = {
    table: '#2f7ed8', view: '#3aa676', incremental: '#8e5cd9', ephemeral: '#e08a2e',
    seed: '#1fa3a3', snapshot: '#d6536d', source: '#6b7d2f', test: '#7a7f87',
    analysis: '#b05bb0', exposure: '#c0883a', materialized_view: '#2b9bbf', other: '#8a8f98',
  };
  const EXTRA = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7'];
  function matColor(m) {
    if (!m) return MAT_COLORS.other;
    if (MAT_COLORS[m]) return MAT_COLORS[m];
    let h = 0;
    for (let i = 0; i < m.length; i++) h = (h * 31 + m.charCodeAt(i)) | 0;
    return EXTRA[Math.abs(h) % EXTRA.length];
  }
  function layerColor(l) { return LAYER_COLORS[l] || LAYER_COLORS.other; }

  const TYPE_LABELS = {
    model: 'Models', seed: 'Seeds', snapshot: 'Snapshots', source: 'Sources',
    analysis: 'Analyses', exposure: 'Exposures', test: 'Tests', metric: 'Metrics',
    semantic_model: 'Semantic models', saved_query: 'Saved queries', unit_test: 'Unit tests',
  };
  const TYPE_ORDER = ['model', 'seed', 'snapshot', 'source', 'analysis', 'exposure', 'test'];
  function typeLabel(t) { return TYPE_LABELS[t] || (t ? t[0].toUpperCase() + t.slice(1) + 's' : 'Other'); }

  // Routes. unique_ids are encoded so any character survives the hash.
  const href = {
    node: (id) => '#/node/' + encodeURIComponent(id),
    lineage: (id, q) => '#/lineage/' + encodeURIComponent(id) + query(q),
    select: (q) => '#/lineage' + query(q),
    search: (q) => '#/search' + query({ q }),
  };
  function query(q) {
    if (!q) return '';
    const p = new URLSearchParams();
    for (const k of Object.keys(q)) if (q[k] != null && q[k] !== '') p.set(k, q[k]);
    const s = p.toString();
    return s ? '?' + s : '';
  }

  // selectorOf is the dbt selector naming one node: a source by
  // source:<source>.<table>, an exposure by exposure:<name>, others by name.
  function selectorOf(id, name, type) {
    if (type === 'source') {
      const parts = id.split('.');
      return 'source:' + (parts.length > 3 ? parts[2] + '.' : '') + name;
    }
    if (type === 'exposure') return 'exposure:' + name;
    return name;
  }

  function layerBadge(l) {
    l = l || 'other';
    return html`<span class="badge layer layer-${l}" title="layer">${l}</span>`;
  }
  function statusBadge(st, cls) {
    const s = st || '';
    return html`<span class="${cls || 'status-badge'} st-${s || 'none'}" data-status="${s}">${s || 'not run'}</span>`;
  }

  gm.util = {
    esc, raw, html, setHTML, Raw, num, bytes, seconds, when, debounce, href, query,
    LAYERS, layerColor, matColor, MAT_COLORS, typeLabel, TYPE_ORDER, layerBadge, statusBadge, selectorOf,
  };
})(window.gmodel = window.gmodel || {});
