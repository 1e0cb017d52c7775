// The flow network: actors as nodes, facts as directed edges (cytoscape, drawn on canvas,
// so labels are never markup). Legible at a few hundred actors: labels that would overlap
// a bigger node's are hidden (labels.js), a minimum of independent reports thins the edges,
// and a clicked actor's 1-hop neighbourhood can be shown alone (focus / showAll).
import cytoscape from "cytoscape";
import { categoryColor, KIND_COLORS, label, sourceWidth } from "./colors.js";
import { labelStyle, placeLabels } from "./labels.js";

const MERGE_ABOVE = 150;  // more facts than this: draw one edge per pair

const style = (z = 1) => [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "background-color": "data(color)",
      width: "data(size)",
      height: "data(size)",
      "font-size": 12 / z,
      "font-family": "system-ui, sans-serif",
      color: "#1d2733",
      "text-valign": "bottom",
      "text-margin-y": 3 / z,
      "text-outline-color": "#ffffff",
      "text-outline-width": 2.5 / z,
      "min-zoomed-font-size": 6,
      "border-width": 1.5,
      "border-color": "#ffffff",
    },
  },
  {
    selector: "edge",
    style: {
      width: "data(width)",
      "line-color": "data(color)",
      "target-arrow-color": "data(color)",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.9,
      "curve-style": "bezier",
      "control-point-step-size": 22,
      opacity: 0.82,
      "line-cap": "round",
    },
  },
  { selector: "edge[!delivered]", style: { "line-style": "dashed", "line-dash-pattern": [7, 5], opacity: 0.7 } },
  // hundreds of arrows: lighter, so the names on top stay readable (hover brings one forward)
  { selector: "edge.many", style: { opacity: 0.45, "arrow-scale": 0.7 } },
  // a fact a person reviewed: a dark outline along the line (light, and visible at any colour)
  { selector: "edge.reviewed", style: { "line-outline-width": 1.6, "line-outline-color": "#1d2733", opacity: 0.95 } },
  {
    selector: "edge.labelled",
    style: {
      label: "data(label)", "font-size": 9 / z, color: "#444", "text-rotation": "autorotate",
      "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1 / z,
    },
  },
  { selector: "edge:selected, edge.hover", style: { opacity: 1, "underlay-color": "#ffd54f", "underlay-opacity": 0.6, "underlay-padding": 3 } },
  { selector: "node:selected, node.focus", style: { "border-color": "#ffb300", "border-width": 3 } },
  { selector: ".faded", style: { opacity: 0.15 } },
  // the focused view: small nodes in columns, names beside them, no edge labels in the middle
  { selector: "node.side-left", style: { "text-halign": "left", "text-valign": "center", "text-margin-x": -5, "text-margin-y": 0, width: 11, height: 11 } },
  { selector: "node.side-right", style: { "text-halign": "right", "text-valign": "center", "text-margin-x": 5, "text-margin-y": 0, width: 11, height: 11 } },
  { selector: "edge.in-focus", style: { label: "", opacity: 0.85 } },
  { selector: ".outside", style: { display: "none" } },
  ...labelStyle,
];

export function createNetwork(container, { onPair, onNode }) {
  const cy = cytoscape({
    container,
    style: style(1),
    minZoom: 0.1,
    maxZoom: 4,
    boxSelectionEnabled: false,
  });
  cy.scratch("_focus", null);
  cy.on("tap", "edge", (evt) => {
    const edge = evt.target;
    onPair(edge.data("source"), edge.data("target"), edge.data("factId"));
  });
  cy.on("tap", "node", (evt) => onNode && onNode(evt.target.id()));
  // labels are placed again once a zoom or pan settles
  let timer = null;
  cy.on("viewport", () => {
    readableLabels(cy);
    clearTimeout(timer);
    timer = setTimeout(() => relabel(cy), 60);
  });
  cy.on("mouseover", "edge", (evt) => {
    evt.target.addClass("hover");
    container.style.cursor = "pointer";
    container.title = evt.target.data("title");
  });
  cy.on("mouseout", "edge", (evt) => {
    evt.target.removeClass("hover");
    container.style.cursor = "";
    container.title = "";
  });
  cy.on("mouseover", "node", (evt) => {
    evt.target.addClass("show-label");
    container.style.cursor = "pointer";
    if (cy.scratch("_focus")) return;  // a focused view shows only the neighbourhood already
    const hood = evt.target.closedNeighborhood();
    cy.elements().not(hood).addClass("faded");
  });
  const unhover = () => {
    cy.nodes(".show-label").removeClass("show-label");
    container.style.cursor = "";
    cy.elements().removeClass("faded");
  };
  cy.on("mouseout", "node", unhover);
  // leaving the canvas fast gives no mouseout: a label shown on hover would stay over the others
  container.addEventListener("mouseleave", unhover);
  return cy;
}

