// gmodel docs: the overview, node and search pages.
(function (gm) {
  'use strict';
  const U = gm.util;
  const { html, raw, setHTML, href, num, layerBadge, statusBadge, LAYERS } = U;

  function typeBadge(t) { return html`<span class="badge type">${t}</span>`; }
  function matBadge(m) {
    return m ? html`<span class="badge mat" style="--c:${U.matColor(m)}">${m}</span>` : '';
  }

  // nodeLink renders a link to a node known by id, with its name from the index.
  function nodeLink(id, extra) {
    const n = gm.data.lookup(id);
    return html`<a href="${href.node(id)}" data-id="${id}">${n ? n.n : id}</a>${extra || ''}${n ? html` <span class="muted small">${n.t}</span> ${layerBadge(n.l)}` : ''}`;
  }

  function errorPage(main, title, err) {
    setHTML(main, html`<section class="page error-page"><h1>${title}</h1><p class="error">${err && err.message ? err.message : String(err || '')}</p><p><a href="#/overview">Back to the overview</a></p></section>`);
  }

  // ---- overview -------------------------------------------------------------

  async function overview(main, current) {
    const ov = await gm.data.getOverview();
    if (!current()) return;
    const idx = gm.data.index;
    const proj = Object.assign({}, idx.project, ov.project || {});
    const counts = ov.counts || {};
    const byLayer = counts.by_layer || {};
    const byMat = counts.by_materialization || {};
    const byType = counts.by_type || {};
    const entries = (o) => Object.keys(o).sort((a, b) => o[b] - o[a] || (a < b ? -1 : 1)).map((k) => [k, o[k]]);
    const maxMat = Math.max(1, ...Object.values(byMat));
    const lr = ov.last_run;
    const statuses = lr && lr.statuses ? entries(lr.statuses).filter(([, n]) => n > 0) : [];
    setHTML(main, html`<section id="overview" class="page overview">
  <header class="page-head">
    <h1>${proj.name || 'Project'}</h1>
    <p class="muted">${proj.adapter_type ? html`<span class="badge">${proj.adapter_type}</span> ` : ''}${proj.generated_at ? 'compiled ' + U.when(proj.generated_at) : ''} · ${num(idx.nodes.length)} nodes</p>
  </header>
  <div class="cards">
    ${LAYERS.map((l) => html`<div class="card layer-card layer-${l}">
      <div class="card-label">${layerBadge(l)}</div>
      <div class="card-num layer-count" data-layer="${l}">${num(byLayer[l] || 0)}</div>
      <div class="muted small">${l === 'other' ? 'outside the medallion layers' : 'nodes in ' + l}</div>
    </div>`)}
  </div>
  <div class="grid2">
    <section class="panel">
      <h2>Materializations</h2>
      ${entries(byMat).length ? html`<ul class="bars">${entries(byMat).map(([m, n]) => html`<li class="mat-count" data-materialization="${m}">
        <span class="bar-label">${matBadge(m)}</span>
        <span class="bar"><i style="width:${(100 * n / maxMat).toFixed(1)}%;background:${U.matColor(m)}"></i></span>
        <span class="bar-num">${num(n)}</span></li>`)}</ul>` : html`<p class="muted">Nothing materialized.</p>`}
      <h2>Resource types</h2>
      <p class="chips">${entries(byType).map(([t, n]) => html`<span class="chip type-count" data-type="${t}">${U.typeLabel(t)} <b>${num(n)}</b></span>`)}</p>
    </section>
    <section class="panel" id="last-run">
      <h2>Last run</h2>
      ${lr ? html`<p class="muted">${U.when(lr.generated_at)}${lr.elapsed != null ? ' · took ' + U.seconds(lr.elapsed) : ''}</p>
        <p class="chips">${statuses.length ? statuses.map(([s, n]) => html`<span class="status-count" data-status="${s}">${statusBadge(s)} <b>${num(n)}</b></span>`) : html`<span class="muted">no results</span>`}</p>`
        : html`<p class="muted">No run results yet. Run <code>gmodel build</code> (or run / test) and reload to see statuses here.</p>`}
    </section>
  </div>
  <section class="panel doc markdown" id="overview-doc">${raw(ov.overview_html || '')}</section>
</section>`);
  }

  // ---- node -----------------------------------------------------------------

  function kv(rows) {
    const r = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
    if (!r.length) return '';
    return html`<table class="kv"><tbody>${r.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
  }

  function value(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'object') {
      if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(', ');
      return html`<code class="json">${JSON.stringify(v)}</code>`;
    }
    return String(v);
  }

  function empty(v) {
    return v === null || v === undefined || v === '' ||
      (Array.isArray(v) && !v.length) || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length);
  }

  function testBadges(tests) {
    return (tests || []).map((t) => html`<a class="test-badge st-${t.status || 'none'}" data-status="${t.status || ''}" data-id="${t.id}" href="${href.node(t.id)}" title="${t.name}: ${t.status || 'not run'}">${shortTest(t.name)}<b>${t.status || 'not run'}</b></a>`);
  }

  // shortTest turns not_null_orders_order_id into not_null for the column table.
  function shortTest(name) {
    const m = /^(not_null|unique|accepted_values|relationships|dbt_utils_[a-z_]+?)_/.exec(name || '');
    return m ? m[1] : name;
  }

  function codeTabs(d) {
    const tabs = [];
    if (d.raw_sql) tabs.push(['raw', 'Source', d.raw_sql_html || html`<pre class="chroma"><code>${d.raw_sql}</code></pre>`]);
    if (d.compiled_sql) tabs.push(['compiled', 'Compiled', d.compiled_sql_html || html`<pre class="chroma"><code>${d.compiled_sql}</code></pre>`]);
    if (!tabs.length) return '';
    return html`<section class="panel code" id="node-code">
  <div class="tabs" role="tablist">${tabs.map(([k, label], i) => html`<button type="button" role="tab" class="tab${i === 0 ? ' on' : ''}" data-tab="${k}" aria-selected="${i === 0}">${label}</button>`)}
    <button type="button" class="btn copy" data-copy>Copy</button></div>
  ${tabs.map(([k, , body], i) => html`<div class="tab-panel" data-panel="${k}"${i ? raw(' hidden') : ''}>${typeof body === 'string' ? raw(body) : body}</div>`)}
</section>`;
  }

  async function nodePage(main, id, current) {
    let d;
    try {
      d = await gm.data.getNode(id);
    } catch (e) {
      if (!current()) return;
      if (e.status === 404) return errorPage(main, 'Not found', new Error('No node ' + id + ' in this project. It may have been renamed; search for it instead.'));
      throw e;
    }
    if (!current()) return;
    const cols = d.columns || [];
    const tests = d.tests || [];
    const up = d.up || [];
    const dn = d.dn || [];
    const cfg = d.config || {};
    const cfgRows = Object.keys(cfg).sort().filter((k) => !empty(cfg[k])).map((k) => [k, value(cfg[k])]);
    const lr = d.last_run;
    const st = d.stats || {};
    const src = d.source;
    const pathParts = (d.f || '').split('/');
    setHTML(main, html`<article id="node-page" class="page node-page" data-id="${d.id}">
  <nav class="crumbs muted small">${U.typeLabel(d.t)} · ${d.p || (gm.data.lookup(d.id) || {}).p || ''}${d.f ? html` · <span title="${d.f}">${pathParts.slice(0, -1).join('/')}${pathParts.length > 1 ? '/' : ''}<b>${pathParts[pathParts.length - 1]}</b></span>` : ''}</nav>
  <header class="node-head">
    <h1 id="node-title">${d.n}</h1>
    <p class="badges">${typeBadge(d.t)} ${layerBadge(d.l)} ${d.m && d.m !== d.t ? matBadge(d.m) : ''} ${lr ? statusBadge(lr.status, 'status-badge run-status') : ''}
      ${(d.tags || []).map((t) => html`<a class="tag" href="${href.select({ select: 'tag:' + t })}">#${t}</a> `)}</p>
    ${d.relation ? html`<p class="relation"><code id="node-relation">${d.relation}</code></p>` : ''}
    <p class="actions"><a class="btn primary" id="node-lineage" href="${href.lineage(d.id)}">View lineage</a>
      ${d.t === 'test' ? '' : html`<a class="btn" href="${href.select({ select: '+' + U.selectorOf(d.id, d.n, d.t) + '+' })}">Select +${U.selectorOf(d.id, d.n, d.t)}+</a>`}</p>
  </header>
  <section class="panel doc markdown" id="node-description">${d.description_html ? raw(d.description_html) : html`<p class="muted">No description.</p>`}</section>

  <section class="panel" id="node-columns-section">
    <h2>Columns <span class="muted small">${num(cols.length)}</span></h2>
    ${cols.length ? html`<div class="table-wrap"><table id="node-columns" class="columns">
      <thead><tr><th>Column</th><th>Type</th><th>Description</th><th>Tests</th></tr></thead>
      <tbody>${cols.map((c) => html`<tr data-column="${c.name}">
        <td class="col-name"><code>${c.name}</code></td>
        <td class="col-type">${c.type || ''}</td>
        <td class="col-desc markdown">${raw(c.description_html || '')}</td>
        <td class="col-tests">${testBadges(c.tests)}</td></tr>`)}</tbody></table></div>`
    : html`<table id="node-columns" class="columns" hidden></table><p class="muted">No columns documented${d.t === 'model' ? ' and none in the catalog (run gmodel docs generate)' : ''}.</p>`}
  </section>

  ${tests.length ? html`<section class="panel" id="node-tests">
    <h2>Tests <span class="muted small">${num(tests.length)}</span></h2>
    <ul class="test-list">${tests.map((t) => html`<li>${statusBadge(t.status, 'test-badge')} <a href="${href.node(t.id)}" data-id="${t.id}">${t.name}</a>${t.column ? html` <span class="muted small">on <code>${t.column}</code></span>` : ''}</li>`)}</ul>
  </section>` : ''}

  <div class="grid2">
    <section class="panel"><h2>Upstream <span class="muted small">${num(up.length)}</span></h2>
      <ul id="upstream" class="links">${up.length ? up.map((i) => html`<li>${nodeLink(i)}</li>`) : html`<li class="muted">Nothing: this is a root.</li>`}</ul></section>
    <section class="panel"><h2>Downstream <span class="muted small">${num(dn.length)}</span></h2>
      <ul id="downstream" class="links">${dn.length ? dn.map((i) => html`<li>${nodeLink(i)}</li>`) : html`<li class="muted">Nothing depends on it.</li>`}</ul></section>
  </div>

  ${codeTabs(d)}

  <div class="grid2">
    ${lr ? html`<section class="panel" id="node-last-run"><h2>Last run</h2>${kv([
      ['status', statusBadge(lr.status)], ['took', U.seconds(lr.execution_time)],
      ['completed', U.when(lr.completed_at)], ['message', lr.message]])}</section>` : ''}
    ${st.rows != null || st.bytes != null ? html`<section class="panel" id="node-stats"><h2>Stats</h2>${kv([
      ['rows', st.rows != null ? num(st.rows) : ''], ['size', st.bytes != null ? U.bytes(st.bytes) : '']])}</section>` : ''}
    ${src ? html`<section class="panel" id="node-source"><h2>Source</h2>${kv(Object.keys(src).sort().filter((k) => !empty(src[k])).map((k) => [k, value(src[k])]))}</section>` : ''}
    <section class="panel" id="node-details"><h2>Details</h2>${kv([
      ['database', d.database], ['schema', d.schema], ['alias', d.alias], ['file', d.f], ['unique_id', d.id]])}</section>
    ${cfgRows.length ? html`<section class="panel" id="node-config"><h2>Config</h2>${kv(cfgRows)}</section>` : ''}
  </div>
</article>`);
    const code = main.querySelector('#node-code');
    if (code) {
      code.addEventListener('click', (e) => {
        const tab = e.target.closest('[data-tab]');
        if (tab) {
          for (const b of code.querySelectorAll('[data-tab]')) {
            b.classList.toggle('on', b === tab);
            b.setAttribute('aria-selected', String(b === tab));
          }
          for (const p of code.querySelectorAll('[data-panel]')) p.hidden = p.dataset.panel !== tab.dataset.tab;
          return;
        }
        const copy = e.target.closest('[data-copy]');
        if (copy) {
          const on = code.querySelector('.tab.on');
          const text = on && on.dataset.tab === 'compiled' ? d.compiled_sql : d.raw_sql;
          if (navigator.clipboard) {
            navigator.clipboard.writeText(text || '').then(() => { copy.textContent = 'Copied'; setTimeout(() => { copy.textContent = 'Copy'; }, 1200); }, () => {});
          }
        }
      });
    }
  }

  // ---- search ---------------------------------------------------------------

  function whereLabel(w) {
    if (!w || w === 'name') return 'name';
    if (w.startsWith('column:')) return html`column <code>${w.slice(7)}</code>`;
    return w;
  }

  async function searchPage(main, q, current) {
    const hits = q ? await gm.data.search(q, 200) : [];
    if (!current()) return;
    setHTML(main, html`<section id="search-page" class="page search-page">
  <h1>${q ? html`Results for “${q}”` : 'Search'}</h1>
  <p class="muted">${q ? (hits.length >= 200 ? 'The first 200 results' : num(hits.length) + (hits.length === 1 ? ' result' : ' results')) : 'Type in the search box (press / to focus it).'}</p>
  <ul class="results">${hits.map((h) => html`<li>
    <a class="result-link" data-id="${h.id}" href="${href.node(h.id)}">${h.n}</a>
    <span class="muted small">${h.t}</span> ${layerBadge(h.l)} <span class="where small">matched in ${whereLabel(h.where)}</span>
    ${h.snippet ? html`<div class="snippet">${h.snippet}</div>` : ''}</li>`)}</ul>
</section>`);
  }

  gm.pages = { overview, node: nodePage, search: searchPage, error: errorPage, whereLabel };
})(window.gmodel = window.gmodel || {});
