// genie issue map: filters, search as you type, and the relation graph.
// Plain JavaScript, no network, no libraries. The data sits in #genie-data.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('genie-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var LIMIT = 320, COL = 200, ROW = 30, W = 164, H = 22, TOP = 44, LEFT = 16;

  function $(s) { return document.querySelector(s); }
  function all(s, root) { return Array.prototype.slice.call((root || document).querySelectorAll(s)); }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function short(s, n) { s = s || ''; return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  var q = $('#q'), fStage = $('#f-stage'), fStatus = $('#f-status'), fType = $('#f-type');
  var rows = all('#matrix tbody tr'), docRows = all('#docs tbody tr');
  var svg = $('#graph'), note = $('#graph-note'), info = $('#info'), count = $('#count');

  var docs = {}, items = {}, adj = {}, tracked = {};
  data.docs.forEach(function (d) { docs[d.id] = d; });
  data.items.forEach(function (i) { items[i.id] = i; });
  data.edges.forEach(function (e) {
    (adj[e[1]] = adj[e[1]] || []).push(e[2]);
    (adj[e[2]] = adj[e[2]] || []).push(e[1]);
    if (e[0] === 'tracks') { (tracked[e[1]] = tracked[e[1]] || []).push(e[2]); }
  });
  var layerOfStage = {};
  data.layers.forEach(function (name, i) { layerOfStage[name] = i; });

  function filters() {
    var st = fStatus.value, kind = st.split(':')[0], val = st.slice(kind.length + 1);
    return {
      q: q.value.trim().toLowerCase(), stage: fStage.value, type: fType.value,
      itemStatus: kind === 'item' ? val : '', docStatus: kind === 'doc' ? val : ''
    };
  }
  function docText(d) { return (d.id + ' ' + (d.title || '')).toLowerCase(); }
  function docSel(d, f) {
    return (!f.type || d.type === f.type) && (!f.docStatus || d.class === f.docStatus);
  }
  function has(list, v) { return (' ' + list + ' ').indexOf(' ' + v + ' ') >= 0; }

  var shown = { items: [], docs: [] };
  function apply() {
    var f = filters(), visibleItems = [], nItems = 0, nDocs = 0;
    rows.forEach(function (tr) {
      var ds = tr.dataset, own = ((items[ds.item] || {}).key + ' ' + ((items[ds.item] || {}).title || '')).toLowerCase();
      var ok = (!f.stage || ds.stage === f.stage) &&
        (!f.itemStatus || ds.status === f.itemStatus) &&
        (!f.docStatus || has(ds.docStatuses, f.docStatus)) &&
        (!f.type || has(ds.types, f.type)) &&
        (!f.q || ds.search.indexOf(f.q) >= 0);
      tr.hidden = !ok;
      var ownMatch = !f.q || own.indexOf(f.q) >= 0;
      all('button.doc', tr).forEach(function (b) {
        var d = docs[b.dataset.doc] || { id: b.dataset.doc, type: b.dataset.type, class: b.dataset.status };
        var lit = docSel(d, f) && (ownMatch || docText(d).indexOf(f.q) >= 0);
        b.classList.toggle('dim', !lit);
      });
      if (ok) { visibleItems.push({ id: ds.item, own: ownMatch }); nItems++; }
    });
    var linked = {};
    if (f.itemStatus || f.stage) {
      visibleItems.forEach(function (v) { (tracked[v.id] || []).forEach(function (d) { linked[d] = true; }); });
    }
    docRows.forEach(function (tr) {
      var ds = tr.dataset, d = docs[ds.doc] || { id: ds.doc, type: ds.type, class: ds.status };
      var ok = docSel(d, f) && (!f.q || ds.search.indexOf(f.q) >= 0) &&
        (!(f.itemStatus || f.stage) || linked[ds.doc]);
      tr.hidden = !ok;
      if (ok) { nDocs++; }
    });
    count.textContent = nItems + ' of ' + rows.length + ' issues and PRs \u00b7 ' + nDocs + ' of ' + docRows.length + ' documents';

    // The graph: the visible issues and PRs, their documents that pass the filters,
    // and (unless issues are filtered) every other document that does.
    var nodeSet = {}, list = [];
    function add(id) { if (!nodeSet[id]) { nodeSet[id] = true; list.push(id); } }
    visibleItems.forEach(function (v) {
      add(v.id);
      (tracked[v.id] || []).forEach(function (id) {
        var d = docs[id];
        if (d && docSel(d, f) && (v.own || !f.q || docText(d).indexOf(f.q) >= 0)) { add(id); }
      });
    });
    if (!f.stage && !f.itemStatus) {
      data.docs.forEach(function (d) {
        if (docSel(d, f) && (!f.q || docText(d).indexOf(f.q) >= 0)) { add(d.id); }
      });
    }
    shown = list;
    draw(list);
  }

  var pos = {}, focusId = null;
  function draw(ids) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    pos = {};
    info.hidden = true;
    if (ids.length === 0) { note.textContent = 'Nothing matches the filters.'; svg.setAttribute('height', 0); return; }
    if (ids.length > LIMIT) {
      note.textContent = ids.length + ' nodes match: narrow the filters or search to draw the graph (it draws up to ' + LIMIT + ').';
      svg.setAttribute('height', 0);
      return;
    }
    note.textContent = '';
    var inSet = {};
    ids.forEach(function (id) { inSet[id] = true; });
    // Layers: issues and PRs first, then stages in order, then everything else.
    var layers = data.layers.map(function () { return []; });
    ids.forEach(function (id) {
      var l = items[id] ? 0 : (docs[id] ? docs[id].layer : layers.length - 1);
      layers[l].push(id);
    });
    var names = [];
    var used = layers.filter(function (l, i) { if (l.length) { names.push(data.layers[i]); } return l.length > 0; });
    var layerOf = {}, index = {};
    used.forEach(function (l, li) { l.forEach(function (id, i) { layerOf[id] = li; index[id] = i; }); });
    function nb(id) { return (adj[id] || []).filter(function (m) { return inSet[m]; }); }
    // Barycentre sweeps to untangle crossings.
    for (var it = 0; it < 8; it++) {
      var order = it % 2 === 0 ? used.map(function (_, i) { return i; }) : used.map(function (_, i) { return used.length - 1 - i; });
      order.forEach(function (li) {
        var layer = used[li];
        var key = {};
        layer.forEach(function (id) {
          var ns = nb(id).filter(function (m) { return layerOf[m] !== li; });
          if (ns.length === 0) { key[id] = index[id] / Math.max(1, layer.length); return; }
          var s = 0;
          ns.forEach(function (m) { s += index[m] / Math.max(1, used[layerOf[m]].length); });
          key[id] = s / ns.length;
        });
        layer.sort(function (a, b) { return (key[a] - key[b]) || (index[a] - index[b]); });
        layer.forEach(function (id, i) { index[id] = i; });
      });
    }
    var tall = Math.max.apply(null, used.map(function (l) { return l.length; }));
    var width = LEFT * 2 + used.length * COL - (COL - W), height = TOP + tall * ROW + 16;
    svg.setAttribute('width', Math.max(width, 320));
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', '0 0 ' + Math.max(width, 320) + ' ' + height);
    var defs = el('defs', {}, svg);
    var m = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#7152b0' }, m);
    var m2 = el('marker', { id: 'arrow2', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, defs);
    el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#3d4350' }, m2);
    used.forEach(function (l, li) {
      var x = LEFT + li * COL, off = (tall - l.length) * ROW / 2;
      var t = el('text', { x: x, y: 22, 'class': 'layer' }, svg);
      t.textContent = names[li];
      l.forEach(function (id, i) { pos[id] = { x: x, y: TOP + off + i * ROW }; });
    });
    var edges = el('g', { 'class': 'edges' }, svg);
    data.edges.forEach(function (e) {
      var a = pos[e[1]], b = pos[e[2]];
      if (!a || !b) { return; }
      var d;
      if (a.x === b.x) {
        var x = a.x + W, bend = 28 + Math.min(60, Math.abs(a.y - b.y) / 6);
        d = 'M' + x + ',' + (a.y + H / 2) + ' C' + (x + bend) + ',' + (a.y + H / 2) + ' ' + (x + bend) + ',' + (b.y + H / 2) + ' ' + x + ',' + (b.y + H / 2);
      } else {
        var l = a.x < b.x ? a : b, r = a.x < b.x ? b : a, reverse = a.x > b.x;
        var x1 = l.x + W, x2 = r.x, mid = (x1 + x2) / 2;
        d = 'M' + x1 + ',' + (l.y + H / 2) + ' C' + mid + ',' + (l.y + H / 2) + ' ' + mid + ',' + (r.y + H / 2) + ' ' + x2 + ',' + (r.y + H / 2);
        if (reverse) { e = [e[0], e[1], e[2], 'rev']; }
      }
      var attrs = { d: d, 'class': 'edge ' + e[0], 'data-a': e[1], 'data-b': e[2] };
      if (e[0] === 'supersedes') { attrs[e[3] ? 'marker-start' : 'marker-end'] = 'url(#arrow)'; }
      if (e[0] === 'implements') { attrs[e[3] ? 'marker-start' : 'marker-end'] = 'url(#arrow2)'; }
      el('path', attrs, edges);
    });
    var nodes = el('g', { 'class': 'nodes' }, svg);
    Object.keys(pos).forEach(function (id) {
      var p = pos[id], it = items[id], d = docs[id];
      var cls = it ? it.class : (d ? d.class : 'none');
      var g = el('g', { 'class': 'node c-' + cls + (it ? ' item' : ''), 'data-id': id, transform: 'translate(' + p.x + ',' + p.y + ')' }, nodes);
      el('rect', { width: W, height: H, rx: it ? 11 : 5 }, g);
      var label = it ? it.key + ' ' + (it.title || '') : id + ' ' + (d && d.title ? d.title : '');
      var t = el('text', { x: 8, y: 15 }, g);
      t.textContent = short(label, 22);
      var tip = el('title', {}, g);
      tip.textContent = it ? it.key + ' ' + (it.title || '') + '\n' + it.status
        : id + (d ? ' \u2014 ' + (d.title || '') + '\n' + (d.type || 'no type') + ', ' + (d.status || 'no status') + '\n' + d.path : '');
      g.addEventListener('mouseenter', function () { highlight(id, false); });
      g.addEventListener('mouseleave', function () { highlight(focusId, true); });
      g.addEventListener('click', function (ev) { ev.stopPropagation(); select(id); });
    });
    if (focusId && pos[focusId]) { select(focusId, true); }
  }

  function highlight(id, pinned) {
    var lit = {};
    svg.classList.toggle('focused', !!id);
    if (id) {
      lit[id] = true;
      (adj[id] || []).forEach(function (m) { lit[m] = true; });
    }
    all('.node', svg).forEach(function (g) {
      g.classList.toggle('hl', !!lit[g.dataset.id]);
      g.classList.toggle('sel', pinned && g.dataset.id === id);
    });
    all('.edge', svg).forEach(function (p) {
      p.classList.toggle('hl', !!id && (p.dataset.a === id || p.dataset.b === id));
    });
  }

  function select(id, quiet) {
    focusId = id;
    highlight(id, true);
    if (!quiet) { saveHash(); }
    if (!id) { info.hidden = true; return; }
    var it = items[id], d = docs[id], html = '';
    function esc(s) { return String(s == null ? '' : s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }
    var links = (adj[id] || []).filter(function (v, i, a) { return a.indexOf(v) === i; }).sort();
    if (it) {
      html = '<h3>' + esc(it.key) + ' ' + esc(it.title || '') + '</h3><p>' + esc(it.status) + '</p>';
    } else if (d) {
      html = '<h3>' + esc(d.id) + ' ' + esc(d.title || '') + '</h3><p>' + esc(d.type || 'no type') + ' \u00b7 ' + esc(d.status || 'no status') +
        (d.owner ? ' \u00b7 owner ' + esc(d.owner) : '') + '</p><p><code>' + esc(d.path) + '</code></p>';
    } else {
      html = '<h3>' + esc(id) + '</h3>';
    }
    html += '<p>Linked: ' + (links.length ? links.map(function (l) { return esc(items[l] ? items[l].key : l); }).join(', ') : 'nothing') + '</p>';
    info.innerHTML = html;
    info.hidden = false;
  }

  function focusFromTable(id) {
    if (!pos[id]) {
      q.value = '';
      fStage.value = ''; fStatus.value = ''; fType.value = '';
      apply();
    }
    if (pos[id]) {
      select(id);
      var p = pos[id], wrap = svg.parentNode;
      wrap.scrollTo({ left: Math.max(0, p.x - 80), top: Math.max(0, p.y - 120), behavior: 'smooth' });
      $('#graph-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  }

  document.addEventListener('click', function (ev) {
    var b = ev.target.closest && ev.target.closest('button.doc, button.item');
    if (b) { focusFromTable(b.dataset.doc || b.dataset.node); }
  });
  svg.addEventListener('click', function () { select(null); });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== q) { ev.preventDefault(); q.focus(); }
    if (ev.key === 'Escape') { select(null); }
  });
  // The state lives in the URL's fragment (#q=…&stage=…&status=…&type=…&focus=…),
  // so a filtered view can be bookmarked or shared.
  function saveHash() {
    var parts = [];
    [['q', q.value], ['stage', fStage.value], ['status', fStatus.value], ['type', fType.value], ['focus', focusId || '']]
      .forEach(function (p) { if (p[1]) { parts.push(p[0] + '=' + encodeURIComponent(p[1])); } });
    var h = parts.length ? '#' + parts.join('&') : ' ';
    try { history.replaceState(null, '', h === ' ' ? location.pathname + location.search : h); } catch (e) { /* file: URLs in some browsers */ }
  }
  function loadHash() {
    var h = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) { h[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); }
    });
    q.value = h.q || '';
    [[fStage, h.stage], [fStatus, h.status], [fType, h.type]].forEach(function (p) {
      var ok = p[1] && Array.prototype.some.call(p[0].options, function (o) { return o.value === p[1]; });
      p[0].value = ok ? p[1] : '';
    });
    focusId = h.focus || null;
  }
  [q, fStage, fStatus, fType].forEach(function (c) {
    c.addEventListener('input', function () { apply(); saveHash(); });
    c.addEventListener('change', function () { apply(); saveHash(); });
  });
  window.addEventListener('hashchange', function () { loadHash(); apply(); });
  $('#reset').addEventListener('click', function () {
    q.value = ''; fStage.value = ''; fStatus.value = ''; fType.value = ''; focusId = null; apply(); saveHash();
  });
  loadHash();
  apply();
})();
