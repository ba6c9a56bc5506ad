// gmodel docs: the router and start-up. Hash routes:
//   #/overview  #/node/<id>  #/search?q=  #/lineage/<id>?depth=&color=  #/lineage?select=
(function (gm) {
  'use strict';
  const { html, setHTML } = gm.util;

  let main, token = 0, lastName = '';

  function parse() {
    const h = location.hash.replace(/^#/, '');
    const qi = h.indexOf('?');
    const path = qi >= 0 ? h.slice(0, qi) : h;
    const query = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '');
    const m = /^\/([a-z]+)(?:\/(.*))?$/.exec(path);
    let arg = '';
    if (m && m[2]) {
      try { arg = decodeURIComponent(m[2]); } catch (e) { arg = m[2]; }
    }
    return { name: m ? m[1] : 'overview', arg, query };
  }

  function setNav(name) {
    for (const a of document.querySelectorAll('.topnav a')) a.classList.toggle('on', a.dataset.nav === name);
    document.body.dataset.route = name;
  }

  async function render() {
    const my = ++token;
    const current = () => my === token;
    const r = parse();
    setNav(r.name);
    document.body.classList.remove('menu-open');
    const project = gm.data.index.project.name || 'gmodel';
    try {
      switch (r.name) {
        case 'overview':
        case '':
          document.title = project + ' · gmodel docs';
          gm.sidebar.highlight('');
          await gm.pages.overview(main, current);
          break;
        case 'node': {
          const n = gm.data.lookup(r.arg);
          document.title = (n ? n.n : r.arg) + ' · ' + project;
          gm.sidebar.highlight(r.arg);
          await gm.pages.node(main, r.arg, current);
          // the tree follows once the page is painted
          requestAnimationFrame(() => setTimeout(() => { if (current()) gm.sidebar.reveal(r.arg); }, 0));
          break;
        }
        case 'search': {
          const q = r.query.get('q') || '';
          document.title = 'Search: ' + q + ' · ' + project;
          gm.sidebar.setQuery(q);
          await gm.pages.search(main, q, current);
          break;
        }
        case 'lineage': {
          const n = r.arg ? gm.data.lookup(r.arg) : null;
          document.title = 'Lineage' + (n ? ' of ' + n.n : '') + ' · ' + project;
          gm.sidebar.highlight(r.arg);
          await gm.lineage.show(main, r);
          break;
        }
        default:
          gm.pages.error(main, 'Not found', new Error('There is no page #/' + r.name + '.'));
      }
    } catch (e) {
      if (current()) gm.pages.error(main, 'Something went wrong', e);
    }
    if (current() && !(r.name === 'lineage' && lastName === 'lineage')) main.scrollTop = 0;
    lastName = r.name;
  }

  function keyboard() {
    document.addEventListener('keydown', (e) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      e.preventDefault();
      gm.sidebar.focusSearch();
    });
  }

  async function boot() {
    main = document.getElementById('main');
    document.getElementById('menu-button').addEventListener('click', () => {
      document.body.classList.toggle('menu-open');
    });
    document.getElementById('scrim').addEventListener('click', () => document.body.classList.remove('menu-open'));
    try {
      await gm.data.init();
    } catch (e) {
      window.__gmodelError = e.message;
      setHTML(main, html`<section class="page error-page"><h1>Cannot load the docs</h1><p class="error">${e.message}</p></section>`);
      return;
    }
    const p = gm.data.index.project;
    setHTML(document.getElementById('brand-project'), html`${p.name || ''}`);
    document.body.dataset.mode = gm.data.mode;
    gm.sidebar.initSearch(document.getElementById('search-input'), document.getElementById('search-results'));
    gm.sidebar.initTree(document.getElementById('tree'));
    keyboard();
    window.addEventListener('hashchange', render);
    await render();
    // Interactive: the first page is in the DOM and its handlers are wired.
    requestAnimationFrame(() => { window.__gmodelReady = true; });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})(window.gmodel = window.gmodel || {});