/** Draw the graph (edges with fewer than minReports independent reports left out). */
export function renderNetwork(cy, graph, { minReports = 0 } = {}) {
  const shownEdges = graph.edges.filter((e) => (e.n_sources ?? 0) >= minReports);
  const degree = {};
  for (const e of shownEdges) {
    degree[e.source] = (degree[e.source] || 0) + 1;
    degree[e.target] = (degree[e.target] || 0) + 1;
  }
  // with a minimum set, an actor left without a transfer is left out too
  const shownNodes = minReports > 0 ? graph.nodes.filter((n) => degree[n.id]) : graph.nodes;
  const names = Object.fromEntries(graph.nodes.map((n) => [n.id, n.label]));
  const elements = [];
  for (const n of shownNodes) {
    elements.push({
      group: "nodes",
      data: {
        id: n.id, label: String(n.label ?? n.id), kind: n.kind,
        color: KIND_COLORS[n.kind] || KIND_COLORS.unknown,
        size: 14 + 5 * Math.sqrt(degree[n.id] || 0),
      },
    });
  }
  // a big graph: one edge per supplier -> recipient pair (the panel still lists every fact)
  const merge = shownEdges.length > MERGE_ABOVE;
  let edges = shownEdges.map((e) => ({ ...e, facts: 1 }));
  if (merge) {
    const pairs = new Map();
    for (const e of shownEdges) {
      const key = `${e.source}\u0000${e.target}`;
      const p = pairs.get(key);
      if (!p) {
        pairs.set(key, { ...e, facts: 1, cats: new Set([e.category]) });
        continue;
      }
      p.facts += 1;
      p.cats.add(e.category);
      p.delivered = p.delivered || e.delivered;
      p.n_claims += e.n_claims;
      p.n_reviewed = (p.n_reviewed || 0) + (e.n_reviewed || 0);
      if (e.n_sources > p.n_sources) Object.assign(p, { n_sources: e.n_sources, status: e.status });
    }
    edges = [...pairs.values()].map((p) => ({
      ...p, category: p.cats.size === 1 ? p.category : "mixed",
      label: p.facts > 1 ? `${p.facts} facts` : p.label, designation: p.facts > 1 ? null : p.designation,
    }));
  }
  const showLabels = edges.length <= 40;
  for (const e of edges) {
    const what = e.facts > 1 ? `${e.facts} facts` : e.designation || label(e.category);
    const reviewed = e.n_reviewed || 0;
    elements.push({
      group: "edges",
      classes: [showLabels ? "labelled" : "", reviewed ? "reviewed" : "", edges.length > 120 ? "many" : ""].join(" ").trim(),
      data: {
        id: `f${e.id}`, factId: e.id, source: e.source, target: e.target, category: e.category,
        color: categoryColor(e.category), width: sourceWidth(e.n_sources), delivered: !!e.delivered,
        status: e.status, n_sources: e.n_sources, n_reviewed: reviewed,
        label: `${reviewed ? "✓ " : ""}${String(e.label ?? what)}`,
        title: `${names[e.source] || e.source} → ${names[e.target] || e.target}: ${what} (${e.status}; ` +
          `${e.n_sources} independent report${e.n_sources === 1 ? "" : "s"}, ${e.n_claims} claim${e.n_claims === 1 ? "" : "s"}` +
          `${reviewed ? `, ${reviewed} reviewed` : ""})`,
      },
    });
  }
  cy.batch(() => {
    cy.elements().remove();
    cy.add(elements);
  });
  const n = shownNodes.length;
  const layout = cy.layout({
    name: n > 2 ? "cose" : "grid",
    animate: false,
    randomize: true,
    padding: 30,
    nodeDimensionsIncludeLabels: true,
    // a big graph needs more room per node, or the names pile up in the middle
    nodeRepulsion: () => (n > 60 ? 120000 : 40000),
    idealEdgeLength: () => (n > 60 ? 90 : 60),
    edgeElasticity: () => 100,
    nodeOverlap: 40,
    gravity: n > 60 ? 0.6 : 0.3,
    numIter: n > 150 ? 1000 : 1500,
    componentSpacing: 60,
  });
  // cose draws its start positions from Math.random: seed it for the run (synchronous)
  const random = Math.random;
  Math.random = seeded(n * 7919 + edges.length);
  try {
    layout.run();
  } finally {
    Math.random = random;
  }
  cy.scratch("_positions", null);
  const focus = cy.scratch("_focus");
  if (focus && cy.getElementById(focus).nonempty()) {
    focusOn(cy, focus);
  } else {
    cy.scratch("_focus", null);
    fitAll(cy);
  }
  return { merged: merge, drawn: edges.length, nodes: n };
}

function fitAll(cy) {
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.6) {
    cy.zoom(1.6);
    cy.center();
  }
  relabel(cy);
}

function relabel(cy) {
  readableLabels(cy);
  placeLabels(cy, cy.scratch("_focus"));
}

const ROW = 24;  // px between the names in a column of the focused view (a 12px label with its outline is 21px tall)
const FONT = "12px system-ui, sans-serif";
let measurer = null;
function textWidth(text) {
  measurer = measurer || document.createElement("canvas").getContext("2d");
  measurer.font = FONT;
  return measurer.measureText(String(text)).width;
}

