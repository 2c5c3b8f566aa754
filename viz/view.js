/* kg view: the graph of kg/export/html.py drawn with vis-network.
 *
 * Payload (the #kg-data block), all indices into its own arrays:
 *   T  node types (entity types first, then "Paper", "Claim"); R relationship types
 *   s  sentences (claim clauses and relation evidence), each stored once
 *   n  nodes, entities first (most connected first), then papers, then claims:
 *        entity [type, x, y, key, name, paperCount, aliases?, extra?]
 *        paper  [type, x, y, id, title, date, url, authors]
 *        claim  [type, x, y, paper, value, unit, metric, subject, via, baseline, dataset, qualifier, sentence]
 *   e  edges [from, to, rel, evidence?] with evidence a flat list [paper, sentence, ...]
 *   top     how many entities to draw at first (0: draw every node)
 *   physics refine the layout with a physics stabilization when the page opens (then it stops)
 *
 * Every string from the payload reaches the page as text (textContent, text nodes,
 * canvas labels or vis tooltips, which vis sets with innerText); nothing is parsed as HTML.
 */
(function () {
  'use strict';

  var raw = JSON.parse(document.getElementById('kg-data').textContent);
  var TYPES = raw.T;
  var RELS = raw.R;
  var PAPER = TYPES.indexOf('Paper');
  var CLAIM = TYPES.indexOf('Claim');
  var N_ENTITY_TYPES = TYPES.length - 2;

  var TYPE_STYLE = {
    Method: { color: '#4e79a7', shape: 'dot' },
    Model: { color: '#f28e2b', shape: 'diamond' },
    Dataset: { color: '#59a14f', shape: 'square' },
    Task: { color: '#b07aa1', shape: 'triangle' },
    Metric: { color: '#17a2a2', shape: 'triangleDown' },
    Paper: { color: '#8c96a3', shape: 'hexagon' },
    Claim: { color: '#e8b516', shape: 'star' }
  };
  var REL_STYLE = {
    PROPOSES: { color: '#6b7480', width: 1.6 },
    USES: { color: '#b9c0c9' },
    COMPARES_WITH: { color: '#b9c0c9', dashes: true },
    MENTIONS: { color: '#d7dbe0' },
    REPORTS: { color: '#e3cf86' },
    ABOUT: { color: '#d9b84a' },
    MEASURES: { color: '#e3cf86' },
    VIA: { color: '#d9b84a', dashes: true },
    MEASURED_ON: { color: '#e3cf86' },
    AGAINST: { color: '#e3cf86', dashes: true },
    EVALUATED_ON: { color: '#59a14f', width: 2 },
    OUTPERFORMS: { color: '#e15759', width: 2 },
    APPLIED_TO: { color: '#b07aa1', width: 2 },
    ADDRESSES: { color: '#9c755f', width: 2 },
    VARIANT_OF: { color: '#f28e2b', width: 2, dashes: true }
  };
  var ENTITY_USES = { color: '#4e79a7', width: 2 };
  var ROLE_RELS = ['PROPOSES', 'USES', 'COMPARES_WITH', 'MENTIONS'];
  var ROLE_TITLES = {
    entity: { PROPOSES: 'Proposed in', USES: 'Used in', COMPARES_WITH: 'Compared with in', MENTIONS: 'Mentioned in' },
    paper: { PROPOSES: 'Proposes', USES: 'Uses', COMPARES_WITH: 'Compares with', MENTIONS: 'Mentions' }
  };
  var CLAIM_ROLES = { ABOUT: 'subject', VIA: 'via', MEASURES: 'metric', MEASURED_ON: 'dataset', AGAINST: 'baseline' };
  var DIM_NODE = { background: '#eceef1', border: '#dfe2e6', highlight: { background: '#eceef1', border: '#dfe2e6' },
    hover: { background: '#e4e7eb', border: '#cfd3d9' } };
  var DIM_FONT = { color: 'rgba(0,0,0,0)', strokeWidth: 0 };  // labels of the dimmed rest would bury the neighbourhood's
  var DIM_EDGE = { color: '#eceef1', highlight: '#eceef1', hover: '#dfe2e6' };
  var SEARCH_LIMIT = 12;
  var REVEAL_LIMIT = 150;
  var LIST_LIMIT = 25;
  var ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

  // ---- decode -------------------------------------------------------------------------------
  var nodes = raw.n.map(function (r, i) {
    var n = { i: i, t: r[0], type: TYPES[r[0]], x: r[1], y: r[2], out: [], inc: [] };
    if (r[0] === PAPER) {
      n.pid = r[3]; n.name = r[4] || n.pid; n.date = r[5]; n.url = r[6]; n.authors = r[7];
      n.id = 'paper:' + n.pid;
    } else if (r[0] === CLAIM) {
      n.paper = r[3]; n.value = r[4]; n.unit = r[5]; n.metric = r[6]; n.subject = r[7]; n.via = r[8];
      n.baseline = r[9]; n.dataset = r[10]; n.qualifier = r[11]; n.sentence = r[12] >= 0 ? raw.s[r[12]] : '';
      n.name = claimChain(n);
      n.id = 'claim#' + i;
    } else {
      n.key = r[3]; n.name = r[4]; n.count = r[5]; n.aliases = r[6] || []; n.extra = r[7] || {};
      n.id = 'entity:' + n.key;
    }
    return n;
  });
  var edges = raw.e.map(function (r, i) {
    var e = { i: i, a: r[0], b: r[1], r: r[2], rel: RELS[r[2]], ev: r[3] || [] };
    nodes[e.a].out.push(i);
    nodes[e.b].inc.push(i);
    return e;
  });
  var byId = new Map(nodes.map(function (n) { return [n.id, n.i]; }));
  var entityCount = nodes.filter(isEntity).length;
  var maxCount = nodes.reduce(function (m, n) { return isEntity(n) ? Math.max(m, n.count) : m; }, 1);

  function isEntity(n) { return n.t < N_ENTITY_TYPES; }
  function degree(n) { return n.out.length + n.inc.length; }
  function other(e, i) { return e.a === i ? e.b : e.a; }
  function neighbours(i) {
    var n = nodes[i];
    return n.out.map(function (e) { return edges[e].b; }).concat(n.inc.map(function (e) { return edges[e].a; }));
  }

  function formatValue(c) {
    if (!c.value) return '';
    if (!c.unit) return c.value;
    return /^[%x\u00d7]$/.test(c.unit) ? c.value + c.unit : c.value + ' ' + c.unit;
  }
  function claimResult(c) { return [formatValue(c), c.metric].filter(Boolean).join(' '); }
  function claimChain(c) { return [c.subject, c.via, claimResult(c)].filter(Boolean).join(' \u2192 '); }

  function truncate(text, n) { return text.length > n ? text.slice(0, n - 1) + '\u2026' : text; }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

  function paperHref(n) {
    if (ARXIV_ID.test(n.pid)) return 'https://arxiv.org/abs/' + n.pid;
    if (/^https?:\/\//i.test(n.url || '')) return n.url;
    return null;
  }

  // ---- vis items ----------------------------------------------------------------------------
  var COLORS = {};
  Object.keys(TYPE_STYLE).forEach(function (t) {
    var c = TYPE_STYLE[t].color;
    COLORS[t] = { background: c, border: shade(c, -0.25), highlight: { background: c, border: '#1f2329' },
      hover: { background: c, border: '#1f2329' } };
  });
  function shade(hex, amount) {
    var v = parseInt(hex.slice(1), 16);
    var parts = [v >> 16, (v >> 8) & 255, v & 255].map(function (p) {
      return Math.max(0, Math.min(255, Math.round(p * (1 + amount))));
    });
    return '#' + parts.map(function (p) { return p.toString(16).padStart(2, '0'); }).join('');
  }
  function fontOf(n) {
    return isEntity(n)
      ? { color: '#1f2329', size: 14, strokeWidth: 3, strokeColor: '#f6f7f9' }
      : { color: '#56606d', size: 10, strokeWidth: 3, strokeColor: '#f6f7f9' };
  }
  function nodeLabel(n) {
    if (n.t === CLAIM) return truncate(claimResult(n) || n.value || 'claim', 28);
    return truncate(n.name, n.t === PAPER ? 34 : 40);
  }
  function nodeTip(n) {
    if (isEntity(n)) return n.name + '\n' + n.type + ' \u00b7 ' + plural(n.count, 'paper');
    if (n.t === PAPER) return n.name + (n.date ? '\n' + n.date : '');
    return n.name;
  }
  function nodeSize(n) {
    if (isEntity(n)) return Math.min(42, 8 + 5 * Math.sqrt(n.count));
    return n.t === PAPER ? 9 : 7;
  }
  function visNode(i) {
    var n = nodes[i];
    return { id: i, x: n.x, y: n.y, label: nodeLabel(n), title: nodeTip(n), shape: TYPE_STYLE[n.type].shape,
      size: nodeSize(n), color: COLORS[n.type], font: fontOf(n) };
  }
  function edgeStyle(e) {
    if (e.rel === 'USES' && isEntity(nodes[e.a])) return ENTITY_USES;
    return REL_STYLE[e.rel] || { color: '#b9c0c9' };
  }
  function edgeColor(e) {
    var c = edgeStyle(e).color;
    return { color: c, highlight: shade(c, -0.3), hover: shade(c, -0.3) };
  }
  function visEdge(j) {
    var e = edges[j];
    var st = edgeStyle(e);
    return { id: j, from: e.a, to: e.b, title: e.rel + '\n' + nodes[e.a].name + ' \u2192 ' + nodes[e.b].name,
      color: edgeColor(e), width: st.width || 1, dashes: !!st.dashes };
  }

  // ---- state and drawing --------------------------------------------------------------------
  var state = {
    all: !raw.top,
    types: new Set(TYPES.map(function (_, t) { return t; })),
    rels: new Set(RELS.map(function (_, r) { return r; })),
    minCount: 1,
    expanded: new Set(),
    selected: null,
    selectedEdge: null,
    dimmed: false
  };
  var drawnNodes = new Set();
  var drawnEdges = new Set();
  var visNodes = new vis.DataSet();
  var visEdges = new vis.DataSet();

  function shown(i) {
    var n = nodes[i];
    if (i === state.selected) return true;
    return state.types.has(n.t) && (!isEntity(n) || state.minCount <= 1 || n.count >= state.minCount);
  }

  function sync() {
    var want = new Set();
    var limit = state.all ? nodes.length : Math.min(raw.top, entityCount);
    for (var i = 0; i < limit; i++) if (shown(i)) want.add(i);
    state.expanded.forEach(function (j) { if (shown(j)) want.add(j); });
    if (state.selected !== null) want.add(state.selected);
    var wantEdges = new Set();
    want.forEach(function (j) {
      nodes[j].out.forEach(function (k) {
        var e = edges[k];
        if (want.has(e.b) && state.rels.has(e.r)) wantEdges.add(k);
      });
    });
    var goneEdges = [];
    drawnEdges.forEach(function (k) { if (!wantEdges.has(k)) goneEdges.push(k); });
    var goneNodes = [];
    drawnNodes.forEach(function (j) { if (!want.has(j)) goneNodes.push(j); });
    var newNodes = [];
    want.forEach(function (j) { if (!drawnNodes.has(j)) newNodes.push(visNode(j)); });
    var newEdges = [];
    wantEdges.forEach(function (k) { if (!drawnEdges.has(k)) newEdges.push(visEdge(k)); });
    visEdges.remove(goneEdges);
    visNodes.remove(goneNodes);
    visNodes.add(newNodes);
    visEdges.add(newEdges);
    drawnNodes = want;
    drawnEdges = wantEdges;
    state.dimmed = state.dimmed && newNodes.length === 0 && newEdges.length === 0;
    highlight();
    showStats();
  }

  function highlight() {
    var sel = state.selected;
    if (sel === null || !drawnNodes.has(sel)) {
      if (state.dimmed) {
        visNodes.update(Array.from(drawnNodes, function (i) {
          return { id: i, color: COLORS[nodes[i].type], font: fontOf(nodes[i]) };
        }));
        visEdges.update(Array.from(drawnEdges, function (k) { return { id: k, color: edgeColor(edges[k]) }; }));
        state.dimmed = false;
      }
      return;
    }
    var near = new Set(neighbours(sel));
    near.add(sel);
    visNodes.update(Array.from(drawnNodes, function (i) {
      var n = nodes[i];
      return near.has(i) ? { id: i, color: COLORS[n.type], font: fontOf(n) } : { id: i, color: DIM_NODE, font: DIM_FONT };
    }));
    visEdges.update(Array.from(drawnEdges, function (k) {
      var e = edges[k];
      return { id: k, color: e.a === sel || e.b === sel ? edgeColor(e) : DIM_EDGE };
    }));
    state.dimmed = true;
  }

  var container = document.getElementById('network');
  var physics = document.getElementById('physics');
  sync();  // fill the data sets first: vis stabilizes what it is given when it starts
  var big = drawnNodes.size > 1000;
  var network = new vis.Network(container, { nodes: visNodes, edges: visEdges }, {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 1 },
    physics: {
      enabled: !!raw.physics,
      solver: 'barnesHut',
      barnesHut: { gravitationalConstant: -3500, centralGravity: 0.2, springLength: 110, springConstant: 0.03,
        damping: 0.4, avoidOverlap: 0.1 },
      stabilization: { enabled: true, iterations: 150, updateInterval: 50, fit: true },
      minVelocity: 1
    },
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
      multiselect: false, keyboard: false },
    nodes: { borderWidth: 1, borderWidthSelected: 3, scaling: { label: { drawThreshold: 8 } } },
    edges: { smooth: false, arrows: { to: { enabled: true, scaleFactor: 0.45 } }, selectionWidth: 1.5,
      hoverWidth: 0.5 }
  });

  var view = {
    network: network, nodes: visNodes, edges: visEdges, data: { nodes: nodes, edges: edges }, state: state,
    drawnAt: null, stabilizedAt: null,
    indexOf: function (id) { return typeof id === 'number' ? id : byId.has(id) ? byId.get(id) : -1; },
    select: function (id, reveal) { select(view.indexOf(id), { reveal: reveal !== false, focus: true }); },
    expand: function (id) { expand(view.indexOf(id)); },
    positionOf: function (id) {
      var i = view.indexOf(id);
      return network.canvasToDOM(network.getPositions([i])[i]);
    }
  };
  window.kgView = view;

  network.once('afterDrawing', function () {
    view.drawnAt = performance.now();
    if (!raw.physics) view.stabilizedAt = view.drawnAt;
    document.getElementById('loading').hidden = true;
  });
  // Physics refines the precomputed layout once, then stops, so the page never keeps
  // jiggling (or burning CPU) while it is read; the Physics switch turns it back on.
  network.once('stabilizationIterationsDone', function () {
    network.setOptions({ physics: { enabled: false } });
    physics.checked = false;
    view.stabilizedAt = performance.now();
  });
  network.on('click', function (params) {
    if (params.nodes.length) select(params.nodes[0], { reveal: false, focus: false });
    else if (params.edges.length) selectEdge(params.edges[0]);
    else deselect();
  });
  network.on('doubleClick', function (params) {
    if (params.nodes.length) expand(params.nodes[0]);
  });

  function select(i, opts) {
    if (!(i >= 0 && i < nodes.length)) return;
    state.selected = i;
    state.selectedEdge = null;
    if (opts.reveal) {
      var wanted = [i];
      if (!state.all) {
        wanted = wanted.concat(uniq(neighbours(i)).sort(function (a, b) {
          return degree(nodes[b]) - degree(nodes[a]) || a - b;
        }).slice(0, REVEAL_LIMIT));
      }
      reveal(i, wanted);
    }
    sync();
    network.selectNodes([i]);
    if (opts.focus) focusOn(i);
    renderPanel();
  }

  // Nodes that come into view through one node are set in rings around it, papers and claims
  // after entities, so an expansion reads as that node's neighbourhood whatever the base layout.
  function reveal(anchor, wanted) {
    var fresh = wanted.filter(function (j) { return !drawnNodes.has(j) && !state.expanded.has(j); });
    wanted.forEach(function (j) { state.expanded.add(j); });
    var centre = drawnNodes.has(anchor) ? network.getPosition(anchor) : { x: nodes[anchor].x, y: nodes[anchor].y };
    var ring = 0, slot = 0;
    fresh.filter(function (j) { return j !== anchor; }).sort(function (a, b) {
      return nodes[a].t - nodes[b].t || degree(nodes[b]) - degree(nodes[a]) || a - b;
    }).forEach(function (j) {
      var radius = 110 + 70 * ring;
      var capacity = Math.floor(2 * Math.PI * radius / 48);
      var angle = 2 * Math.PI * slot / capacity + ring * 0.4;
      nodes[j].x = Math.round(centre.x + radius * Math.cos(angle));
      nodes[j].y = Math.round(centre.y + radius * Math.sin(angle));
      if (++slot >= capacity) { ring++; slot = 0; }
    });
    return fresh;
  }

  function selectEdge(k) {
    state.selected = null;
    state.selectedEdge = k;
    highlight();
    renderPanel();
  }

  function deselect() {
    state.selected = null;
    state.selectedEdge = null;
    network.unselectAll();
    highlight();
    renderPanel();
  }

  function expand(i) {
    if (!(i >= 0 && i < nodes.length)) return;
    if (reveal(i, [i].concat(uniq(neighbours(i)))).length) {
      sync();
      focusOn(i);
    }
    if (state.selected === i) renderPanel();
  }

  function focusOn(i) {
    var near = uniq([i].concat(neighbours(i))).filter(function (j) { return drawnNodes.has(j); });
    network.fit({ nodes: near, maxZoomLevel: 1.2, animation: { duration: 350, easingFunction: 'easeInOutQuad' } });
  }

  function hiddenNeighbours(i) {
    return new Set(neighbours(i).filter(function (j) { return !drawnNodes.has(j); })).size;
  }

  // ---- DOM helpers (text only) --------------------------------------------------------------
  function h(tag, props) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        if (props[k] === null || props[k] === undefined) return;
        if (k === 'class') el.className = props[k];
        else if (k === 'node') el.dataset.node = String(props[k]);
        else if (k === 'action') el.dataset.action = props[k];
        else el.setAttribute(k, props[k]);
      });
    }
    for (var c = 2; c < arguments.length; c++) append(el, arguments[c]);
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false || child === '') return;
    if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
    else el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }

  var SVG = 'http://www.w3.org/2000/svg';
  var SHAPE_POINTS = {
    diamond: '6,0 12,6 6,12 0,6', triangle: '6,0 12,11 0,11', triangleDown: '0,1 12,1 6,12',
    hexagon: '3,0.8 9,0.8 12,6 9,11.2 3,11.2 0,6',
    star: '6,0 7.6,4 12,4.4 8.6,7.3 9.7,11.8 6,9.4 2.3,11.8 3.4,7.3 0,4.4 4.4,4'
  };
  function swatch(type) {
    var st = TYPE_STYLE[type];
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'swatch');
    svg.setAttribute('viewBox', '0 0 12 12');
    svg.setAttribute('aria-hidden', 'true');
    var shape;
    if (st.shape === 'dot') {
      shape = document.createElementNS(SVG, 'circle');
      shape.setAttribute('cx', '6'); shape.setAttribute('cy', '6'); shape.setAttribute('r', '5.5');
    } else if (st.shape === 'square') {
      shape = document.createElementNS(SVG, 'rect');
      shape.setAttribute('x', '0.5'); shape.setAttribute('y', '0.5');
      shape.setAttribute('width', '11'); shape.setAttribute('height', '11');
    } else {
      shape = document.createElementNS(SVG, 'polygon');
      shape.setAttribute('points', SHAPE_POINTS[st.shape]);
    }
    shape.setAttribute('fill', st.color);
    shape.setAttribute('stroke', shade(st.color, -0.25));
    svg.appendChild(shape);
    return svg;
  }
  function nodeLink(i, text) {
    return h('button', { class: 'link', type: 'button', node: i }, text === undefined ? nodes[i].name : text);
  }
  function chip(i) {
    var n = nodes[i];
    return h('button', { class: 'chip', type: 'button', node: i, title: n.type }, swatch(n.type), n.name);
  }
  function paperLine(i) {
    var p = nodes[i];
    var href = paperHref(p);
    var meta = h('span', { class: 'meta' }, p.date);
    if (href) {
      if (p.date) append(meta, ' \u00b7 ');
      var a = h('a', { target: '_blank', rel: 'noopener noreferrer' }, ARXIV_ID.test(p.pid) ? 'arXiv:' + p.pid : 'link');
      a.href = href;
      append(meta, a);
    }
    return h('li', null, nodeLink(i), meta);
  }
  function byDate(a, b) {
    return (nodes[b].date || '').localeCompare(nodes[a].date || '') || nodes[a].name.localeCompare(nodes[b].name);
  }
  function limitedList(items, render) {
    var list = h('ul', { class: 'list' });
    items.slice(0, LIST_LIMIT).forEach(function (i) { list.appendChild(render(i)); });
    if (items.length > LIST_LIMIT) {
      var more = h('button', { class: 'link', type: 'button' }, 'Show all ' + items.length);
      more.addEventListener('click', function () {
        items.slice(LIST_LIMIT).forEach(function (i) { list.appendChild(render(i)); });
        more.remove();
      });
      return [list, more];
    }
    return list;
  }
  // The entity and every variant below it ("Medusa-1" under "Medusa"), whose claims are its claims too.
  function withVariants(n) {
    var found = [n], seen = {};
    seen[n.id] = true;
    for (var i = 0; i < found.length; i++) {
      found[i].inc.forEach(function (k) {
        var variant = nodes[edges[k].a];
        if (edges[k].rel === 'VARIANT_OF' && !seen[variant.id]) {
          seen[variant.id] = true;
          found.push(variant);
        }
      });
    }
    return found;
  }

  function claimsTable(claims, fromPaper) {
    var table = h('table', { class: 'claims' },
      h('thead', null, h('tr', null, ['value', 'unit', 'metric', 'baseline', 'dataset'].map(function (c) {
        return h('th', null, c);
      }))));
    var body = h('tbody');
    claims.forEach(function (i) {
      var c = nodes[i];
      body.appendChild(h('tr', { class: 'chain' }, h('td', { colspan: '5' }, nodeLink(i, c.name))));
      body.appendChild(h('tr', null,
        h('td', { class: 'value' }, c.qualifier ? h('span', { class: 'muted' }, c.qualifier + ' ') : null, c.value),
        h('td', null, c.unit), h('td', null, c.metric), h('td', null, c.baseline), h('td', null, c.dataset)));
      var source = h('td', { colspan: '5' }, c.sentence ? '\u201c' + c.sentence + '\u201d' : '');
      if (!fromPaper && c.paper >= 0) append(source, [' \u2014 ', nodeLink(c.paper, truncate(nodes[c.paper].name, 60))]);
      body.appendChild(h('tr', { class: 'source' }, source));
    });
    table.appendChild(body);
    return table;
  }
  function evidenceList(e) {
    var items = [];
    for (var k = 0; k < e.ev.length; k += 2) items.push([e.ev[k], raw.s[e.ev[k + 1]]]);
    return items.map(function (item) {
      return h('blockquote', { class: 'sentence' }, item[1], ' \u2014 ', nodeLink(item[0], truncate(nodes[item[0]].name, 60)));
    });
  }
  function actions(i) {
    var hidden = hiddenNeighbours(i);
    return h('div', { class: 'actions' },
      h('button', { type: 'button', action: 'centre' }, 'Centre'),
      h('button', { type: 'button', action: 'expand', class: hidden ? 'primary' : '', disabled: hidden ? null : 'disabled' },
        hidden ? 'Expand neighbours (' + hidden + ' hidden)' : 'All neighbours drawn'));
  }
  function header(type, title, meta) {
    return [h('div', { class: 'badge' }, swatch(type), type), h('h2', null, title), meta ? h('div', { class: 'meta' }, meta) : null];
  }

  // ---- the side panel -----------------------------------------------------------------------
  var panel = document.getElementById('panel');
  panel.addEventListener('click', function (ev) {
    var target = ev.target.closest('[data-node],[data-action]');
    if (!target) return;
    if (target.dataset.node !== undefined) select(Number(target.dataset.node), { reveal: true, focus: true });
    else if (target.dataset.action === 'expand' && state.selected !== null) expand(state.selected);
    else if (target.dataset.action === 'centre' && state.selected !== null) focusOn(state.selected);
  });

  function renderPanel() {
    var content;
    if (state.selected !== null) {
      var n = nodes[state.selected];
      content = isEntity(n) ? entityPanel(n) : n.t === PAPER ? paperPanel(n) : claimPanel(n);
    } else if (state.selectedEdge !== null) {
      content = edgePanel(edges[state.selectedEdge]);
    } else {
      content = overviewPanel();
    }
    panel.replaceChildren.apply(panel, content.flat(Infinity).filter(Boolean));
    panel.scrollTop = 0;
  }

  function entityPanel(n) {
    var i = n.i;
    var parts = [header(n.type, n.name, plural(n.count, 'paper') + ' \u00b7 ' + n.key), actions(i)];
    if (n.aliases.length) {
      parts.push(h('h4', null, 'Also written as'), h('div', { class: 'chips' }, n.aliases.map(function (a) {
        return h('span', { class: 'chip' }, a);
      })));
    }
    var facts = ['family', 'size', 'version', 'variant'].filter(function (k) { return n.extra[k]; });
    var variantOf = n.out.filter(function (k) { return edges[k].rel === 'VARIANT_OF'; });
    var variants = n.inc.filter(function (k) { return edges[k].rel === 'VARIANT_OF'; });
    if (facts.length || variantOf.length || variants.length || n.extra.votes) {
      var dl = h('dl', { class: 'kv' });
      facts.forEach(function (k) { append(dl, [h('dt', null, k), h('dd', null, String(n.extra[k]))]); });
      if (variantOf.length) {
        append(dl, [h('dt', null, 'variant of'), h('dd', null, variantOf.map(function (k) { return chip(edges[k].b); }))]);
      }
      if (variants.length) {
        append(dl, [h('dt', null, 'variants'), h('dd', { class: 'chips' }, variants.map(function (k) { return chip(edges[k].a); }))]);
      }
      if (n.extra.votes) {
        append(dl, [h('dt', null, 'typed as'), h('dd', null, Object.keys(n.extra.votes).map(function (t) {
          return t + ' \u00d7' + n.extra.votes[t];
        }).join(', '))]);
      }
      parts.push(h('h4', null, 'Family'), dl);
    }
    var claims = uniq(withVariants(n).reduce(function (found, m) {
      return found.concat(m.inc.filter(function (k) { return nodes[edges[k].a].t === CLAIM; })
        .map(function (k) { return edges[k].a; }));
    }, []));
    if (claims.length) parts.push(h('h4', null, 'Claims (' + claims.length + ')'), claimsTable(claims, false));
    var relations = n.out.concat(n.inc).filter(function (k) {
      var e = edges[k];
      return e.rel !== 'VARIANT_OF' && isEntity(nodes[e.a]) && isEntity(nodes[e.b]);
    });
    if (relations.length) {
      parts.push(h('h4', null, 'Relations (' + relations.length + ')'), limitedList(relations, function (k) {
        var e = edges[k];
        var row = h('li', null,
          e.a === i ? h('strong', null, n.name) : nodeLink(e.a), ' ', h('span', { class: 'muted' }, e.rel), ' ',
          e.b === i ? h('strong', null, n.name) : nodeLink(e.b));
        if (e.ev.length) append(row, h('details', null, h('summary', null, plural(e.ev.length / 2, 'source')), evidenceList(e)));
        return row;
      }));
    }
    ROLE_RELS.forEach(function (rel) {
      var papers = uniq(n.inc.filter(function (k) { return edges[k].rel === rel && nodes[edges[k].a].t === PAPER; })
        .map(function (k) { return edges[k].a; })).sort(byDate);
      if (papers.length) parts.push(h('h4', null, ROLE_TITLES.entity[rel] + ' (' + papers.length + ')'), limitedList(papers, paperLine));
    });
    return parts;
  }

  function paperPanel(n) {
    var i = n.i;
    var href = paperHref(n);
    var meta = [n.date, n.authors].filter(Boolean).join(' \u00b7 ');
    var parts = [header('Paper', n.name, meta)];
    var idLine = h('div', { class: 'meta' }, n.pid);
    if (href) {
      var a = h('a', { target: '_blank', rel: 'noopener noreferrer' }, ARXIV_ID.test(n.pid) ? 'arxiv.org/abs/' + n.pid : 'source');
      a.href = href;
      append(idLine, [' \u00b7 ', a]);
    }
    parts.push(idLine, actions(i));
    ROLE_RELS.forEach(function (rel) {
      var entities = uniq(n.out.filter(function (k) { return edges[k].rel === rel && isEntity(nodes[edges[k].b]); })
        .map(function (k) { return edges[k].b; }));
      if (entities.length) {
        parts.push(h('h4', { 'data-role': rel }, ROLE_TITLES.paper[rel] + ' (' + entities.length + ')'),
          h('div', { class: 'chips', 'data-role': rel }, entities.map(chip)));
      }
    });
    var claims = n.out.filter(function (k) { return edges[k].rel === 'REPORTS'; }).map(function (k) { return edges[k].b; });
    if (claims.length) parts.push(h('h4', null, 'Claims (' + claims.length + ')'), claimsTable(claims, true));
    return parts;
  }

  function claimPanel(n) {
    var parts = [header('Claim', n.name)];
    var dl = h('dl', { class: 'kv' });
    ['qualifier', 'value', 'unit', 'metric', 'subject', 'via', 'baseline', 'dataset'].forEach(function (k) {
      if (n[k]) append(dl, [h('dt', null, k), h('dd', null, n[k])]);
    });
    parts.push(actions(n.i), dl);
    if (n.sentence) parts.push(h('h4', null, 'Source sentence'), h('blockquote', { class: 'sentence' }, n.sentence));
    if (n.paper >= 0) parts.push(h('h4', null, 'Paper'), h('ul', { class: 'list' }, paperLine(n.paper)));
    var linked = n.out.filter(function (k) { return isEntity(nodes[edges[k].b]); });
    if (linked.length) {
      var list = h('dl', { class: 'kv' });
      linked.forEach(function (k) {
        append(list, [h('dt', null, CLAIM_ROLES[edges[k].rel] || edges[k].rel), h('dd', null, chip(edges[k].b))]);
      });
      parts.push(h('h4', null, 'Entities'), list);
    }
    return parts;
  }

  function edgePanel(e) {
    return [h('div', { class: 'badge' }, 'Relationship'),
      h('h2', null, nodeLink(e.a), ' ', h('span', { class: 'muted' }, e.rel), ' ', nodeLink(e.b)),
      e.ev.length ? [h('h4', null, 'Evidence'), evidenceList(e)] : null];
  }

  function overviewPanel() {
    var counts = TYPES.map(function () { return 0; });
    nodes.forEach(function (n) { counts[n.t]++; });
    var dl = h('dl', { class: 'kv' });
    TYPES.forEach(function (t, k) {
      if (counts[k]) append(dl, [h('dt', { class: 'typed' }, swatch(t), t), h('dd', null, counts[k].toLocaleString('en'))]);
    });
    append(dl, [h('dt', null, 'Relationships'), h('dd', null, edges.length.toLocaleString('en'))]);
    var topEntities = [];
    for (var i = 0; i < nodes.length && topEntities.length < 15; i++) if (isEntity(nodes[i])) topEntities.push(i);
    return [h('h2', null, 'This graph'), dl,
      topEntities.length ? [h('h4', null, 'Most connected'), h('ul', { class: 'list' }, topEntities.map(function (j) {
        return h('li', null, swatch(nodes[j].type), ' ', nodeLink(j), h('span', { class: 'meta' }, plural(nodes[j].count, 'paper')));
      }))] : null,
      h('h4', null, 'How to'),
      h('p', { class: 'hint-block' }, 'Search with ', h('kbd', null, '/'), ', click a node for its papers and claims, ',
        'double-click to expand its neighbours, ', h('kbd', null, 'Esc'), ' to clear the selection.')];
  }

  function uniq(list) { return Array.from(new Set(list)); }

  // ---- search -------------------------------------------------------------------------------
  var searchable = nodes.filter(function (n) { return n.t !== CLAIM; }).map(function (n) {
    return { i: n.i, names: [n.name].concat(n.aliases || []), lower: [n.name].concat(n.aliases || []).map(function (s) { return s.toLowerCase(); }) };
  });
  var input = document.getElementById('search');
  var list = document.getElementById('suggestions');
  var active = -1;
  var results = [];

  function searchNodes(query) {
    var q = query.trim().toLowerCase();
    if (!q) return [];
    var found = [];
    searchable.forEach(function (entry) {
      var best = null;
      for (var k = 0; k < entry.lower.length; k++) {
        var s = entry.lower[k];
        var at = s.indexOf(q);
        if (at < 0) continue;
        var score = (s === q ? 0 : at === 0 ? 1 : /[\s\-_:(]/.test(s.charAt(at - 1)) ? 2 : 3) + (k ? 0.5 : 0);
        if (best === null || score < best.score) best = { score: score, alias: k ? entry.names[k] : null };
      }
      if (best) found.push({ i: entry.i, score: best.score, alias: best.alias });
    });
    found.sort(function (a, b) {
      var na = nodes[a.i], nb = nodes[b.i];
      return a.score - b.score || (na.t === PAPER) - (nb.t === PAPER) || degree(nb) - degree(na) || a.i - b.i;
    });
    return found.slice(0, SEARCH_LIMIT);
  }

  function renderSuggestions() {
    results = searchNodes(input.value);
    active = results.length ? 0 : -1;
    if (!input.value.trim()) { list.hidden = true; return; }
    var items = results.map(function (r, k) {
      var n = nodes[r.i];
      var hint = r.alias ? 'as \u201c' + r.alias + '\u201d' : isEntity(n) ? n.type + ' \u00b7 ' + plural(n.count, 'paper') : 'Paper' + (n.date ? ' \u00b7 ' + n.date : '');
      return h('li', { role: 'option', id: 'suggestion-' + k, 'aria-selected': k === active ? 'true' : 'false', node: r.i },
        swatch(n.type), h('span', { class: 'name' }, n.name), h('span', { class: 'hint' }, hint));
    });
    if (!items.length) items = [h('li', { class: 'empty' }, 'No match')];
    list.replaceChildren.apply(list, items);
    list.hidden = false;
  }

  function markActive() {
    Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute('aria-selected', k === active ? 'true' : 'false'); });
    var li = list.children[active];
    if (li) li.scrollIntoView({ block: 'nearest' });
  }

  function choose(i) {
    list.hidden = true;
    input.value = nodes[i].name;
    input.blur();
    select(i, { reveal: true, focus: true });
  }

  input.addEventListener('input', renderSuggestions);
  input.addEventListener('focus', function () { if (input.value.trim()) renderSuggestions(); });
  input.addEventListener('blur', function () { setTimeout(function () { list.hidden = true; }, 150); });
  input.addEventListener('keydown', function (ev) {
    if (ev.key === 'ArrowDown' && results.length) { active = (active + 1) % results.length; markActive(); ev.preventDefault(); }
    else if (ev.key === 'ArrowUp' && results.length) { active = (active - 1 + results.length) % results.length; markActive(); ev.preventDefault(); }
    else if (ev.key === 'Enter' && active >= 0) { choose(results[active].i); ev.preventDefault(); }
    else if (ev.key === 'Escape') { list.hidden = true; input.blur(); }
  });
  list.addEventListener('mousedown', function (ev) {
    var li = ev.target.closest('[data-node]');
    if (li) { ev.preventDefault(); choose(Number(li.dataset.node)); }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== input) { ev.preventDefault(); input.focus(); input.select(); }
    else if (ev.key === 'Escape' && document.activeElement !== input) deselect();
  });

  // ---- filters and controls -----------------------------------------------------------------
  function checkbox(checked, onChange) {
    var box = h('input', { type: 'checkbox' });
    box.checked = checked;
    box.addEventListener('change', function () { onChange(box.checked); });
    return box;
  }
  var typeCounts = TYPES.map(function () { return 0; });
  nodes.forEach(function (n) { typeCounts[n.t]++; });
  var legend = document.getElementById('legend');
  TYPES.forEach(function (t, k) {
    var box = checkbox(true, function (on) { if (on) state.types.add(k); else state.types.delete(k); sync(); });
    box.dataset.type = t;
    legend.appendChild(h('li', null, h('label', null, box, swatch(t), t, h('span', { class: 'count' }, typeCounts[k].toLocaleString('en')))));
  });
  var relCounts = RELS.map(function () { return 0; });
  edges.forEach(function (e) { relCounts[e.r]++; });
  var relations = document.getElementById('relations');
  RELS.forEach(function (rel, k) {
    var box = checkbox(true, function (on) { if (on) state.rels.add(k); else state.rels.delete(k); sync(); });
    box.dataset.rel = rel;
    var st = REL_STYLE[rel] || {};
    var line = h('span', { class: 'line' + (st.dashes ? ' dashed' : '') });
    line.style.borderTopColor = rel === 'USES' ? ENTITY_USES.color : st.color;
    relations.appendChild(h('li', null, h('label', null, box, line, rel.toLowerCase().replace(/_/g, ' '),
      h('span', { class: 'count' }, relCounts[k].toLocaleString('en')))));
  });
  var minCount = document.getElementById('min-count');
  var minCountValue = document.getElementById('min-count-value');
  minCount.max = String(Math.max(1, Math.min(maxCount, 100)));
  minCount.addEventListener('input', function () {
    state.minCount = Number(minCount.value) || 1;
    minCountValue.textContent = String(state.minCount);
    sync();
  });
  physics.addEventListener('change', function () { network.setOptions({ physics: { enabled: physics.checked } }); });
  document.getElementById('fit').addEventListener('click', function () { network.fit({ animation: { duration: 300 } }); });
  var drawAll = document.getElementById('draw-all');
  var topNote = document.getElementById('top-note');
  if (raw.top) {
    drawAll.hidden = false;
    drawAll.textContent = 'Draw all ' + nodes.length.toLocaleString('en');
    topNote.hidden = false;
    topNote.textContent = 'Showing the ' + Math.min(raw.top, entityCount).toLocaleString('en') + ' most connected of ' +
      entityCount.toLocaleString('en') + ' entities. Search, or expand a node, to reach the rest.';
    drawAll.addEventListener('click', function () {
      state.all = true;
      drawAll.hidden = true;
      topNote.hidden = true;
      sync();
      network.fit();
    });
  }
  document.getElementById('reset').addEventListener('click', function () {
    state.expanded.clear();
    state.all = !raw.top;
    state.minCount = 1;
    minCount.value = '1';
    minCountValue.textContent = '1';
    document.querySelectorAll('.sidebar input[type=checkbox][data-type], .sidebar input[type=checkbox][data-rel]').forEach(function (box) {
      box.checked = true;
    });
    TYPES.forEach(function (_, k) { state.types.add(k); });
    RELS.forEach(function (_, k) { state.rels.add(k); });
    if (raw.top) { drawAll.hidden = false; topNote.hidden = false; }
    state.selected = null;
    state.selectedEdge = null;
    network.unselectAll();
    sync();
    renderPanel();
    network.fit({ animation: { duration: 300 } });
  });

  function showStats() {
    document.getElementById('stats').textContent = drawnNodes.size.toLocaleString('en') + ' of ' +
      nodes.length.toLocaleString('en') + ' nodes \u00b7 ' + drawnEdges.size.toLocaleString('en') + ' of ' +
      edges.length.toLocaleString('en') + ' edges drawn';
  }

  renderPanel();
  if (!raw.physics) network.fit();
}());
