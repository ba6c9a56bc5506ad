// gmodel docs: the sidebar tree (built lazily: a group's children are made
// the first time it is opened, leaves in pages of 200) and the search box.
(function (gm) {
  'use strict';
  const U = gm.util;
  const { html, setHTML, href, layerBadge } = U;
  const PAGE = 200;

  // ---- tree -----------------------------------------------------------------

  // A tree item is {label, count, cls, open(): {items, leaves}}; open runs
  // the first time the item is expanded.
  function dirTree(list, strip) {
    const nodes = gm.data.index.nodes;
    const root = { dirs: new Map(), leaves: [] };
    for (const i of list) {
      const parts = (nodes[i].f || '').split('/');
      parts.pop();
      let cur = root;
      for (let k = strip; k < parts.length; k++) {
        let next = cur.dirs.get(parts[k]);
        if (!next) { next = { dirs: new Map(), leaves: [], path: parts.slice(0, k + 1).join('/') }; cur.dirs.set(parts[k], next); }
        cur = next;
      }
      cur.leaves.push(i);
    }
    return root;
  }

  function countOf(d) {
    let c = d.leaves.length;
    for (const s of d.dirs.values()) c += countOf(s);
    return c;
  }

  // dirOpen lists a folder: its subfolders (single-child chains joined as
  // a/b/c) and its nodes.
  function dirOpen(d) {
    const items = [];
    for (let name of [...d.dirs.keys()].sort()) {
      let sub = d.dirs.get(name);
      while (sub.dirs.size === 1 && !sub.leaves.length) {
        const [n2, s2] = sub.dirs.entries().next().value;
        name += '/' + n2;
        sub = s2;
      }
      const s = sub;
      const pre = s.path + '/';
      items.push({ label: name, count: countOf(s), cls: 'dir', open: () => dirOpen(s), has: (n) => (n.f || '').startsWith(pre) });
    }
    return { items, leaves: d.leaves };
  }

  // layerOpen groups a type's nodes by layer, then by folder.
  function layerOpen(list) {
    const nodes = gm.data.index.nodes;
    const by = new Map();
    for (const i of list) {
      const l = nodes[i].l || 'other';
      if (!by.has(l)) by.set(l, []);
      by.get(l).push(i);
    }
    if (by.size === 1 && by.has('other')) return dirOpen(dirTree(list, 1)); // no medallion: folders only
    const layers = U.LAYERS.filter((l) => by.has(l)).concat([...by.keys()].filter((l) => !U.LAYERS.includes(l)));
    const items = layers.map((l) => {
      const members = by.get(l);
      return {
        label: l, count: members.length, cls: 'layer layer-' + l, has: (n) => (n.l || 'other') === l,
        open: () => {
          let d = dirTree(members, 1);
          // models/gold/... under the gold layer: skip the repeated folder
          while (d.dirs.size === 1 && !d.leaves.length && d.dirs.has(l)) d = d.dirs.get(l);
          return dirOpen(d);
        },
      };
    });
    return { items, leaves: [] };
  }

  function sourceOpen(list) {
    const nodes = gm.data.index.nodes;
    const by = new Map();
    const srcOf = (n) => { const parts = n.id.split('.'); return parts.length > 3 ? parts[2] : n.p; };
    for (const i of list) {
      const src = srcOf(nodes[i]);
      if (!by.has(src)) by.set(src, []);
      by.get(src).push(i);
    }
    if (by.size === 1) return { items: [], leaves: list };
    return {
      items: [...by.keys()].sort().map((src) => ({ label: src, count: by.get(src).length, cls: 'dir', open: () => ({ items: [], leaves: by.get(src) }), has: (n) => srcOf(n) === src })),
      leaves: [],
    };
  }

  function byName(list) {
    const nodes = gm.data.index.nodes;
    return list.sort((a, b) => (nodes[a].n < nodes[b].n ? -1 : nodes[a].n > nodes[b].n ? 1 : a - b));
  }

  function topItems() {
    const nodes = gm.data.index.nodes;
    const by = new Map();
    for (let i = 0; i < nodes.length; i++) {
      const t = nodes[i].t;
      if (!by.has(t)) by.set(t, []);
      by.get(t).push(i);
    }
    const types = U.TYPE_ORDER.filter((t) => by.has(t)).concat([...by.keys()].filter((t) => !U.TYPE_ORDER.includes(t)).sort());
    return types.map((t) => {
      const list = by.get(t);
      let open;
      if (t === 'source') open = () => sourceOpen(list);
      else if (t === 'test' || t === 'exposure') open = () => dirOpen(dirTree(list, 0));
      else open = () => layerOpen(list);
      return { label: U.typeLabel(t), count: list.length, cls: 'type type-' + t, open, has: (n) => n.t === t };
    });
  }

  function itemHTML(it) {
    return html`<li class="ti ${it.cls || ''}"><button type="button" class="tw" aria-expanded="false"><span class="caret" aria-hidden="true"></span><span class="tl">${it.label}</span><span class="tc">${U.num(it.count)}</span></button><ul class="tk" hidden></ul></li>`;
  }

  // leavesHTML renders leaves from `from` on: one page, or up to `upto`.
  function leavesHTML(leaves, from, upto) {
    const nodes = gm.data.index.nodes;
    const slice = leaves.slice(from, Math.max(from + PAGE, upto || 0));
    const more = leaves.length - from - slice.length;
    return html`${slice.map((i) => html`<li class="lf"><a class="leaf${nodes[i].id === current ? ' on' : ''}" href="${href.node(nodes[i].id)}" data-id="${nodes[i].id}" title="${nodes[i].n}">${nodes[i].n}</a></li>`)}${more > 0 ? html`<li><button type="button" class="more" data-from="${from + slice.length}">Show ${U.num(Math.min(more, PAGE))} more of ${U.num(more)}</button></li>` : ''}`;
  }

  let tree = null;        // the <ul> root
  let current = '';       // id of the node on screen, highlighted in the tree
  const itemsOf = new WeakMap(); // <ul> -> its items

  function renderItems(ul, items, leaves) {
    const sorted = leaves && leaves.length ? byName(leaves.slice()) : [];
    itemsOf.set(ul, { items, leaves: sorted });
    setHTML(ul, html`${items.map(itemHTML)}${sorted.length ? leavesHTML(sorted, 0) : ''}`);
  }

  // expand opens a tree item (building its children the first time).
  function expand(li, open) {
    const tw = li.querySelector(':scope > button.tw');
    const ul = li.querySelector(':scope > ul');
    tw.setAttribute('aria-expanded', String(open));
    if (open && !itemsOf.has(ul)) {
      const idx = Array.prototype.indexOf.call(li.parentElement.children, li);
      const it = itemsOf.get(li.parentElement).items[idx].open();
      renderItems(ul, it.items, it.leaves);
    }
    ul.hidden = !open;
    return ul;
  }

  function showMore(btn, upto) {
    const ul = btn.closest('ul');
    const li = btn.parentElement;
    const tmp = document.createElement('ul');
    setHTML(tmp, leavesHTML(itemsOf.get(ul).leaves, Number(btn.dataset.from), upto));
    li.replaceWith(...tmp.childNodes);
  }

  function initTree(root) {
    tree = root;
    renderItems(tree, topItems(), []);
    tree.addEventListener('click', (e) => {
      const tw = e.target.closest('button.tw');
      if (tw) {
        expand(tw.parentElement, tw.getAttribute('aria-expanded') !== 'true');
        return;
      }
      const more = e.target.closest('button.more');
      if (more) showMore(more);
    });
  }

  // reveal opens the tree down to the node's entry, highlights it and
  // scrolls it into view.
  function reveal(id) {
    highlight(id);
    const n = gm.data.lookup(id);
    if (!n || !tree) return;
    let ul = tree;
    for (;;) {
      const st = itemsOf.get(ul);
      const k = st.items.findIndex((it) => it.has && it.has(n));
      if (k < 0) break;
      ul = expand(ul.children[k], true);
    }
    const sel = 'a.leaf[data-id="' + CSS.escape(id) + '"]';
    let a = ul.querySelector(sel);
    const more = ul.querySelector(':scope > li > button.more');
    if (!a && more) {
      const at = itemsOf.get(ul).leaves.indexOf(n.i);
      if (at >= 0) {
        showMore(more, (Math.floor(at / PAGE) + 1) * PAGE);
        a = ul.querySelector(sel);
      }
    }
    if (a) {
      a.classList.add('on');
      const box = tree.closest('.sidebar') || tree;
      const r = a.getBoundingClientRect(), b = box.getBoundingClientRect();
      if (r.top < b.top || r.bottom > b.bottom) a.scrollIntoView({ block: 'center' });
    }
  }

  // highlight marks the node on screen in the tree if it is drawn.
  function highlight(id) {
    current = id || '';
    if (!tree) return;
    for (const a of tree.querySelectorAll('a.leaf.on')) a.classList.remove('on');
    if (!id) return;
    const a = tree.querySelector('a.leaf[data-id="' + CSS.escape(id) + '"]');
    if (a) a.classList.add('on');
  }

  // ---- search box -----------------------------------------------------------

  let input, box, seq = 0, hits = [], active = -1, lastQ = null, pending = null;

  function hitHTML(h, k) {
    return html`<a class="search-hit${k === active ? ' active' : ''}" data-id="${h.id}" href="${href.node(h.id)}" role="option">
      <span class="hit-main"><span class="hit-name">${h.n}</span> <span class="muted small">${h.t}</span> ${layerBadge(h.l)}</span>
      ${h.where && h.where !== 'name' ? html`<span class="hit-where small">${gm.pages.whereLabel(h.where)}${h.snippet ? html`: <span class="muted">${h.snippet}</span>` : ''}</span>` : ''}</a>`;
  }

  function paint() {
    const q = input.value.trim();
    if (!q) { box.hidden = true; setHTML(box, html``); return; }
    box.hidden = false;
    setHTML(box, html`${hits.length ? hits.map(hitHTML) : html`<div class="muted small pad">No match for “${q}”.</div>`}
      <a class="all-results small" href="${href.search(q)}">All results for “${q}” ↵</a>`);
  }

  // run searches for the input's text; the promise gives the hits.
  function run() {
    const q = input.value.trim();
    if (q === lastQ && pending) return pending;
    lastQ = q;
    const my = ++seq;
    pending = gm.data.search(q, 20).then((r) => {
      if (my === seq) { hits = r || []; active = -1; paint(); }
      return r || [];
    }, (e) => {
      if (my === seq) { hits = []; box.hidden = false; setHTML(box, html`<div class="error small pad">${e.message}</div>`); }
      return [];
    });
    return pending;
  }

  function close() { box.hidden = true; }

  function initSearch(inp, results) {
    input = inp;
    box = results;
    const later = U.debounce(run, gm.data.mode === 'static' ? 120 : 60);
    input.addEventListener('input', () => {
      if (!input.value.trim()) { ++seq; lastQ = ''; pending = null; hits = []; paint(); return; }
      later();
    });
    input.addEventListener('focus', () => { if (input.value.trim() && hits.length) box.hidden = false; });
    input.addEventListener('keydown', async (e) => {
      if (e.key === 'Escape') { input.value = ''; hits = []; paint(); input.blur(); return; }
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (!hits.length) return;
        active = (active + (e.key === 'ArrowDown' ? 1 : -1) + hits.length) % hits.length;
        paint();
        return;
      }
      if (e.key === 'Enter') {
        e.preventDefault();
        const q = input.value.trim();
        if (!q) return;
        const r = await run();
        const h = r[active >= 0 ? active : 0];
        if (input.value.trim() !== q) return;
        location.hash = h ? href.node(h.id) : href.search(q);
        close();
      }
    });
    box.addEventListener('click', (e) => { if (e.target.closest('a')) close(); });
    document.addEventListener('click', (e) => {
      if (!box.hidden && !box.contains(e.target) && e.target !== input) close();
    });
  }

  // setQuery shows q in the search box and its hits (for #/search?q=).
  function setQuery(q) {
    if (input.value.trim() === q) return;
    input.value = q;
    run().then(() => close());
  }

  gm.sidebar = { initTree, initSearch, highlight, reveal, setQuery, focusSearch: () => { input.focus(); input.select(); } };
})(window.gmodel = window.gmodel || {});
