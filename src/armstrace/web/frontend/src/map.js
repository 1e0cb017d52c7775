// The world map of the flows: countries from world-atlas (Natural Earth, 1:110m), flows as
// curved arrows between the centroids the API gives. Actors without coordinates are skipped.
import { geoGraticule10, geoNaturalEarth1, geoPath } from "d3-geo";
import { feature } from "topojson-client";
import { categoryColor, CATEGORIES, label, sourceWidth } from "./colors.js";
import { clear, svg } from "./dom.js";

let world = null;
async function loadWorld() {
  if (!world) {
    const response = await fetch("/static/countries-110m.json");
    if (!response.ok) throw new Error(`world map: ${response.status}`);
    const topo = await response.json();
    world = feature(topo, topo.objects.countries);
  }
  return world;
}

// Natural Earth names that differ from the register's actor names.
const ALIASES = {
  "united states of america": "united states", "dem. rep. congo": "democratic republic of the congo",
  "central african rep.": "central african republic", "bosnia and herz.": "bosnia and herzegovina",
  "s. sudan": "south sudan", "dominican rep.": "dominican republic", "eq. guinea": "equatorial guinea",
  "w. sahara": "western sahara", "solomon is.": "solomon islands", "n. cyprus": "cyprus",
  "north korea": "north korea", "south korea": "south korea", "czechia": "czech republic",
  "macedonia": "north macedonia", "myanmar": "myanmar", "taiwan": "taiwan", "palestine": "palestine",
};

