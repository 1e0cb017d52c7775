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
  cy.on("mouseout", "node", (evt) => {
    evt.target.removeClass("show-label");
    container.style.cursor = "";
    cy.elements().removeClass("faded");
  });
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
      classes: [showLabels ? "labelled" : "", reviewed ? "reviewed" : ""].join(" ").trim(),
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

/**
 * Show only `code` and its 1-hop neighbourhood: its suppliers in a column on the left, its
 * recipients on the right (an actor that is both, on the side it has more facts with), so
 * every name is readable. showAll() puts the whole network back as it was.
 */
export function focusOn(cy, code) {
  const node = cy.getElementById(code);
  if (node.empty()) return false;
  if (!cy.scratch("_positions")) {
    cy.scratch("_positions", Object.fromEntries(cy.nodes().map((n) => [n.id(), { ...n.position() }])));
  }
  cy.scratch("_focus", code);
  const hood = node.closedNeighborhood();
  cy.batch(() => {
    cy.elements().removeClass("outside faded focus");
    cy.elements().not(hood).addClass("outside");
    node.addClass("focus");
  });
  const side = new Map();  // neighbour -> facts in (it supplies) minus facts out (it receives)
  node.connectedEdges().forEach((e) => {
    const other = e.source().id() === code ? e.target().id() : e.source().id();
    if (other === code) return;
    side.set(other, (side.get(other) || 0) + (e.target().id() === code ? 1 : -1));
  });
  const byName = (a, b) => String(cy.getElementById(a).data("label")).localeCompare(String(cy.getElementById(b).data("label")));
  const left = [...side.keys()].filter((k) => side.get(k) > 0).sort(byName);
  const right = [...side.keys()].filter((k) => side.get(k) <= 0).sort(byName);
  const gap = 34;
  const width = 220 + 4 * Math.max(left.length, right.length);
  const column = (ids, x) => ids.forEach((id, i) => cy.getElementById(id).position({ x, y: (i - (ids.length - 1) / 2) * gap }));
  column(left, -width);
  column(right, width);
  node.position({ x: 0, y: 0 });
  cy.fit(hood, 40);
  if (cy.zoom() > 1.6) {
    cy.zoom(1.6);
    cy.center(hood);
  }
  relabel(cy);
  return true;
}

export function showAll(cy) {
  const saved = cy.scratch("_positions");
  cy.scratch("_focus", null);
  cy.batch(() => {
    cy.elements().removeClass("outside faded focus");
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
  const z = Math.round(Math.min(1, cy.zoom()) * 50) / 50;
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
