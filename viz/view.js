/* kg view: the graph of kg/export/html.py drawn with vis-network.
 *
 * Payload (the #kg-data block), all indices into its own arrays; a node is named by its slot in n:
 *   T  node types (entity types first, then "Paper", "Claim"); R relationship types
 *   s  sentences (claim clauses and relation evidence), each stored once (0: a free place)
 *   n  nodes by slot (0: a free slot, left by a node a store's update removed):
 *        entity [type, x, y, key, name, paperCount, aliases?, extra?]
 *        paper  [type, x, y, id, title, date, url, authors]
 *        claim  [type, x, y, paper, value, unit, metric, subject, via, baseline, dataset, qualifier, sentence]
 *   o  the entities' slots, most connected first
 *   e  edges [from, to, rel, evidence?] with evidence a flat list [paper, sentence, ...]
 *   C  topics (communities of entities named together), biggest first: [name, members], members
 *      ranked, leaders first; c  each slot's topic (-1 or absent: none; -2: the topic its papers name
 *      most among the entities drawn first, found here)
 *   L  the entities whose labels head the first screen, in order (laid out so that they fit)
 *   B  leaderboards, biggest first: [metric, dataset|null, kind, unit ("" bare), better, [[unit, left out], ...],
 *      rows best first]; b  their rows, each stored once: [claim, subject, dataset, baseline, low, high?], with
 *      subject, dataset and baseline an entity node when the claim is linked to one, else text (or null)
 *   M  the months with dated papers (YYYY-MM); m  each slot's papers per month, [month, papers, ...], or
 *      only the month of its one dated paper (absent or []: none)
 *   papers  draw papers and claims at first (a small graph), else only the entities
 *   top     how many entities to draw at first (0: every entity)
 *   physics let vis physics rework the layout when the page opens (then it stops)
 *
 * The Results panel (beside the details panel, opened from the top bar) shows one leaderboard at a
 * time: a table that sorts by any column and a dot per claim over time; an entity's card shows its
 * papers per month. Both are drawn here as inline SVG, from the payload alone.
 *
 * The first screen draws entities only, coloured by topic; papers and claims appear when an
 * entity is expanded or searched for, or with the "Papers and claims" switch. Labels keep one
 * size on screen at every zoom, and only as many are drawn as fit without overlapping.
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
  var DIM_EDGE = { color: '#eceef1', highlight: '#eceef1', hover: '#dfe2e6' };
  // Topic colours: Tableau's, in an order that keeps neighbours in the legend apart; OTHER for the rest.
  var TOPIC_PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#499894', '#9c755f', '#d37295',
    '#b6992d', '#86bcb6', '#a0cbe8', '#ffbe7d'];
  var OTHER_TOPIC = '#b4bac3';
  var LABEL_PX = { headline: 14, entity: 12, other: 11 };  // screen pixels, at every zoom
  var LABELS_ON_SCREEN = 40;
  var FIRST_ZOOM = 0.94;  // of the fit: vis fits the nodes, and leaves the labels at the rim no room
  var SEARCH_LIMIT = 12;
  var REVEAL_LIMIT = 150;
  var LIST_LIMIT = 25;
  var ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})(v\d+)?$/;

  // ---- decode -------------------------------------------------------------------------------
  // The page numbers the nodes its own way: the entities most connected first, then the papers by id, then
  // the claims; slot[i] is node i's slot in the payload and index[slot] its number here.
  var BY_PAPERS = -2;
  var paperSlots = [], claimSlots = [];
  raw.n.forEach(function (r, s) {
    if (r && r[0] === PAPER) paperSlots.push(s);
    else if (r && r[0] === CLAIM) claimSlots.push(s);
  });
  paperSlots.sort(function (a, b) { return raw.n[a][3] < raw.n[b][3] ? -1 : raw.n[a][3] > raw.n[b][3] ? 1 : 0; });
  var slot = raw.o.concat(paperSlots, claimSlots);
  var index = new Int32Array(raw.n.length).fill(-1);
  slot.forEach(function (s, i) { index[s] = i; });
  function nodeAt(s) { return s >= 0 ? index[s] : -1; }
  var nodes = slot.map(function (s, i) {
    var r = raw.n[s];
    var n = { i: i, t: r[0], type: TYPES[r[0]], x: r[1], y: r[2], out: [], inc: [] };
    if (r[0] === PAPER) {
      n.pid = r[3]; n.name = r[4] || n.pid; n.date = r[5]; n.url = r[6]; n.authors = r[7];
      n.id = 'paper:' + n.pid;
    } else if (r[0] === CLAIM) {
      n.paper = nodeAt(r[3]); n.value = r[4]; n.unit = r[5]; n.metric = r[6]; n.subject = r[7]; n.via = r[8];
      n.baseline = r[9]; n.dataset = r[10]; n.qualifier = r[11]; n.sentence = r[12] >= 0 ? raw.s[r[12]] : '';
      n.name = claimChain(n);
      n.id = 'claim#' + i;
    } else {
      n.key = r[3]; n.name = r[4]; n.count = r[5]; n.aliases = r[6] || []; n.extra = r[7] || {};
      n.id = 'entity:' + n.key;
      n.topic = s < raw.c.length ? raw.c[s] : -1;
      n.months = raw.m[s] === undefined ? [] : raw.m[s];
    }
    return n;
  });
  var edges = raw.e.map(function (r, i) {
    var ev = r[3] || [];
    for (var k = 0; k < ev.length; k += 2) ev[k] = nodeAt(ev[k]);
    var e = { i: i, a: index[r[0]], b: index[r[1]], r: r[2], rel: RELS[r[2]], ev: ev };
    nodes[e.a].out.push(i);
    nodes[e.b].inc.push(i);
    return e;
  });
  var byId = null;  // id -> index, built when first asked (a corpus has 100k+ nodes: a quarter second)
  var entityCount = raw.o.length;
  var maxCount = nodes.reduce(function (m, n) { return isEntity(n) ? Math.max(m, n.count) : m; }, 1);
  var topics = raw.C.map(function (r, k) {
    return { k: k, name: r[0], members: r[1].map(nodeAt), color: TOPIC_PALETTE[k % TOPIC_PALETTE.length] };
  });
  var headlines = raw.L.map(nodeAt);
  var headlineRank = new Map(headlines.map(function (i, r) { return [i, r]; }));
  var boardRecords = raw.b.map(function (r) {  // [claim, subject, dataset, baseline, low, high?]: nodes as numbers
    return r.map(function (v, k) { return k < 4 && typeof v === 'number' ? nodeAt(v) : v; });
  });
  topicsFromPapers();

  // An entity whose topic is BY_PAPERS takes the topic its papers name most among the entities drawn
  // first (ties: the first topic); none when they name none.
  function topicsFromPapers() {
    var drawn = raw.top ? Math.min(raw.top, entityCount) : entityCount;
    var votes = new Map();
    nodes.forEach(function (p) {
      if (p.t !== PAPER) return;
      var named = new Set(p.out.map(function (k) { return edges[k].b; })
        .filter(function (j) { return j < entityCount; }));
      var present = new Map();
      named.forEach(function (j) {
        var t = nodes[j].topic;
        if (j < drawn && t >= 0) present.set(t, (present.get(t) || 0) + 1);
      });
      if (!present.size) return;
      named.forEach(function (j) {
        if (nodes[j].topic !== BY_PAPERS) return;
        var count = votes.get(j) || new Map();
        present.forEach(function (c, t) { count.set(t, (count.get(t) || 0) + c); });
        votes.set(j, count);
      });
    });
    for (var j = 0; j < entityCount; j++) {
      if (nodes[j].topic !== BY_PAPERS) continue;
      var best = -1, most = 0;
      (votes.get(j) || new Map()).forEach(function (c, t) {
        if (c > most || (c === most && t < best)) { best = t; most = c; }
      });
      nodes[j].topic = best;
    }
  }

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
  function nodeColors(c) {
    return { background: c, border: shade(c, -0.25), highlight: { background: c, border: '#1f2329' },
      hover: { background: c, border: '#1f2329' } };
  }
  var COLORS = {};
  Object.keys(TYPE_STYLE).forEach(function (t) { COLORS[t] = nodeColors(TYPE_STYLE[t].color); });
  var TOPIC_COLORS = topics.map(function (t) { return nodeColors(t.color); });
  var OTHER_COLORS = nodeColors(OTHER_TOPIC);
  function colorOf(n) {
    if (!isEntity(n) || state.colorBy === 'type') return COLORS[n.type];
    return n.topic >= 0 ? TOPIC_COLORS[n.topic] : OTHER_COLORS;
  }
  function shade(hex, amount) {
    var v = parseInt(hex.slice(1), 16);
    var parts = [v >> 16, (v >> 8) & 255, v & 255].map(function (p) {
      return Math.max(0, Math.min(255, Math.round(p * (1 + amount))));
    });
    return '#' + parts.map(function (p) { return p.toString(16).padStart(2, '0'); }).join('');
  }
  // A label not drawn: below vis's drawThreshold at any zoom, so vis neither draws nor measures it.
  var HIDDEN_FONT = { size: 0.001 };
  function labelPx(n) {
    return headlineRank.has(n.i) ? LABEL_PX.headline : isEntity(n) ? LABEL_PX.entity : LABEL_PX.other;
  }
  function fontOf(n, size) {
    if (!size) return HIDDEN_FONT;
    return { size: size, color: isEntity(n) ? '#1f2329' : '#56606d', strokeWidth: 4,
      strokeColor: 'rgba(246,247,249,0.92)' };
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
      size: nodeSize(n), color: colorOf(n), font: fontOf(n, labelled.get(i)) };
  }
  function edgeStyle(e) {
    if (e.rel === 'USES' && isEntity(nodes[e.a])) return ENTITY_USES;
    return REL_STYLE[e.rel] || { color: '#b9c0c9' };
  }
  // A relation between two topics is drawn faint, so the topics stay apart on the map. The alpha is in the
  // colour itself: vis's own opacity option re-parses the colour of every edge at every frame.
  function edgeColor(e) {
    var c = edgeStyle(e).color;
    var a = nodes[e.a], b = nodes[e.b];
    var across = isEntity(a) && isEntity(b) && a.topic !== b.topic;
    return { color: withAlpha(c, across ? 0.22 : 0.8), highlight: shade(c, -0.3), hover: shade(c, -0.3) };
  }
  function withAlpha(hex, alpha) {
    var v = parseInt(hex.slice(1), 16);
    return 'rgba(' + (v >> 16) + ',' + ((v >> 8) & 255) + ',' + (v & 255) + ',' + alpha + ')';
  }
  function visEdge(j) {
    var e = edges[j];
    var st = edgeStyle(e);
    return { id: j, from: e.a, to: e.b, title: e.rel + '\n' + nodes[e.a].name + ' \u2192 ' + nodes[e.b].name,
      color: edgeColor(e), width: st.width || 1, dashes: !!st.dashes };
  }

  // ---- state and drawing --------------------------------------------------------------------
  var state = {
    all: !raw.top,  // every entity drawn, else the raw.top most connected
    papers: !!raw.papers,  // papers and claims drawn beside the entities (else only those brought into view)
    colorBy: 'topic',
    topic: null,  // the topic in focus
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
    var limit = state.all ? entityCount : Math.min(raw.top, entityCount);
    for (var i = 0; i < limit; i++) if (shown(i)) want.add(i);
    if (state.papers && state.all) {
      for (var j = entityCount; j < nodes.length; j++) if (shown(j)) want.add(j);
    } else if (state.papers) {
      Array.from(want).forEach(function (j) {
        neighbours(j).forEach(function (m) { if (!isEntity(nodes[m]) && shown(m)) want.add(m); });
      });
    }
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
    scheduleLabels();
  }

  // What stands out while the rest is dimmed: the selected node's neighbourhood, else the topic in focus.
  function inFocus() {
    var sel = state.selected;
    if (sel !== null && drawnNodes.has(sel)) {
      var near = new Set(neighbours(sel));
      near.add(sel);
      return { nodes: near, edge: function (e) { return e.a === sel || e.b === sel; } };
    }
    if (state.topic !== null) {
      var members = new Set();
      drawnNodes.forEach(function (i) { if (isEntity(nodes[i]) && nodes[i].topic === state.topic) members.add(i); });
      return { nodes: members, edge: function (e) { return members.has(e.a) && members.has(e.b); } };
    }
    return null;
  }

  function highlight() {
    var focus = inFocus();
    if (focus === null) {
      if (state.dimmed) restyle();
      return;
    }
    visNodes.update(Array.from(drawnNodes, function (i) {
      return { id: i, color: focus.nodes.has(i) ? colorOf(nodes[i]) : DIM_NODE };
    }));
    visEdges.update(Array.from(drawnEdges, function (k) {
      var e = edges[k];
      return { id: k, color: focus.edge(e) ? edgeColor(e) : DIM_EDGE };
    }));
    state.dimmed = true;
    scheduleLabels();
  }

  function restyle() {
    visNodes.update(Array.from(drawnNodes, function (i) { return { id: i, color: colorOf(nodes[i]) }; }));
    visEdges.update(Array.from(drawnEdges, function (k) { return { id: k, color: edgeColor(edges[k]) }; }));
    state.dimmed = false;
    scheduleLabels();
  }

  // ---- labels: a few, legible, never overlapping --------------------------------------------
  // vis scales labels with the zoom (its maxVisible only fades them), so labels are re-sized here
  // whenever the view settles: the selected node, then the neighbourhood or topic in focus, then the
  // first screen's headlines and the most cited entities get one, while they fit on screen apart.
  var labelled = new Map();  // node -> font size (canvas pixels) its label is drawn with
  var labelScale = 1;  // the zoom they were sized for
  var labelTimer = null;
  var measure = document.createElement('canvas').getContext('2d');

  function labelWidth(n) {  // at 1 pixel of font size
    if (n.labelWidth === undefined) {
      measure.font = '100px arial';
      n.labelWidth = measure.measureText(nodeLabel(n)).width / 100;
    }
    return n.labelWidth;
  }

  function scheduleLabels() {
    if (labelTimer === null) labelTimer = setTimeout(placeLabels, 80);
  }

  // While the zoom moves far from the one labels were sized for, they would swell or shrink: hide them.
  function hideLabels() {
    var updates = [];
    labelled.forEach(function (size, i) { if (drawnNodes.has(i)) updates.push({ id: i, font: HIDDEN_FONT }); });
    labelled = new Map();
    if (updates.length) visNodes.update(updates);
  }
  function onZoom() {
    var ratio = network.getScale() / labelScale;
    if (labelled.size && (ratio > 1.4 || ratio < 0.7)) hideLabels();
    scheduleLabels();
  }
  function fitView(fitOptions) {
    hideLabels();
    network.fit(fitOptions);
    scheduleLabels();
  }

  function placeLabels() {
    clearTimeout(labelTimer);
    labelTimer = null;
    if (!network) return;
    var scale = network.getScale();
    labelScale = scale;
    var width = container.clientWidth, height = container.clientHeight;
    var focus = inFocus();
    var ids = Array.from(drawnNodes);
    var at = network.getPositions(ids);
    // The page numbers the entities most connected first, then the papers, then the claims: after the headlines,
    // that order is the rest's.
    var order = headlines.concat(ids.sort(function (a, b) { return a - b; })).filter(function (i) {
      return !focus || focus.nodes.has(i);
    });
    if (state.selected !== null && drawnNodes.has(state.selected)) order.unshift(state.selected);
    var boxes = [];
    var want = new Map();
    for (var k = 0; k < order.length && want.size < LABELS_ON_SCREEN; k++) {
      var i = order[k], n = nodes[i];
      if (want.has(i) || !at[i]) continue;  // a headline not drawn (filtered out), or one met twice
      var px = labelPx(n);
      var p = network.canvasToDOM(at[i]);
      var half = labelWidth(n) * px / 2 + 3;
      var top = p.y + (nodeSize(n) + 3) * scale;
      var box = [p.x - half, top - 1, p.x + half, top + 1.25 * px];
      if (box[0] < 0 || box[2] > width || box[1] < 0 || box[3] > height) continue;  // a label cut off helps no one
      if (boxes.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; })) {
        continue;
      }
      boxes.push(box);
      want.set(i, px / scale);
    }
    var updates = [];
    labelled.forEach(function (size, i) {
      if (!want.has(i) && drawnNodes.has(i)) updates.push({ id: i, font: HIDDEN_FONT });
    });
    want.forEach(function (size, i) {
      if (labelled.get(i) !== size) updates.push({ id: i, font: fontOf(nodes[i], size) });
    });
    labelled = want;
    if (updates.length) visNodes.update(updates);
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
    indexOf: function (id) {
      if (typeof id === 'number') return id;
      if (byId === null) byId = new Map(nodes.map(function (n) { return [n.id, n.i]; }));
      return byId.has(id) ? byId.get(id) : -1;
    },
    select: function (id, reveal) { select(view.indexOf(id), { reveal: reveal !== false, focus: true }); },
    expand: function (id) { expand(view.indexOf(id)); },
    focusTopic: function (k) { focusTopic(k); },
    labelled: function () { return Array.from(labelled.keys()); },
    labelsPending: function () { return labelTimer !== null; },
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
  ['dragEnd', 'animationFinished', 'resize', 'stabilized'].forEach(function (event) {
    network.on(event, scheduleLabels);
  });
  network.on('zoom', onZoom);

  function select(i, opts) {
    if (!(i >= 0 && i < nodes.length)) return;
    state.selected = i;
    state.selectedEdge = null;
    setTopic(null);
    if (opts.reveal) {
      var hidden = uniq(neighbours(i)).filter(function (j) { return !drawnNodes.has(j); });
      reveal(i, [i].concat(hidden.sort(function (a, b) {
        return degree(nodes[b]) - degree(nodes[a]) || a - b;
      }).slice(0, REVEAL_LIMIT)));
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
    setTopic(null);
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
    fitView({ nodes: near, maxZoomLevel: 1.2, animation: { duration: 350, easingFunction: 'easeInOutQuad' } });
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
    } else if (state.topic !== null) {
      content = topicPanel(state.topic);
    } else {
      content = overviewPanel();
    }
    panel.replaceChildren.apply(panel, content.flat(Infinity).filter(Boolean));
    panel.scrollTop = 0;
  }

  function entityPanel(n) {
    var i = n.i;
    var parts = [header(n.type, n.name, plural(n.count, 'paper') + ' \u00b7 ' + n.key), actions(i), timeline(n)];
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
      h('p', { class: 'hint-block' }, 'Click a topic to focus it. Search with ', h('kbd', null, '/'),
        ', click a node for its papers and claims, double-click to draw them, ', h('kbd', null, 'Esc'),
        ' to clear the selection.')];
  }

  function topicPanel(k) {
    var members = topicMembers(k);
    var named = new Map();  // paper -> how many of the topic's entities it names
    members.forEach(function (i) {
      nodes[i].inc.forEach(function (e) {
        var p = edges[e].a;
        if (nodes[p].t === PAPER && ROLE_RELS.indexOf(edges[e].rel) >= 0) named.set(p, (named.get(p) || 0) + 1);
      });
    });
    var papers = Array.from(named.keys()).sort(function (a, b) { return named.get(b) - named.get(a) || byDate(a, b); });
    var size = members.length.toLocaleString('en') + (members.length === 1 ? ' entity' : ' entities');
    return [h('div', { class: 'badge' }, topicDot(k), 'Topic'), h('h2', null, topicName(k)),
      h('div', { class: 'meta' }, size + ' \u00b7 ' + plural(papers.length, 'paper')),
      h('h4', null, 'Leading entities'), h('div', { class: 'chips' }, members.slice(0, 16).map(chip)),
      papers.length ? [h('h4', null, 'Papers naming the most of them (' + papers.length + ')'),
        limitedList(papers, paperLine)] : null];
  }

  function uniq(list) { return Array.from(new Set(list)); }

  // ---- charts: inline SVG, every label a text node ------------------------------------------
  function svg(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    for (var c = 2; c < arguments.length; c++) append(el, arguments[c]);
    return el;
  }
  function fill(el) {  // el's children become the rest of the arguments (nested lists flattened, nulls skipped)
    el.replaceChildren();
    for (var c = 1; c < arguments.length; c++) append(el, arguments[c]);
    return el;
  }
  function monthNumber(month) { return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1; }
  function monthName(k) { return Math.floor(k / 12) + '-' + String(k % 12 + 1).padStart(2, '0'); }
  // A date as months (fractional within its month), or null when it is not YYYY-MM[-DD].
  function monthsOf(date) {
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(date || '');
    return m ? Number(m[1]) * 12 + Number(m[2]) - 1 + (m[3] ? (Number(m[3]) - 1) / 31 : 0.5) : null;
  }
  function formatNumber(v) { return String(Number(v.toPrecision(6))); }

  var TIMELINE = { width: 340, height: 70, top: 14, bottom: 16, minMonths: 6 };
  // An entity's dated papers per month, one bar per month with papers, over its own span of months.
  function timeline(n) {
    var flat = typeof n.months === 'number' ? [n.months, 1] : n.months;
    if (!flat.length) return null;
    var T = TIMELINE;
    var counts = [], total = 0, peak = 0;
    for (var k = 0; k < flat.length; k += 2) {
      counts.push([monthNumber(raw.M[flat[k]]), flat[k + 1]]);
      total += flat[k + 1];
      peak = Math.max(peak, flat[k + 1]);
    }
    var first = counts[0][0], last = counts[counts.length - 1][0];
    var span = Math.max(last - first + 1, T.minMonths);
    var start = last - span + 1;
    var step = T.width / span;
    var barWidth = Math.max(1, step > 4 ? step - 1.5 : step - 0.3);
    var inner = T.height - T.top - T.bottom;
    var chart = svg('svg', { class: 'timeline', width: T.width, height: T.height, role: 'img',
      'aria-label': 'Papers per month, ' + monthName(first) + ' to ' + monthName(last) },
      svg('line', { class: 'axis', x1: 0, x2: T.width, y1: T.height - T.bottom + 0.5, y2: T.height - T.bottom + 0.5 }),
      svg('text', { x: 0, y: 10 }, 'peak ' + plural(peak, 'paper')),
      svg('text', { x: 0, y: T.height - 3 }, monthName(start)),
      svg('text', { x: T.width, y: T.height - 3, 'text-anchor': 'end' }, monthName(last)));
    counts.forEach(function (c) {
      var height = Math.max(2, inner * c[1] / peak);
      chart.appendChild(svg('rect', { class: 'month', x: ((c[0] - start) * step + (step - barWidth) / 2).toFixed(1),
        y: (T.height - T.bottom - height).toFixed(1), width: barWidth.toFixed(1), height: height.toFixed(1) },
        svg('title', null, monthName(c[0]) + ': ' + plural(c[1], 'paper'))));
    });
    return [h('h4', null, 'Papers per month'), chart,
      h('div', { class: 'meta' }, plural(total, 'dated paper') + ' in ' + plural(counts.length, 'month'))];
  }

  // ---- results: leaderboards of comparable claims, their values over time -----------------------
  var BOARDS = raw.B;
  var resultsPanel = document.getElementById('results');
  var resultsToggle = document.getElementById('results-toggle');
  var COLUMNS = [
    { key: 'rank', title: '#', numeric: true },
    { key: 'subject', title: 'Subject' },
    { key: 'value', title: 'Value', numeric: true },
    { key: 'unit', title: 'Unit' },
    { key: 'metric', title: 'Metric as written' },
    { key: 'dataset', title: 'Dataset' },
    { key: 'baseline', title: 'Baseline' },
    { key: 'title', title: 'Paper' },
    { key: 'date', title: 'Date' }
  ];
  var PLOT = { height: 230, left: 52, right: 30, top: 12, bottom: 28, logRatio: 100 };
  var board = { k: 0, rows: [], sort: 'rank', descending: false, claim: null, parts: null };

  function boardName(b) {
    return b[0] + (b[2] === 'gain' ? ' gain' : '') + (b[1] === null ? ' (any dataset)' : ' on ' + b[1]);
  }
  function unitName(u) { return u === '' ? 'bare numbers' : u; }
  function entityText(v) { return typeof v === 'number' ? nodes[v].name : v || ''; }
  // Scores of a lower-is-better metric rank by their low end, everything else by its high end.
  function lowerFirst(b) { return b[2] === 'score' && b[4] === 'lower'; }

  function boardRows(k) {
    var b = BOARDS[k];
    return b[6].map(function (r, rank) {
      var record = boardRecords[r], c = nodes[record[0]];
      var paper = c.paper >= 0 ? nodes[c.paper] : null;
      var low = record[4], high = record.length > 5 ? record[5] : record[4];
      return { rank: rank + 1, claim: record[0], paper: c.paper, subject: entityText(record[1]),
        subjectNode: typeof record[1] === 'number' ? record[1] : -1, dataset: entityText(record[2]),
        baseline: entityText(record[3]), low: low, high: high, value: lowerFirst(b) ? low : high,
        shown: low === high ? formatNumber(low) : formatNumber(low) + '\u2013' + formatNumber(high),
        unit: c.unit, metric: c.metric, title: paper ? paper.name : '', date: paper ? paper.date || '' : '',
        sentence: c.sentence };
    });
  }

  function sortedRows() {
    var column = COLUMNS.filter(function (c) { return c.key === board.sort; })[0];
    var sign = board.descending ? -1 : 1;
    return board.rows.slice().sort(function (a, b) {
      var x = a[column.key], y = b[column.key], order;
      if (column.numeric) order = x - y;
      else if (!x || !y) return (!x) - (!y) || a.rank - b.rank;  // empty cells last, either way
      else order = x.localeCompare(y, 'en', { sensitivity: 'base', numeric: true });
      return sign * order || a.rank - b.rank;
    });
  }

  function sortBy(key) {
    if (board.sort === key) board.descending = !board.descending;
    else {
      board.sort = key;
      // the first click puts the best values, or the newest papers, on top
      board.descending = key === 'date' || key === 'value' && !lowerFirst(BOARDS[board.k]);
    }
    renderBoardTable();
  }

  function renderBoardTable() {
    var head = h('tr', null, COLUMNS.map(function (c) {
      var sorted = board.sort === c.key;
      return h('th', { 'aria-sort': sorted ? (board.descending ? 'descending' : 'ascending') : 'none',
        class: c.key + (c.numeric ? ' numeric' : '') },
        h('button', { type: 'button', class: 'sort', 'data-sort': c.key, title: 'Sort by ' + c.title },
          c.title, sorted ? (board.descending ? ' \u25be' : ' \u25b4') : ''));
    }));
    var body = h('tbody', null, sortedRows().map(function (r) {
      return h('tr', { 'data-row': String(r.rank - 1), class: board.claim === r.rank - 1 ? 'selected' : null },
        COLUMNS.map(function (c) {
          var content = c.key === 'rank' ? String(r.rank) : c.key === 'value' ? r.shown
            : c.key === 'subject' && r.subjectNode >= 0 ? nodeLink(r.subjectNode, r.subject)
            : c.key === 'title' && r.paper >= 0 ? nodeLink(r.paper, truncate(r.title, 80)) : r[c.key];
          return h('td', { class: c.key + (c.numeric ? ' numeric' : '') }, content);
        }));
    }));
    fill(board.parts.table, h('thead', null, head), body);
  }

  function niceStep(span) {
    var power = Math.pow(10, Math.floor(Math.log10(span)));
    var f = span / power;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
  }
  function valueAxis(values, bottom, top) {
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var log = lo > 0 && hi / lo >= PLOT.logRatio;
    var ticks = [];
    if (log) {
      lo = Math.pow(10, Math.floor(Math.log10(lo)));
      hi = Math.pow(10, Math.ceil(Math.log10(hi)));
      for (var p = lo; p <= hi * 1.0001; p *= 10) ticks.push(p);
      var scale = function (v) { return bottom + (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) * (top - bottom); };
      return { log: true, ticks: ticks, y: scale };
    }
    lo = Math.min(0, lo);
    if (hi <= lo) hi = lo + 1;
    var step = niceStep((hi - lo) / 4);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    for (var t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
    return { log: false, ticks: ticks, y: function (v) { return bottom + (v - lo) / (hi - lo) * (top - bottom); } };
  }
  function timeAxis(months, left, right) {
    var lo = Math.floor(Math.min.apply(null, months)), hi = Math.ceil(Math.max.apply(null, months));
    if (hi - lo < 6) { lo -= Math.floor((6 - (hi - lo)) / 2); hi = lo + 6; }
    var most = Math.max(2, Math.floor((right - left) / 64));  // month labels are about 50 pixels wide
    var step = [1, 2, 3, 6, 12, 24, 60, 120].filter(function (s) { return (hi - lo) / s <= most; })[0] || 120;
    var ticks = [];
    for (var m = Math.ceil(lo / step) * step; m <= hi; m += step) ticks.push(m);
    return { ticks: ticks, label: function (m) { return step >= 12 ? String(Math.floor(m / 12)) : monthName(m); },
      x: function (v) { return left + (v - lo) / (hi - lo) * (right - left); } };
  }

  // A dot per claim: its paper's date across, its value up (a log scale when values span 100-fold).
  function plot(b, rows) {
    var P = PLOT;
    var width = Math.max(320, resultsPanel.clientWidth - 36);
    var dated = rows.filter(function (r) { return monthsOf(r.date) !== null; });
    var chart = svg('svg', { class: 'plot', width: width, height: P.height, role: 'img',
      'aria-label': 'Values over time: ' + boardName(b) });
    if (!dated.length) return [chart, h('p', { class: 'note' }, 'None of these claims has a dated paper.')];
    var bottom = P.height - P.bottom;
    var values = valueAxis(dated.map(function (r) { return r.value; }), bottom, P.top);
    var time = timeAxis(dated.map(function (r) { return monthsOf(r.date); }), P.left, width - P.right);
    values.ticks.forEach(function (v) {
      var y = values.y(v).toFixed(1);
      append(chart, [svg('line', { class: 'grid', x1: P.left, x2: width - P.right, y1: y, y2: y }),
        svg('text', { x: P.left - 6, y: Number(y) + 4, 'text-anchor': 'end' }, formatNumber(v))]);
    });
    time.ticks.forEach(function (m) {
      var x = time.x(m).toFixed(1);
      append(chart, [svg('line', { class: 'tick', x1: x, x2: x, y1: bottom, y2: bottom + 4 }),
        svg('text', { x: x, y: bottom + 16, 'text-anchor': 'middle' }, time.label(m))]);
    });
    append(chart, [svg('line', { class: 'axis', x1: P.left, x2: width - P.right, y1: bottom + 0.5, y2: bottom + 0.5 }),
      svg('text', { class: 'axis-label', x: 12, y: (P.top + bottom) / 2, 'text-anchor': 'middle',
        transform: 'rotate(-90 12 ' + (P.top + bottom) / 2 + ')' },
        unitName(b[3]) + (values.log ? ', log scale' : ''))]);
    // the best last, so they are drawn on top
    dated.slice().reverse().forEach(function (r) {
      append(chart, svg('circle', { class: 'dot' + (r.rank <= 3 ? ' best' : ''), 'data-row': String(r.rank - 1),
        cx: time.x(monthsOf(r.date)).toFixed(1), cy: values.y(r.value).toFixed(1), r: r.rank <= 3 ? 5 : 4 },
        svg('title', null, '#' + r.rank + ' ' + r.subject + ': ' + r.shown + (b[3] ? ' ' + b[3] : '') + ' (' + r.date + ')')));
    });
    var undated = rows.length - dated.length;
    return [chart, undated ? h('p', { class: 'note' }, plural(undated, 'claim') + ' without a date not drawn.') : null];
  }

  function showClaim(k, selectPaper) {
    board.claim = k;
    var r = board.rows[k];
    var b = BOARDS[board.k];
    fill(board.parts.detail,
      h('div', { class: 'meta' }, '#' + r.rank + (r.date ? ' \u00b7 ' + r.date : '')),
      h('div', { class: 'headline' }, h('strong', null, r.subject), ' ',
        h('span', { class: 'value' }, r.shown + (b[3] && b[3] !== 'x' ? ' ' : '') + b[3]), ' ', r.metric),
      r.paper >= 0 ? h('div', { class: 'paper' }, nodeLink(r.paper, r.title)) : null,
      r.sentence ? h('blockquote', { class: 'sentence' }, r.sentence) : null);
    board.parts.detail.hidden = false;
    resultsPanel.querySelectorAll('.selected').forEach(function (el) { el.classList.remove('selected'); });
    var row = board.parts.table.querySelector('tr[data-row="' + k + '"]');
    var dot = board.parts.plot.querySelector('circle[data-row="' + k + '"]');
    if (row) { row.classList.add('selected'); row.scrollIntoView({ block: 'nearest' }); }
    if (dot) { dot.classList.add('selected'); dot.parentNode.appendChild(dot); }
    if (selectPaper && r.paper >= 0) select(r.paper, { reveal: true, focus: true });
  }

  function showBoard(k) {
    board.k = k;
    board.rows = boardRows(k);
    board.sort = 'rank';
    board.descending = false;
    board.claim = null;
    var b = BOARDS[k];
    var leftOut = b[5].reduce(function (sum, u) { return sum + u[1]; }, 0);
    var order = b[2] === 'gain' ? 'Improvements first, largest first' : b[4] === 'lower' ? 'Lowest first (lower is better)'
      : 'Highest first (higher is better)';
    fill(board.parts.summary,
      h('div', null, plural(board.rows.length, 'claim') + ' in ' + unitName(b[3]) + ' \u00b7 ' + order + '.'),
      h('div', { class: 'left-out' }, leftOut ? 'Left out: ' + plural(leftOut, 'claim') + ' in other units (' +
        b[5].map(function (u) { return u[1] + ' in ' + unitName(u[0]); }).join(', ') + '); units are never converted.'
        : 'No claims in other units.'));
    fill(board.parts.plot, plot(b, board.rows));
    board.parts.detail.hidden = true;
    fill(board.parts.detail);
    renderBoardTable();
  }

  function buildResults() {
    var picker = h('select', { id: 'board', 'aria-label': 'Leaderboard' }, BOARDS.map(function (b, k) {
      return h('option', { value: String(k) }, boardName(b) + ' \u2014 ' + b[6].length);
    }));
    picker.addEventListener('change', function () { showBoard(Number(picker.value)); });
    board.parts = {
      summary: h('div', { class: 'summary' }),
      plot: h('div', { class: 'plot-wrap' }),
      detail: h('div', { class: 'result-detail', 'aria-live': 'polite' }),
      table: h('table', { class: 'board' })
    };
    fill(resultsPanel,
      h('div', { class: 'results-head' }, h('h2', null, 'Results'),
        h('button', { type: 'button', class: 'close', 'data-action': 'close', title: 'Close the results' }, '\u00d7')),
      BOARDS.length ? [h('label', { class: 'board-picker' }, 'Leaderboard ', picker), board.parts.summary,
        board.parts.plot, board.parts.detail, h('div', { class: 'table-wrap' }, board.parts.table)]
        : h('p', { class: 'note' }, 'No comparable claims in this graph: a leaderboard needs claims of one metric.'));
    if (BOARDS.length) showBoard(0);
  }

  function toggleResults(open) {
    resultsPanel.hidden = !open;
    resultsToggle.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('results-open', open);
    if (open && !resultsPanel.childElementCount) buildResults();  // laid out first: the plot takes its width
    network.setSize('100%', '100%');  // at once (vis checks its size every second), keeping the view's centre
    scheduleLabels();
  }
  resultsToggle.addEventListener('click', function () { toggleResults(resultsPanel.hidden); });
  resultsPanel.addEventListener('click', function (ev) {
    var target = ev.target.closest('[data-sort],[data-node],[data-action]');
    var row = ev.target.closest('[data-row]');
    if (target && target.dataset.action === 'close') toggleResults(false);
    else if (target && target.dataset.sort) sortBy(target.dataset.sort);
    else if (target) {  // a subject or paper named in a row: that row's claim, and that node in the graph
      if (row) showClaim(Number(row.dataset.row), false);
      select(Number(target.dataset.node), { reveal: true, focus: true });
    } else if (row) showClaim(Number(row.dataset.row), true);
  });

  // ---- search -------------------------------------------------------------------------------
  var searchable = null;  // built at the first search, not while the page opens
  function searchIndex() {
    if (searchable === null) {
      searchable = nodes.filter(function (n) { return n.t !== CLAIM; }).map(function (n) {
        var names = [n.name].concat(n.aliases || []);
        return { i: n.i, names: names, lower: names.map(function (s) { return s.toLowerCase(); }) };
      });
    }
    return searchable;
  }
  var input = document.getElementById('search');
  var list = document.getElementById('suggestions');
  var active = -1;
  var results = [];

  function searchNodes(query) {
    var q = query.trim().toLowerCase();
    if (!q) return [];
    var found = [];
    searchIndex().forEach(function (entry) {
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

  // ---- topics: the legend of communities, each focused by a click -----------------------------
  var topicList = document.getElementById('topics');
  var others = [];
  for (var o = 0; o < entityCount; o++) if (nodes[o].topic < 0) others.push(o);

  function topicMembers(k) { return k >= 0 ? topics[k].members : others; }
  function topicName(k) { return k >= 0 ? topics[k].name : 'Smaller groups'; }
  function topicDot(k) {
    var dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
    dot.style.background = k >= 0 ? topics[k].color : OTHER_TOPIC;
    return dot;
  }
  function setTopic(k) {
    state.topic = k;
    Array.prototype.forEach.call(topicList.querySelectorAll('button[data-topic]'), function (b) {
      b.setAttribute('aria-pressed', String(Number(b.dataset.topic) === k));
    });
  }
  function focusTopic(k) {
    var again = state.topic === k;
    state.selected = null;
    state.selectedEdge = null;
    network.unselectAll();
    setTopic(again ? null : k);
    highlight();
    renderPanel();
    var members = topicMembers(k).filter(function (i) { return drawnNodes.has(i); });
    if (again || !members.length) fitView({ animation: { duration: 350 } });
    else fitView({ nodes: members, animation: { duration: 350, easingFunction: 'easeInOutQuad' } });
  }
  topics.concat([{ k: -1, members: others }]).forEach(function (t) {
    var drawnCount = t.members.filter(function (i) { return drawnNodes.has(i); }).length;
    if (!drawnCount) return;  // none on the first screen: no smaller group, or a store's kept topic whose members went
    var button = h('button', { type: 'button', class: 'topic', 'data-topic': String(t.k), 'aria-pressed': 'false',
      title: topicName(t.k) }, topicDot(t.k), h('span', { class: 'name' }, topicName(t.k)),
      h('span', { class: 'count' }, drawnCount.toLocaleString('en')));
    topicList.appendChild(h('li', null, button));
  });
  topicList.addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-topic]');
    if (button) focusTopic(Number(button.dataset.topic));
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
    if (!relCounts[k]) return;  // the payload names every type; the legend, those the graph has
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
  var showPapers = document.getElementById('show-papers');
  showPapers.checked = state.papers;
  showPapers.addEventListener('change', function () { state.papers = showPapers.checked; sync(); });
  var colorByType = document.getElementById('color-by-type');
  colorByType.addEventListener('change', function () {
    state.colorBy = colorByType.checked ? 'type' : 'topic';
    visNodes.update(Array.from(drawnNodes, function (i) { return { id: i, color: colorOf(nodes[i]) }; }));
    highlight();
  });
  document.getElementById('fit').addEventListener('click', function () { fitView({ animation: { duration: 300 } }); });
  var drawAll = document.getElementById('draw-all');
  var topNote = document.getElementById('top-note');
  if (raw.top) {
    drawAll.hidden = false;
    drawAll.textContent = 'Draw all ' + entityCount.toLocaleString('en') + ' entities';
    topNote.hidden = false;
    topNote.textContent = 'Showing the ' + Math.min(raw.top, entityCount).toLocaleString('en') + ' most connected of ' +
      entityCount.toLocaleString('en') + ' entities. Search, or expand a node, to reach the rest.';
    drawAll.addEventListener('click', function () {
      state.all = true;
      drawAll.hidden = true;
      topNote.hidden = true;
      sync();
      fitView();
    });
  }
  document.getElementById('reset').addEventListener('click', function () {
    state.expanded.clear();
    state.all = !raw.top;
    state.papers = !!raw.papers;
    showPapers.checked = state.papers;
    state.colorBy = 'topic';
    colorByType.checked = false;
    setTopic(null);
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
    restyle();
    sync();
    renderPanel();
    fitView({ animation: { duration: 300 } });
  });

  function showStats() {
    document.getElementById('stats').textContent = drawnNodes.size.toLocaleString('en') + ' of ' +
      nodes.length.toLocaleString('en') + ' nodes \u00b7 ' + drawnEdges.size.toLocaleString('en') + ' of ' +
      edges.length.toLocaleString('en') + ' edges drawn';
  }

  renderPanel();
  if (!raw.physics) {
    network.fit();
    network.moveTo({ scale: network.getScale() * FIRST_ZOOM });
  }
  placeLabels();
}());