export async function renderMap(container, graph, { onPair }) {
  const countries = await loadWorld();
  clear(container);
  const width = Math.max(320, container.clientWidth || 600);
  const height = Math.max(240, container.clientHeight || Math.round(width * 0.52));
  const projection = geoNaturalEarth1().fitExtent([[6, 6], [width - 6, height - 6]], { type: "Sphere" });
  const path = geoPath(projection);

  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, width: "100%", height: "100%", class: "map-svg", role: "img",
    "aria-label": "World map of the transfers",
  });
  const defs = svg("defs");
  const markers = [];  // arrow heads: kept the same size on screen at every zoom
  for (const cat of [...CATEGORIES, "mixed"]) {
    markers.push(svg("marker", {
      id: `arrow-${cat}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      markerUnits: "userSpaceOnUse", orient: "auto",
    }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: categoryColor(cat) })));
    defs.appendChild(markers[markers.length - 1]);
  }
  root.appendChild(defs);
  const zoom = svg("g", { class: "zoom" });
  root.appendChild(zoom);
  zoom.appendChild(svg("path", { d: path({ type: "Sphere" }), class: "sphere" }));
  zoom.appendChild(svg("path", { d: path(geoGraticule10()), class: "graticule" }));

  const involved = new Set(graph.nodes.map((n) => String(n.label || "").toLowerCase()));
  const land = svg("g", { class: "countries" });
  for (const f of countries.features) {
    const name = String(f.properties?.name || "").toLowerCase();
    const active = involved.has(name) || involved.has(ALIASES[name]);
    land.appendChild(svg("path", { d: path(f), class: active ? "country active" : "country" },
      svg("title", {}, f.properties?.name || "")));
  }
  zoom.appendChild(land);

  // one arrow per supplier -> recipient pair
  const placed = {};
  for (const n of graph.nodes) {
    if (n.lat === null || n.lat === undefined || n.lon === null || n.lon === undefined) continue;
    const p = projection([n.lon, n.lat]);
    if (p && Number.isFinite(p[0])) placed[n.id] = { x: p[0], y: p[1], node: n };
  }
  const pairs = new Map();
  for (const e of graph.edges) {
    if (!placed[e.source] || !placed[e.target] || e.source === e.target) continue;
    const key = `${e.source}\u0000${e.target}`;
    if (!pairs.has(key)) pairs.set(key, { source: e.source, target: e.target, edges: [] });
    pairs.get(key).edges.push(e);
  }
  const flows = svg("g", { class: "flows" });
  const extent = [];  // the points the view must hold: the ends of each flow and the top of its bend
  const curves = [];
  let drawn = 0;
  for (const pair of pairs.values()) {
    const a = placed[pair.source];
    const b = placed[pair.target];
    const cats = new Set(pair.edges.map((e) => e.category));
    const cat = cats.size === 1 ? [...cats][0] : "mixed";
    const sources = Math.max(...pair.edges.map((e) => e.n_sources || 0));
    const delivered = pair.edges.some((e) => e.delivered);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const dist = Math.hypot(dx, dy) || 1;
    // bend to the right of the direction of travel, so A->B and B->A do not overlap
    const cx = (a.x + b.x) / 2 + (dy / dist) * dist * 0.22;
    const cy = (a.y + b.y) / 2 - (dx / dist) * dist * 0.22;
    extent.push([a.x, a.y], [b.x, b.y], [(a.x + b.x) / 4 + cx / 2, (a.y + b.y) / 4 + cy / 2]);
    const what = pair.edges.map((e) => e.designation || label(e.category));
    const title = `${a.node.label} → ${b.node.label}: ${[...new Set(what)].join(", ")}`;
    const hit = svg("path", { class: "flow-hit" });
    const line = svg("path", {
        class: delivered ? "flow" : "flow pending",
        stroke: categoryColor(cat),
        "stroke-width": (sourceWidth(sources) * 0.7).toFixed(2),
        "marker-end": `url(#arrow-${cat})`,
        "data-source": pair.source, "data-target": pair.target, "data-testid": "map-flow",
      });
    curves.push({ paths: [hit, line], a, b, cx, cy });
    const flow = svg("g", { class: "flow-group" }, hit, line, svg("title", {}, title));
    flow.addEventListener("click", () => onPair(pair.source, pair.target));
    flows.appendChild(flow);
    drawn++;
  }
  zoom.appendChild(flows);

  const dots = svg("g", { class: "places" });
  const degree = {};
  for (const p of pairs.values()) for (const id of [p.source, p.target]) degree[id] = (degree[id] || 0) + p.edges.length;
  const labels = [];
  for (const [id, p] of Object.entries(placed)) {
    if (!degree[id]) continue;
    const name = String(p.node.label ?? id);
    dots.appendChild(svg("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: 3.2, class: "place" }, svg("title", {}, name)));
    const text = svg("text", { x: (p.x + 5).toFixed(1), y: (p.y - 4).toFixed(1), class: "place-label" }, name);
    dots.appendChild(text);
    labels.push({ text, x: p.x, y: p.y, w: 6.4 * name.length + 2, h: 12, prio: degree[id] });
  }
  labels.sort((a, b) => b.prio - a.prio);
  zoom.appendChild(dots);
  container.appendChild(root);
  const skipped = graph.nodes.filter((n) => !placed[n.id]).map((n) => n.label);
  if (skipped.length) {
    const note = document.createElement("div");
    note.className = "hint map-note";
    const shown = skipped.slice(0, 30).join(", ");
    note.textContent = `Not on the map (no coordinates): ${shown}${skipped.length > 30 ? ` and ${skipped.length - 30} more` : ""}`;
    container.appendChild(note);
  }
  // open on the flows the filters leave: the whole of each arrow (its bend too) and each dot
  // in view, zoomed in as far as that allows (the world when they span it)
  const widest = Math.min(140, Math.max(0, ...labels.map((l) => l.w)));
  const view = fitView(extent, width, height, widest);
  const onZoom = (k) => {
    for (const c of curves) {
      // stop short of the target dot, by the same distance on screen at every zoom
      const { a, b, cx, cy } = c;
      const back = 4 / k / (Math.hypot(b.x - cx, b.y - cy) || 1);
      const d = `M${a.x.toFixed(2)},${a.y.toFixed(2)} Q${cx.toFixed(2)},${cy.toFixed(2)} `
        + `${(b.x - (b.x - cx) * back).toFixed(2)},${(b.y - (b.y - cy) * back).toFixed(2)}`;
      for (const path of c.paths) path.setAttribute("d", d);
    }
    for (const m of markers) {
      m.setAttribute("markerWidth", (7 / k).toFixed(3));
      m.setAttribute("markerHeight", (7 / k).toFixed(3));
    }
    declutter(labels, k);
  };
  onZoom(view.k);
  enableZoom(root, zoom, width, height, view, onZoom);
  return drawn;
}

export const MAX_FIT_ZOOM = 8;
const FIT_MARGIN = 28;  // screen units kept around the flows (dots, arrow heads, a label's start)

/** The zoom and shift that fit `points` into the width x height box with a margin (and room
 * on the right for a label `label` wide: labels keep their size on screen). */
function fitView(points, width, height, label = 0) {
  if (!points.length) return { k: 1, tx: 0, ty: 0 };
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const right = FIT_MARGIN + label;
  const k = Math.min(MAX_FIT_ZOOM, (width - FIT_MARGIN - right) / Math.max(x1 - x0, 1e-6),
    (height - 2 * FIT_MARGIN) / Math.max(y1 - y0, 1e-6));
  if (k <= 1) return { k: 1, tx: 0, ty: 0 };
  // centre the flows (and the room for the label), but never show past the edge of the world
  const clamp = (t, size) => Math.min(0, Math.max(size - k * size, t));
  return { k, tx: clamp((width - right + FIT_MARGIN) / 2 - k * (x0 + x1) / 2, width),
    ty: clamp(height / 2 - k * (y0 + y1) / 2, height) };
}

/** Hide the labels that would overlap a more connected one at zoom k (greedy). */
function declutter(labels, k) {
  const placed = [];
  for (const l of labels) {
    const box = { x0: l.x * k + 5, y0: l.y * k - 15, x1: l.x * k + 5 + l.w, y1: l.y * k - 2 };
    const clash = placed.some((b) => box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1);
    l.text.setAttribute("visibility", clash ? "hidden" : "visible");
    l.text.setAttribute("x", (l.x + 5 / k).toFixed(2));  // beside the dot, at the same distance on screen
    l.text.setAttribute("y", (l.y - 4 / k).toFixed(2));
    if (!clash) placed.push(box);
  }
}

function enableZoom(root, group, width, height, view, onZoom) {
  let { k, tx, ty } = view;
  const apply = () => {
    group.setAttribute("transform", `translate(${tx},${ty}) scale(${k})`);
    root.style.setProperty("--k", k);
    root.dataset.zoom = k.toFixed(3);
  };
  apply();
  const toLocal = (evt) => {
    const r = root.getBoundingClientRect();
    return [((evt.clientX - r.left) / r.width) * width, ((evt.clientY - r.top) / r.height) * height];
  };
  root.addEventListener("wheel", (evt) => {
    evt.preventDefault();
    const [x, y] = toLocal(evt);
    const next = Math.min(16, Math.max(1, k * (evt.deltaY < 0 ? 1.25 : 0.8)));
    tx = x - ((x - tx) / k) * next;
    ty = y - ((y - ty) / k) * next;
    k = next;
    if (k === 1) tx = ty = 0;
    apply();
    onZoom(k);
  }, { passive: false });
  let drag = null;
  root.addEventListener("pointerdown", (evt) => {
    if (evt.target.closest?.(".flow-group")) return;
    drag = { start: toLocal(evt), tx, ty };
    root.setPointerCapture(evt.pointerId);
  });
  root.addEventListener("pointermove", (evt) => {
    if (!drag) return;
    const [x, y] = toLocal(evt);
    tx = drag.tx + x - drag.start[0];
    ty = drag.ty + y - drag.start[1];
    apply();
  });
  root.addEventListener("pointerup", () => { drag = null; });
  // a double click goes back to the view of the flows, or from there out to the whole world
  root.addEventListener("dblclick", () => {
    const fitted = k === view.k && tx === view.tx && ty === view.ty;
    ({ k, tx, ty } = fitted ? { k: 1, tx: 0, ty: 0 } : view);
    apply();
    onZoom(k);
  });
}
