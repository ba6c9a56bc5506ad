// Development only (not served): builds docs data in the static-mode shape
// ({index, overview, nodes}) for a synthetic medallion project of n models,
// shaped like tests/benchgen's (bronze reads sources, silver refs 2-3 bronze,
// gold refs 2-3 silver, unique + not_null tests on every model's id).
// Usable from the dev page (window.gmodelDevGen) and from node (module.exports).
(function () {
  'use strict';
  function gen(n, withRun) {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const ents = ['customers', 'orders', 'payments', 'products', 'shipments', 'invoices', 'sessions', 'refunds'];
    const nb = Math.max(1, Math.floor(n * 0.4)), ns = Math.max(1, Math.floor(n * 0.35)), ng = Math.max(1, n - nb - ns);
    const nodes = [], details = {};
    const add = (o) => { o.up = []; o.dn = []; o.tests = []; nodes.push(o); return nodes.length - 1; };
    const w = String(n).length;
    const pad = (i) => String(i).padStart(w, '0');
    const tables = Math.max(1, Math.ceil(nb / 4));
    const srcIdx = [];
    for (let k = 0; k < tables; k++) {
      srcIdx.push(add({ id: 'source.bench.raw.table_' + k, t: 'source', n: 'table_' + k, p: 'bench', f: 'models/sources.yml',
        l: 'bronze', m: 'source', s: 'raw', tg: [], d: 'Raw table ' + k + ' loaded by the ingestion job.', c: ['id', 'payload', 'loaded_at'], st: '' }));
    }
    const layerIdx = { bronze: [], silver: [], gold: [] };
    const sts = ['success', 'success', 'success', 'success', 'error', 'skipped'];
    const mk = (layer, count, mats) => {
      for (let k = 0; k < count; k++) {
        const e = ents[k % ents.length];
        const name = (layer === 'bronze' ? 'brz_' : layer === 'silver' ? 'slv_' : 'gld_') + e + '_' + pad(k);
        const i = add({ id: 'model.bench.' + name, t: 'model', n: name, p: 'bench', f: 'models/' + layer + '/' + e + '/' + name + '.sql',
          l: layer, m: mats[k % mats.length], s: layer, tg: [layer, k % 5 === 0 ? 'daily' : 'hourly'],
          d: 'The ' + e + ' ' + layer + ' model number ' + k + '. One row per ' + e.slice(0, -1) + '.',
          c: ['id', e.slice(0, -1) + '_key', 'amount', 'updated_at'], st: withRun ? sts[Math.floor(rnd() * sts.length)] : '' });
        layerIdx[layer].push(i);
      }
    };
    mk('bronze', nb, ['view']);
    mk('silver', ns, ['table', 'incremental']);
    mk('gold', ng, ['table']);
    const link = (a, b) => { nodes[a].dn.push(b); nodes[b].up.push(a); };
    layerIdx.bronze.forEach((b, k) => link(srcIdx[k % tables], b));
    const refs = (from, to) => {
      for (const i of to) {
        const c = 2 + Math.floor(rnd() * 2);
        const set = new Set();
        while (set.size < Math.min(c, from.length)) set.add(from[Math.floor(rnd() * from.length)]);
        for (const j of set) link(j, i);
      }
    };
    refs(layerIdx.bronze, layerIdx.silver);
    refs(layerIdx.silver, layerIdx.gold);
    const models = [...layerIdx.bronze, ...layerIdx.silver, ...layerIdx.gold];
    for (const m of models) {
      for (const kind of ['unique', 'not_null']) {
        const name = kind + '_' + nodes[m].n + '_id';
        const t = add({ id: 'test.bench.' + name + '.' + (m * 7919 % 100000).toString(16), t: 'test', n: name, p: 'bench',
          f: 'models/' + nodes[m].l + '/schema.yml', l: nodes[m].l, m: 'test', s: nodes[m].l, tg: [], d: '', c: [],
          st: withRun ? (rnd() < 0.9 ? 'pass' : 'fail') : '' });
        nodes[m].tests.push(t);
        nodes[t].tmodel = m;
      }
    }
    const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const hl = (sql) => '<pre class="chroma"><code>' + esc(sql).replace(/\b(select|from|where|as|left join|on|group by)\b/g, '<span class="k">$1</span>') + '</code></pre>';
    for (const node of nodes) {
      const ups = node.up.map((i) => nodes[i]);
      let raw = '', comp = '';
      if (node.t === 'model') {
        raw = 'select\n    id,\n    amount\nfrom ' + ups.map((u) => u.t === 'source' ? "{{ source('raw', '" + u.n + "') }}" : "{{ ref('" + u.n + "') }}").join('\nleft join ') + '\nwhere amount > 0';
        comp = raw.replace(/\{\{ (?:ref|source)\([^)]*'([a-z_0-9]+)'\) \}\}/g, '"bench"."$1"');
      } else if (node.t === 'test') {
        raw = '{{ test_' + node.n.split('_')[0] + "(model, column_name='id') }}";
        comp = 'select id from "bench"."' + nodes[node.tmodel].n + '" where id is null';
      }
      const testsOf = node.tests.map((t) => ({ id: nodes[t].id, name: nodes[t].n, status: nodes[t].st, column: 'id' }));
      details[node.id] = {
        id: node.id, t: node.t, n: node.n, f: node.f, l: node.l, m: node.m, schema: node.s, database: 'bench', alias: node.n,
        relation: '"bench"."' + node.s + '"."' + node.n + '"', tags: node.tg,
        description_html: node.d ? '<p>' + esc(node.d) + ' See <code>' + esc(node.n) + '</code> &amp; <em>friends</em>.</p>' : '',
        columns: node.c.map((c) => ({ name: c, type: c === 'id' ? 'integer' : c.endsWith('_at') ? 'timestamp' : 'text',
          description_html: '<p>The ' + esc(c) + '.</p>', tests: c === 'id' ? testsOf.map(({ id, name, status }) => ({ id, name, status })) : [] })),
        config: { materialized: node.m, schema: node.s, tags: node.tg, enabled: true },
        raw_sql: raw, compiled_sql: comp, raw_sql_html: raw ? hl(raw) : '', compiled_sql_html: comp ? hl(comp) : '',
        up: ups.map((u) => u.id), dn: node.dn.map((i) => nodes[i].id), tests: testsOf,
        stats: node.m === 'table' ? { rows: 1000 + nodes.indexOf(node) * 17, bytes: 65536 + nodes.indexOf(node) * 999 } : null,
        last_run: node.st ? { status: node.st, execution_time: 0.05 + rnd(), message: node.st === 'error' ? 'relation "x" does not exist' : 'SELECT 100', completed_at: '2024-05-01T10:00:00Z' } : null,
        source: node.t === 'source' ? { source_name: 'raw', loader: 'fivetran', freshness: { warn_after: { count: 12, period: 'hour' } } } : null,
      };
    }
    for (const node of nodes) delete node.tmodel;
    const count = (f) => { const o = {}; for (const x of nodes) { const k = f(x); o[k] = (o[k] || 0) + 1; } return o; };
    const statuses = {};
    if (withRun) for (const x of nodes) if (x.st) statuses[x.st] = (statuses[x.st] || 0) + 1;
    const project = { name: 'bench', generated_at: '2024-05-01T09:59:00Z', adapter_type: 'postgres' };
    return {
      index: { project, nodes, tags: ['bronze', 'daily', 'gold', 'hourly', 'silver'], layers: ['bronze', 'silver', 'gold', 'other'] },
      overview: {
        project,
        overview_html: '<h2>Welcome</h2><p>A generated project of <strong>' + n + '</strong> models in three layers. Use the tree or press <code>/</code> to search.</p>',
        counts: { by_layer: count((x) => x.l), by_materialization: count((x) => x.m), by_type: count((x) => x.t) },
        last_run: withRun ? { generated_at: '2024-05-01T10:00:00Z', elapsed: 12.5, statuses } : null,
      },
      nodes: details,
    };
  }
  if (typeof module !== 'undefined') module.exports = gen;
  else window.gmodelDevGen = gen;
})();
