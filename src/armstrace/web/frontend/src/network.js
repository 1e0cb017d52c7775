// The flow network: actors as nodes, facts as directed edges (cytoscape, drawn on canvas,
// so labels are never markup).
import cytoscape from "cytoscape";
import { categoryColor, KIND_COLORS, label, sourceWidth } from "./colors.js";

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
  {
    selector: "edge.labelled",
    style: {
      label: "data(label)", "font-size": 9 / z, color: "#444", "text-rotation": "autorotate",
      "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1 / z,
    },
  },
  { selector: "edge:selected, edge.hover", style: { opacity: 1, "underlay-color": "#ffd54f", "underlay-opacity": 0.6, "underlay-padding": 3 } },
  { selector: "node:selected", style: { "border-color": "#ffb300", "border-width": 3 } },
  { selector: ".faded", style: { opacity: 0.15 } },
];

export function createNetwork(container, { onPair, onNode }) {
  const cy = cytoscape({
    container,
    style: style(1),
    minZoom: 0.2,
    maxZoom: 4,
    boxSelectionEnabled: false,
  });
  cy.on("tap", "edge", (evt) => {
    const edge = evt.target;
    onPair(edge.data("source"), edge.data("target"), edge.data("factId"));
  });
  cy.on("tap", "node", (evt) => onNode && onNode(evt.target.id()));
  cy.on("zoom", () => readableLabels(cy));
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
    const hood = evt.target.closedNeighborhood();
    cy.elements().not(hood).addClass("faded");
  });
  cy.on("mouseout", "node", () => cy.elements().removeClass("faded"));
  return cy;
}

export function renderNetwork(cy, graph) {
  const degree = {};
  for (const e of graph.edges) {
    degree[e.source] = (degree[e.source] || 0) + 1;
    degree[e.target] = (degree[e.target] || 0) + 1;
  }
  const names = Object.fromEntries(graph.nodes.map((n) => [n.id, n.label]));
  const elements = [];
  for (const n of graph.nodes) {
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
  const merge = graph.edges.length > MERGE_ABOVE;
  let edges = graph.edges.map((e) => ({ ...e, facts: 1 }));
  if (merge) {
    const pairs = new Map();
    for (const e of graph.edges) {
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
    elements.push({
      group: "edges",
      classes: showLabels ? "labelled" : "",
      data: {
        id: `f${e.id}`, factId: e.id, source: e.source, target: e.target, category: e.category,
        color: categoryColor(e.category), width: sourceWidth(e.n_sources), delivered: !!e.delivered,
        label: String(e.label ?? what),
        title: `${names[e.source] || e.source} → ${names[e.target] || e.target}: ${what} (${e.status}; ` +
          `${e.n_sources} source${e.n_sources === 1 ? "" : "s"}, ${e.n_claims} claim${e.n_claims === 1 ? "" : "s"})`,
      },
    });
  }
  cy.batch(() => {
    cy.elements().remove();
    cy.add(elements);
  });
  const layout = cy.layout({
    name: graph.nodes.length > 2 ? "cose" : "grid",
    animate: false,
    randomize: true,
    padding: 30,
    nodeDimensionsIncludeLabels: true,
    nodeRepulsion: () => 40000,
    idealEdgeLength: () => 60,
    edgeElasticity: () => 100,
    nodeOverlap: 40,
    gravity: 0.3,
    numIter: graph.nodes.length > 150 ? 400 : 1500,
    componentSpacing: 60,
  });
  // cose draws its start positions from Math.random: seed it for the run (synchronous)
  const random = Math.random;
  Math.random = seeded(graph.nodes.length * 7919 + graph.edges.length);
  try {
    layout.run();
  } finally {
    Math.random = random;
  }
  cy.fit(undefined, 30);
  if (cy.zoom() > 1.6) {
    cy.zoom(1.6);
    cy.center();
  }
  readableLabels(cy);
  return { merged: merge, drawn: edges.length };
}

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