/**
 * Show only `code` and its 1-hop neighbourhood: its suppliers in columns on the left (names
 * to their left), its recipients in columns on the right (names to their right; an actor
 * that is both goes on the side it has more facts with), sized to the network's box so
 * that every name is readable. showAll() puts the whole network back as it was.
 */
export function focusOn(cy, code) {
  const node = cy.getElementById(code);
  if (node.empty()) return false;
  if (!cy.scratch("_positions")) {
    cy.scratch("_positions", Object.fromEntries(cy.nodes().map((n) => [n.id(), { ...n.position() }])));
  }
  cy.scratch("_focus", code);
  const hood = node.closedNeighborhood();
  const side = new Map();  // neighbour -> facts it supplies to `code` minus facts it receives from it
  node.connectedEdges().forEach((e) => {
    const other = e.source().id() === code ? e.target().id() : e.source().id();
    if (other === code) return;
    side.set(other, (side.get(other) || 0) + (e.target().id() === code ? 1 : -1));
  });
  const nameOf = (id) => String(cy.getElementById(id).data("label"));
  const byName = (a, b) => nameOf(a).localeCompare(nameOf(b));
  let left = [...side.keys()].filter((k) => side.get(k) > 0).sort(byName);
  let right = [...side.keys()].filter((k) => side.get(k) <= 0).sort(byName);
  const height = cy.height() || 500;
  const rows = Math.max(4, Math.floor((height - 50) / ROW));
  // a side with more than a column of names spills onto the other side while that has room
  // (the arrows still say who supplies whom): an arrow to an outer column would run
  // through the names of the inner one
  const spill = (big, small) => {
    const keep = Math.max(rows, Math.ceil((big.length + small.length) / 2));
    return big.length > keep ? [big.slice(0, keep), small.concat(big.slice(keep))] : [big, small];
  };
  if (left.length > rows) [left, right] = spill(left, right);
  else if (right.length > rows) [right, left] = spill(right, left);
  const columns = (ids, dir) => {
    const colWidth = Math.max(40, ...ids.map((id) => textWidth(nameOf(id)))) + 34;
    const n = Math.ceil(ids.length / rows);
    const perColumn = Math.ceil(ids.length / Math.max(1, n));
    ids.forEach((id, i) => {
      const col = Math.floor(i / perColumn);
      const inCol = Math.min(perColumn, ids.length - col * perColumn);
      const row = i - col * perColumn;
      cy.getElementById(id).position({ x: dir * (110 + col * colWidth), y: (row - (inCol - 1) / 2) * ROW });
    });
  };
  cy.batch(() => {
    cy.elements().removeClass("outside faded focus side-left side-right");
    cy.elements().not(hood).addClass("outside");
    hood.edges().addClass("in-focus");
    node.addClass("focus");
    for (const id of left) cy.getElementById(id).addClass("side-left");
    for (const id of right) cy.getElementById(id).addClass("side-right");
    columns(left, -1);
    columns(right, 1);
    node.position({ x: 0, y: 0 });
  });
  // laid out for 12px names at zoom 1: a wider view is zoomed out as a whole, names included
  cy.scratch("_labelZoom", null);
  cy.fit(hood, 20);
  if (cy.zoom() > 1.4) {
    cy.zoom(1.4);
    cy.center(hood);
  }
  relabel(cy);
  return true;
}

/** After the network's box changed size: the focused view is laid out again for it. */
export function refit(cy) {
  const focus = cy.scratch("_focus");
  if (focus && cy.getElementById(focus).nonempty()) {
    focusOn(cy, focus);
    return;
  }
  fitAll(cy);
}

export function showAll(cy) {
  const saved = cy.scratch("_positions");
  cy.scratch("_focus", null);
  cy.batch(() => {
    cy.elements().removeClass("outside faded focus side-left side-right in-focus");
    if (saved) cy.nodes().forEach((n) => { if (saved[n.id()]) n.position(saved[n.id()]); });
  });
  cy.scratch("_positions", null);
  fitAll(cy);
}

export const focused = (cy) => cy.scratch("_focus");

/** A seeded PRNG (mulberry32), so the same view always gets the same layout. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Keep labels about 12px on screen whatever the zoom (a big graph is fitted far out). */
function readableLabels(cy) {
  // the focused view is laid out for 12px names: there they scale with the zoom, like the columns
  const z = cy.scratch("_focus") ? 1 : Math.round(Math.min(1, cy.zoom()) * 50) / 50;
  if (cy.scratch("_labelZoom") === z) return;
  cy.scratch("_labelZoom", z);
  cy.style().fromJson(style(z)).update();
}

/** The page position (CSS px) of an edge's midpoint: for tests and keyboard users. */
export function edgeMidpoint(cy, edge) {
  const rect = cy.container().getBoundingClientRect();
  const p = edge.renderedMidpoint();
  return { x: rect.left + p.x, y: rect.top + p.y };
}

/** The page position (CSS px) of a node's centre. */
export function nodePosition(cy, node) {
  const rect = cy.container().getBoundingClientRect();
  const p = node.renderedPosition();
  return { x: rect.left + p.x, y: rect.top + p.y };
}
