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
  for (const cat of [...CATEGORIES, "mixed"]) {
    defs.appendChild(svg("marker", {
      id: `arrow-${cat}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      markerUnits: "userSpaceOnUse", orient: "auto",
    }, svg("path", { d: "M0,0 L10,5 L0,10 z", fill: categoryColor(cat) })));
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
    // stop short of the target dot
    const tx = b.x - ((b.x - cx) / Math.hypot(b.x - cx, b.y - cy)) * 4;
    const ty = b.y - ((b.y - cy) / Math.hypot(b.x - cx, b.y - cy)) * 4;
    const what = pair.edges.map((e) => e.designation || label(e.category));
    const title = `${a.node.label} → ${b.node.label}: ${[...new Set(what)].join(", ")}`;
    const d = `M${a.x.toFixed(1)},${a.y.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${tx.toFixed(1)},${ty.toFixed(1)}`;
    const flow = svg("g", { class: "flow-group" },
      svg("path", { d, class: "flow-hit" }),
      svg("path", {
        d, class: delivered ? "flow" : "flow pending",
        stroke: categoryColor(cat),
        "stroke-width": (sourceWidth(sources) * 0.7).toFixed(2),
        "marker-end": `url(#arrow-${cat})`,
        "data-source": pair.source, "data-target": pair.target, "data-testid": "map-flow",
      }),
      svg("title", {}, title));
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
  // start zoomed in on the flows when they are all in one region
  let view = { k: 1, tx: 0, ty: 0 };
  const pts = Object.keys(degree).map((id) => placed[id]).filter(Boolean);
  if (pts.length) {
    const pad = 50;
    const x0 = Math.min(...pts.map((p) => p.x));
    const x1 = Math.max(...pts.map((p) => p.x));
    const y0 = Math.min(...pts.map((p) => p.y));
    const y1 = Math.max(...pts.map((p) => p.y));
    const k = Math.min(6, width / (x1 - x0 + 2 * pad), height / (y1 - y0 + 2 * pad));
    if (k > 1.3) view = { k, tx: width / 2 - k * (x0 + x1) / 2, ty: height / 2 - k * (y0 + y1) / 2 };
  }
  declutter(labels, view.k);
  enableZoom(root, zoom, width, height, view, (k) => declutter(labels, k));
  return drawn;
}

/** Hide the labels that would overlap a more connected one at zoom k (greedy). */
function declutter(labels, k) {
  const placed = [];
  for (const l of labels) {
    const box = { x0: l.x * k + 5, y0: l.y * k - 15, x1: l.x * k + 5 + l.w, y1: l.y * k - 2 };
    const clash = placed.some((b) => box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1);
    l.text.setAttribute("visibility", clash ? "hidden" : "visible");
    if (!clash) placed.push(box);
  }
}

function enableZoom(root, group, width, height, view, onZoom) {
  let { k, tx, ty } = view;
  const apply = () => {
    group.setAttribute("transform", `translate(${tx},${ty}) scale(${k})`);
    root.style.setProperty("--k", k);
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
  root.addEventListener("dblclick", () => { k = 1; tx = ty = 0; apply(); onZoom(k); });
}
