// gmodel docs: the lineage graph. Only the focused subgraph is laid out and
// drawn: longest-path layering plus barycentre ordering, O(nodes + edges) of
// what is shown, rendered as one SVG string.
(function (gm) {
  'use strict';
  const { html, raw, esc, setHTML, layerColor, matColor, href, num, LAYERS } = gm.util;

  const CAP = 500;            // most nodes drawn at once
  const W = 200, H = 40;      // node box
  const GX = 80, GY = 14;     // gaps between layers / rows
  const MAXCH = 26;           // label characters before an ellipsis
  const DEPTHS = ['1', '2', '3', '4', '5', '10', 'all'];

  let renderSeq = 0;          // grows over the page's life, never reset
  let pendingT0 = null;       // performance.now() of the click that asked for a focus
  let lastPos = new Map();    // id -> {x, y} of the last layout, to keep a clicked node in place
  let view = { x: 0, y: 0, k: 1 };
  let page = null;            // DOM refs of the mounted page

  // ---- subgraph selection ---------------------------------------------------

  // levels returns the nodes at distance 1..depth from f through dir.
  function levels(f, dir, depth) {
    const nodes = gm.data.index.nodes;
    const seen = new Set([f]);
    const out = [];
    let frontier = [f];
    while (frontier.length && (depth < 0 || out.length < depth)) {
      const next = [];
      for (const i of frontier) {
        const adj = nodes[i][dir];
        for (let k = 0; k < adj.length; k++) {
          const j = adj[k];
          if (!seen.has(j)) { seen.add(j); next.push(j); }
        }
      }
      if (next.length) out.push(next);
      frontier = next;
    }
    return out;
  }

  // focusSet picks the focus node, then whole depth levels up and down
  // (nearest first) while they fit under CAP.
  function focusSet(f, depth, keep) {
    const up = levels(f, 'up', depth).map((l) => l.filter(keep));
    const dn = levels(f, 'dn', depth).map((l) => l.filter(keep));
    let total = 1;
    for (const l of up) total += l.length;
    for (const l of dn) total += l.length;
    const chosen = [f];
    const maxD = Math.max(up.length, dn.length);
    let d = 0, partial = 0;
    for (; d < maxD; d++) {
      const lu = up[d] || [], ld = dn[d] || [];
      if (chosen.length + lu.length + ld.length > CAP) {
        if (d === 0) { // even the direct neighbours overflow: show a slice of them
          const room = CAP - 1;
          const nu = Math.min(lu.length, Math.ceil(room / 2) + Math.max(0, Math.floor(room / 2) - ld.length));
          chosen.push(...lu.slice(0, nu), ...ld.slice(0, room - nu));
          partial = lu.length + ld.length;
        }
        break;
      }
      chosen.push(...lu, ...ld);
    }
    return { nodes: chosen, total, hidden: total - chosen.length, depthShown: d, maxDepth: maxD, partial };
  }

  // ---- layout -----------------------------------------------------------------

  function layout(list) {
    const nodes = gm.data.index.nodes;
    const n = list.length;
    const local = new Map();
    for (let k = 0; k < n; k++) local.set(list[k], k);
    const parents = Array.from({ length: n }, () => []);
    const children = Array.from({ length: n }, () => []);
    const edges = [];
    for (let k = 0; k < n; k++) {
      const dn = nodes[list[k]].dn;
      for (let e = 0; e < dn.length; e++) {
        const t = local.get(dn[e]);
        if (t !== undefined && t !== k) { edges.push([k, t]); children[k].push(t); parents[t].push(k); }
      }
    }
    // Longest-path layering (Kahn's order); a cycle, which a valid manifest
    // cannot have, just leaves its nodes in layer 0.
    const indeg = parents.map((p) => p.length);
    const layer = new Int32Array(n);
    const queue = [];
    for (let k = 0; k < n; k++) if (indeg[k] === 0) queue.push(k);
    for (let h = 0; h < queue.length; h++) {
      const u = queue[h];
      for (const v of children[u]) {
        if (layer[u] + 1 > layer[v]) layer[v] = layer[u] + 1;
        if (--indeg[v] === 0) queue.push(v);
      }
    }
    let maxL = 0;
    for (let k = 0; k < n; k++) if (layer[k] > maxL) maxL = layer[k];
    const rows = Array.from({ length: maxL + 1 }, () => []);
    const order = queue.length === n ? queue : [...queue, ...[...Array(n).keys()].filter((k) => indeg[k] > 0)];
    for (const k of order) rows[layer[k]].push(k);

    const y = new Float64Array(n);
    const place = (row) => {
      const off = (row.length - 1) / 2;
      for (let r = 0; r < row.length; r++) y[row[r]] = (r - off) * (H + GY);
    };
    rows.forEach(place);
    const key = new Float64Array(n);
    const sortBy = (row, adj) => {
      for (const k of row) {
        const a = adj[k];
        if (!a.length) { key[k] = y[k]; continue; }
        let s = 0;
        for (const j of a) s += y[j];
        key[k] = s / a.length;
      }
      row.sort((p, q) => key[p] - key[q]);
      place(row);
    };
    for (let pass = 0; pass < 2; pass++) {
      for (let L = 1; L <= maxL; L++) sortBy(rows[L], parents);
      for (let L = maxL - 1; L >= 0; L--) sortBy(rows[L], children);
    }
    for (let L = 1; L <= maxL; L++) sortBy(rows[L], parents);

    // A layer taller than maxRows wraps into several columns, so that a wide
    // selection (say 500 unrelated models) stays roughly screen-shaped.
    const maxRows = Math.max(15, Math.ceil(1.8 * Math.sqrt(n)));
    const pos = new Array(n);
    let col = 0;
    for (const row of rows) {
      const subs = Math.max(1, Math.ceil(row.length / maxRows));
      const per = Math.ceil(row.length / subs);
      for (let r = 0; r < row.length; r++) {
        const s = Math.floor(r / per), at = r - s * per, cnt = Math.min(per, row.length - s * per);
        pos[row[r]] = { x: (col + s) * (W + GX), y: (at - (cnt - 1) / 2) * (H + GY) - H / 2 };
      }
      col += subs;
    }
    return { list, pos, edges, layers: maxL + 1, rows };
  }

  // ---- rendering ----------------------------------------------------------------

  function label(s) { return s.length > MAXCH ? s.slice(0, MAXCH - 1) + '…' : s; }

  function svgContent(g, focusIdx, colorBy) {
    const nodes = gm.data.index.nodes;
    const { list, pos, edges } = g;
    let e = '';
    for (const [a, b] of edges) {
      const p = pos[a], q = pos[b];
      const x1 = p.x + W, y1 = p.y + H / 2, x2 = q.x - 4, y2 = q.y + H / 2;
      const dx = Math.max(30, (x2 - x1) / 2);
      const hot = list[a] === focusIdx || list[b] === focusIdx ? ' hot' : '';
      e += '<path class="ledge' + hot + '" data-from="' + esc(nodes[list[a]].id) + '" data-to="' +
        esc(nodes[list[b]].id) + '" d="M' + x1 + ' ' + y1 + 'C' + (x1 + dx) + ' ' + y1 + ' ' +
        (x2 - dx) + ' ' + y2 + ' ' + x2 + ' ' + y2 + '"/>';
    }
    let v = '';
    const detail = list.length <= 150; // the subtitle doubles the text to lay out
    for (let k = 0; k < list.length; k++) {
      const n = nodes[list[k]];
      const p = pos[k];
      const c = colorBy === 'materialization' ? matColor(n.m) : layerColor(n.l);
      const sub = (n.t === 'model' ? (n.m || 'model') : n.t) + (n.l && n.l !== 'other' ? ' · ' + n.l : '');
      v += '<g class="lnode' + (list[k] === focusIdx ? ' focus' : '') + (n.st ? ' st-' + esc(n.st) : '') +
        '" data-id="' + esc(n.id) + '" transform="translate(' + p.x + ',' + p.y + ')">' +
        '<rect class="box" width="' + W + '" height="' + H + '" rx="6"/>' +
        '<rect class="strip" width="6" height="' + H + '" rx="3" fill="' + c + '"/>' +
        (detail ? '<text class="name" x="14" y="17">' + esc(label(n.n)) + '</text>' +
          '<text class="sub" x="14" y="32">' + esc(label(sub)) + '</text></g>'
          : '<text class="name" x="14" y="25">' + esc(label(n.n)) + '</text></g>');
    }
    return '<g class="viewport"><g class="edges">' + e + '</g><g class="nodes">' + v + '</g></g>';
  }

  function applyView() {
    if (page && page.viewport) {
      page.viewport.setAttribute('transform', 'translate(' + view.x.toFixed(1) + ',' + view.y.toFixed(1) + ') scale(' + view.k.toFixed(4) + ')');
    }
  }

  function bounds(pos) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const p of pos) {
      if (p.x < x0) x0 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.x + W > x1) x1 = p.x + W;
      if (p.y + H > y1) y1 = p.y + H;
    }
    return { x0, y0, x1, y1 };
  }

  function fit(size, pos, focusPos) {
    if (!pos.length) return;
    const b = bounds(pos);
    const pad = 30;
    const k = Math.min(1.2, (size.w - 2 * pad) / (b.x1 - b.x0), (size.h - 2 * pad) / (b.y1 - b.y0));
    if (k >= (size.w < 600 ? 0.6 : 0.35) || !focusPos) {
      view.k = Math.max(0.1, k);
      view.x = (size.w - (b.x1 - b.x0) * view.k) / 2 - b.x0 * view.k;
      view.y = (size.h - (b.y1 - b.y0) * view.k) / 2 - b.y0 * view.k;
    } else { // too big to read when fitted: centre the focus at a readable scale
      view.k = 0.8;
      view.x = size.w / 2 - (focusPos.x + W / 2) * view.k;
      view.y = size.h / 2 - (focusPos.y + H / 2) * view.k;
    }
  }

  // intoView moves the view the least so that the whole graph is on screen,
  // when it fits at the current scale.
  function intoView(size, pos) {
    const b = bounds(pos), pad = 16;
    const w = (b.x1 - b.x0) * view.k, h = (b.y1 - b.y0) * view.k;
    const sx = view.x + b.x0 * view.k, sy = view.y + b.y0 * view.k;
    if (w + 2 * pad <= size.w) {
      if (sx < pad) view.x += pad - sx;
      else if (sx + w > size.w - pad) view.x -= sx + w - (size.w - pad);
    }
    if (h + 2 * pad <= size.h) {
      if (sy < pad) view.y += pad - sy;
      else if (sy + h > size.h - pad) view.y -= sy + h - (size.h - pad);
    }
  }

  function legend(colorBy, list) {
    const nodes = gm.data.index.nodes;
    let items;
    if (colorBy === 'materialization') {
      const seen = new Set();
      for (const i of list) seen.add(nodes[i].m || 'other');
      items = [...seen].sort().map((m) => [m, matColor(m)]);
    } else {
      items = LAYERS.map((l) => [l, layerColor(l)]);
    }
    return html`${items.map(([name, c]) => html`<span class="legend-item"><i style="background:${c}"></i>${name}</span>`)}`;
  }

  // ---- page ---------------------------------------------------------------------

  function params(route) {
    const q = route.query;
    return {
      id: route.arg || '',
      depth: DEPTHS.includes(q.get('depth')) ? q.get('depth') : 'all',
      color: q.get('color') === 'materialization' ? 'materialization' : 'layer',
      tag: q.get('tag') || '',
      layers: (q.get('layers') || '').split(',').filter((l) => LAYERS.includes(l)),
      select: q.get('select') || '',
      exclude: q.get('exclude') || '',
    };
  }

  function linkFor(p, id) {
    const q = { depth: p.depth === 'all' ? '' : p.depth, color: p.color === 'layer' ? '' : p.color,
      tag: p.tag, layers: p.layers.join(',') };
    if (id) return href.lineage(id, q);
    return href.select(Object.assign(q, { select: p.select, exclude: p.exclude }));
  }

  function mount(main) {
    const tags = gm.data.index.tags;
    setHTML(main, html`<section id="lineage-page" class="page lineage-page">
  <div class="lineage-bar">
    <form class="lsel" id="lineage-select-form" autocomplete="off">
      <input id="lineage-select" type="text" placeholder="selector, e.g. +orders+ or tag:daily" aria-label="dbt selector">
      <input id="lineage-exclude" type="text" placeholder="exclude" aria-label="exclude selector">
      <button type="submit" class="btn">Select</button>
    </form>
    <button type="button" class="btn filters-toggle" aria-expanded="false">Filters</button>
    <label class="ctl">Depth <select id="lineage-depth">${DEPTHS.map((d) => html`<option value="${d}">${d}</option>`)}</select></label>
    <label class="ctl">Tag <select id="lineage-tag"><option value="">any</option>${tags.map((t) => html`<option value="${t}">${t}</option>`)}</select></label>
    <span class="ctl layers" id="lineage-layers">${LAYERS.map((l) => html`<label class="chip"><input type="checkbox" value="${l}">${l}</label>`)}</span>
    <span class="seg" role="group" aria-label="colour by">
      <button type="button" class="btn" data-color="layer">Layer</button><button type="button" class="btn" data-color="materialization">Materialization</button>
    </span>
  </div>
  <div class="lineage-info"><span id="lineage-focus"></span> <span id="lineage-msg" class="muted"></span></div>
  <div id="lineage" class="lineage" data-render-seq="${renderSeq}">
    <svg id="lineage-svg" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="lineage graph"></svg>
    <div class="legend" id="lineage-legend"></div>
    <span class="zoom">
      <button type="button" class="btn" data-zoom="in" title="Zoom in" aria-label="Zoom in">+</button><button type="button" class="btn" data-zoom="out" title="Zoom out" aria-label="Zoom out">−</button><button type="button" class="btn" data-zoom="fit" title="Fit to screen">Fit</button>
    </span>
    <div class="lineage-empty" id="lineage-empty" hidden></div>
    <div class="ltip" id="lineage-tip" hidden></div>
  </div>
</section>`);
    const el = (id) => main.querySelector('#' + id);
    page = {
      root: el('lineage-page'), box: el('lineage'), svg: el('lineage-svg'), legend: el('lineage-legend'),
      msg: el('lineage-msg'), focus: el('lineage-focus'), empty: el('lineage-empty'), tip: el('lineage-tip'),
      depth: el('lineage-depth'), tag: el('lineage-tag'), layers: el('lineage-layers'),
      sel: el('lineage-select'), excl: el('lineage-exclude'), viewport: null, p: null, g: null,
    };
    wire(main);
  }

  function go(mut) {
    const p = Object.assign({}, page.p, mut);
    location.hash = linkFor(p, p.select && !('id' in mut) ? '' : p.id);
  }

  function wire(main) {
    const ft = main.querySelector('.filters-toggle');
    ft.addEventListener('click', () => {
      const on = main.querySelector('.lineage-bar').classList.toggle('show-filters');
      ft.setAttribute('aria-expanded', String(on));
    });
    page.depth.addEventListener('change', () => go({ depth: page.depth.value }));
    page.tag.addEventListener('change', () => go({ tag: page.tag.value }));
    page.layers.addEventListener('change', () => {
      go({ layers: [...page.layers.querySelectorAll('input:checked')].map((i) => i.value) });
    });
    main.querySelector('.seg').addEventListener('click', (e) => {
      const b = e.target.closest('[data-color]');
      if (b) go({ color: b.dataset.color });
    });
    main.querySelector('.zoom').addEventListener('click', (e) => {
      const b = e.target.closest('[data-zoom]');
      if (!b || !page.g) return;
      const r = page.svg.getBoundingClientRect();
      if (b.dataset.zoom === 'fit') {
        fit({ w: r.width, h: r.height }, page.g.pos, null);
        applyView();
      } else {
        zoomAt(r.width / 2, r.height / 2, b.dataset.zoom === 'in' ? 1.25 : 0.8);
      }
    });
    main.querySelector('#lineage-select-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const sel = page.sel.value.trim();
      if (!sel) return;
      location.hash = linkFor(Object.assign({}, page.p, { select: sel, exclude: page.excl.value.trim() }), '');
    });
    wirePanZoom(page.svg);
  }

  function zoomAt(px, py, f) {
    const k = Math.min(4, Math.max(0.08, view.k * f));
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }

  function wirePanZoom(svg) {
    const pts = new Map();
    let dragged = false, start = null, pinch = null, lastClick = { id: '', t: 0 };
    svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)));
    }, { passive: false });
    svg.addEventListener('pointerdown', (e) => {
      if (e.button !== 0 && e.pointerType === 'mouse') return;
      pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pts.size === 1) { dragged = false; start = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y }; }
      if (pts.size === 2) {
        const [a, b] = [...pts.values()];
        pinch = { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, k: view.k };
        dragged = true;
      }
    });
    svg.addEventListener('pointermove', (e) => {
      if (!pts.has(e.pointerId)) return;
      pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pts.size >= 2 && pinch) {
        const [a, b] = [...pts.values()];
        const r = svg.getBoundingClientRect();
        const f = (Math.hypot(a.x - b.x, a.y - b.y) / pinch.d) * pinch.k / view.k;
        zoomAt((a.x + b.x) / 2 - r.left, (a.y + b.y) / 2 - r.top, f);
        return;
      }
      if (!start) return;
      const dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (!dragged && Math.hypot(dx, dy) > 4) {
        dragged = true;
        page.tip.hidden = true;
        svg.setPointerCapture(e.pointerId);
        svg.classList.add('dragging');
      }
      if (dragged) { view.x = start.vx + dx; view.y = start.vy + dy; applyView(); }
    });
    const end = (e) => {
      pts.delete(e.pointerId);
      if (pts.size < 2) pinch = null;
      if (pts.size === 0) { start = null; svg.classList.remove('dragging'); }
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    svg.addEventListener('click', (e) => {
      if (dragged) { dragged = false; return; }
      const g = e.target.closest('g.lnode');
      if (!g) return;
      const id = g.getAttribute('data-id');
      const now = performance.now();
      if (lastClick.id === id && now - lastClick.t < 450) { // double click: open the page
        lastClick = { id: '', t: 0 };
        location.hash = href.node(id);
        return;
      }
      lastClick = { id, t: now };
      focusClick(id, now);
    });
    // One tooltip for all nodes instead of a <title> in each.
    svg.addEventListener('pointerover', (e) => {
      const g = e.target.closest('g.lnode');
      if (!g || e.pointerType !== 'mouse' || start) return;
      const n = gm.data.lookup(g.getAttribute('data-id'));
      if (!n) return;
      const r = page.box.getBoundingClientRect();
      setHTML(page.tip, html`<b>${n.n}</b> <span class="muted">${n.t}${n.m && n.m !== n.t ? ' · ' + n.m : ''} · ${n.l}</span>${n.d ? html`<div>${n.d}</div>` : ''}<div class="muted small">click: focus · double-click: open</div>`);
      page.tip.style.left = Math.min(e.clientX - r.left + 14, r.width - 300) + 'px';
      page.tip.style.top = (e.clientY - r.top + 16) + 'px';
      page.tip.hidden = false;
    });
    svg.addEventListener('pointerout', (e) => {
      if (e.target.closest('g.lnode') && !(e.relatedTarget && e.relatedTarget.closest && e.relatedTarget.closest('g.lnode') === e.target.closest('g.lnode'))) page.tip.hidden = true;
    });
    svg.addEventListener('dblclick', (e) => {
      const g = e.target.closest('g.lnode');
      if (g) location.hash = href.node(g.getAttribute('data-id'));
    });
  }

  // focusClick focuses id as if its node had been clicked at time t0 (the
  // render time is measured from t0).
  function focusClick(id, t0) {
    pendingT0 = t0 == null ? performance.now() : t0;
    page.anchor = true;
    const target = linkFor(Object.assign({}, page.p, { select: '', exclude: '' }), id);
    if (location.hash === target) draw(page.p, true);
    else location.hash = target;
  }

  // show renders the lineage route into main (reusing the mounted page).
  function show(main, route) {
    if (!page || !main.contains(page.root)) mount(main);
    const p = params(route);
    page.p = p;
    page.depth.value = p.depth;
    page.tag.value = p.tag;
    for (const i of page.layers.querySelectorAll('input')) i.checked = p.layers.includes(i.value);
    for (const b of page.root.querySelectorAll('[data-color]')) b.classList.toggle('on', b.dataset.color === p.color);
    page.sel.value = p.select;
    page.excl.value = p.exclude;
    return draw(p, false);
  }

  function keeper(p, focusIdx) {
    const nodes = gm.data.index.nodes;
    return (i) => {
      if (i === focusIdx) return true;
      const n = nodes[i];
      if (n.t === 'test') return false;
      if (p.tag && !n.tg.includes(p.tag)) return false;
      if (p.layers.length && !p.layers.includes(n.l)) return false;
      return true;
    };
  }

  async function draw(p, sameRoute) {
    const nodes = gm.data.index.nodes;
    let list, msg = '', focusIdx = -1, focusLabel = html``;
    if (p.id) {
      const fnode = gm.data.lookup(p.id);
      if (!fnode) return empty(html`No node <code>${p.id}</code> in this project.`);
      focusIdx = fnode.i;
      const depth = p.depth === 'all' ? -1 : Number(p.depth);
      const s = focusSet(focusIdx, depth, keeper(p, focusIdx));
      list = s.nodes;
      if (s.partial) {
        msg = 'Its ' + num(s.partial) + ' direct neighbours are too many to draw: showing ' + num(list.length - 1) +
          ' of them, ' + num(s.hidden) + ' of ' + num(s.total) + ' nodes hidden. Filter by tag or layer, or use a selector.';
      } else if (s.hidden > 0) {
        msg = 'Showing the nearest ' + s.depthShown + ' of ' + s.maxDepth + ' depths: ' + num(list.length) +
          ' of ' + num(s.total) + ' nodes (' + num(s.hidden) + ' hidden). Lower the depth or filter to see the rest.';
      }
      focusLabel = html`Focus: <a href="${href.node(fnode.id)}" class="focus-link">${fnode.n}</a> <span class="muted">(${fnode.t}${p.depth === 'all' ? '' : ', depth ' + p.depth})</span> · <a href="${linkFor(Object.assign({}, p, { select: '+' + gm.util.selectorOf(fnode.id, fnode.n, fnode.t) + '+', id: '' }), '')}" class="muted">as selector</a>`;
    } else if (p.select) {
      let ids;
      try {
        ids = await gm.data.select(p.select, p.exclude);
      } catch (e) {
        return empty(html`<span class="error">${e.message}</span>`);
      }
      if (page.p !== p) return; // a newer route took over
      const keep = keeper(p, -1);
      const all = [];
      for (const id of ids) { const n = gm.data.lookup(id); if (n && keep(n.i)) all.push(n.i); }
      list = all.slice(0, CAP);
      focusLabel = html`Selection: <code>${p.select}</code>${p.exclude ? html` excluding <code>${p.exclude}</code>` : ''}`;
      if (!list.length) return empty(html`${focusLabel} selects no models, seeds, snapshots or sources.`);
      if (all.length > CAP) msg = 'Showing ' + num(CAP) + ' of ' + num(all.length) + ' selected nodes (' + num(all.length - CAP) + ' hidden). Narrow the selector to see the rest.';
    } else {
      return empty(html`Pick a node to see its lineage: click one in the tree or a search result, then <em>View lineage</em>; or enter a dbt selector above (e.g. <code>+orders+</code>, <code>tag:daily</code>, <code>path:models/gold</code>).`);
    }

    const t0 = pendingT0 != null ? pendingT0 : performance.now();
    pendingT0 = null;
    const r = page.svg.getBoundingClientRect(); // read before writing: no forced layout later
    const size = { w: r.width || 800, h: r.height || 500 };
    const g = layout(list);
    page.empty.hidden = true;
    page.tip.hidden = true;
    page.svg.innerHTML = svgContent(g, focusIdx, p.color);
    page.viewport = page.svg.firstChild;
    page.g = g;
    const fk = focusIdx >= 0 ? list.indexOf(focusIdx) : -1;
    const focusPos = fk >= 0 ? g.pos[fk] : null;
    const before = focusIdx >= 0 ? lastPos.get(nodes[focusIdx].id) : null;
    if ((page.anchor || sameRoute) && before && focusPos) {
      // a click on a drawn node: keep that node where it was on screen
      view.x += (before.x - focusPos.x) * view.k;
      view.y += (before.y - focusPos.y) * view.k;
      intoView(size, g.pos);
    } else {
      fit(size, g.pos, focusPos);
    }
    page.anchor = false;
    applyView();
    lastPos = new Map();
    for (let k = 0; k < list.length; k++) lastPos.set(nodes[list[k]].id, g.pos[k]);
    setHTML(page.focus, focusLabel);
    page.msg.textContent = msg || (num(list.length) + ' nodes, ' + num(g.edges.length) + ' edges');
    setHTML(page.legend, legend(p.color, list));
    return painted(t0);
  }

  function empty(message) {
    const t0 = pendingT0 != null ? pendingT0 : performance.now();
    pendingT0 = null;
    page.svg.innerHTML = '';
    page.viewport = null;
    page.g = null;
    page.empty.hidden = false;
    setHTML(page.empty, html`<p>${message}</p>`);
    setHTML(page.focus, html``);
    page.msg.textContent = '';
    setHTML(page.legend, html``);
    return painted(t0);
  }

  function painted(t0) {
    const box = page.box;
    return new Promise((resolve) => {
      requestAnimationFrame(() => setTimeout(() => {
        renderSeq++;
        box.setAttribute('data-render-ms', (performance.now() - t0).toFixed(1));
        box.setAttribute('data-render-seq', String(renderSeq));
        resolve();
      }, 0));
    });
  }

  gm.lineage = { show, focusClick, _layout: layout, _focusSet: focusSet, CAP };
})(window.gmodel = window.gmodel || {});
