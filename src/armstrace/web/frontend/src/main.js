// armstrace browser UI: filters (mirrored in the URL query string), flow network, map,
// timeline, register table, and a side panel for evidence and documents (URL hash:
// #pair=SUP>REC, #fact=ID, #doc=ID, #party=X).
import { FILTER_KEYS, get, query } from "./api.js";
import { CATEGORIES, CATEGORY_COLORS, label, STATUSES } from "./colors.js";
import { clear, el } from "./dom.js";
import { renderMap } from "./map.js";
import { createNetwork, edgeMidpoint, renderNetwork } from "./network.js";
import { renderDocument, renderFacts } from "./panel.js";
import { Register } from "./register.js";
import { renderTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const GRAPH_LIMIT = 1000;
const PAGE = 500;

const state = {
  filters: {},
  graph: { nodes: [], edges: [] },
  names: {},
  facts: [],
  loading: 0,
  ready: false,
  cy: null,
  edgeMidpoint: (edge) => edgeMidpoint(state.cy, edge),
};
window.__armstrace = state;

// ---------------------------------------------------------------- filters and URL

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  const f = {};
  for (const key of FILTER_KEYS) if (params.get(key)) f[key] = params.get(key);
  return f;
}

function fillForm(f) {
  const form = $("filters");
  for (const key of FILTER_KEYS) if (form.elements[key]) form.elements[key].value = f[key] || "";
}

function readForm() {
  const form = $("filters");
  const f = {};
  for (const key of FILTER_KEYS) {
    const value = form.elements[key] ? form.elements[key].value.trim() : "";
    if (value) f[key] = value;
  }
  return f;
}

/** "Iran" or "iran" -> "IRN" through the lookup; a code or anything unknown stays as typed. */
async function resolveActor(value) {
  if (!value) return value;
  try {
    const found = await get("/api/lookup/actors", null, { q: value, limit: 20 });
    const low = value.toLowerCase();
    const hit = found.find((a) => a.code.toLowerCase() === low) || found.find((a) => a.name.toLowerCase() === low);
    return hit ? hit.code : value;
  } catch {
    return value;
  }
}

async function apply(f, { push = true } = {}) {
  for (const key of ["supplier", "recipient", "party"]) if (f[key]) f[key] = await resolveActor(f[key]);
  state.filters = f;
  fillForm(f);
  if (push) {
    const qs = query(f);
    const url = `${location.pathname}${qs ? `?${qs}` : ""}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.pushState(null, "", url);
  }
  await load();
}

// ---------------------------------------------------------------- loading

function showError(message) {
  const box = $("error");
  if (!message) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.textContent = message;
}

async function load() {
  state.loading++;
  document.body.classList.add("loading");
  state.ready = false;
  showError(null);
  const f = state.filters;
  $("download-csv").setAttribute("href", `/api/export.csv${query(f) ? `?${query(f)}` : ""}`);
  $("timeline-clear").hidden = !(f.since || f.until);
  const errors = [];
  const graphP = get("/api/graph", f, { limit: GRAPH_LIMIT }).then((graph) => {
    state.graph = graph;
    state.names = Object.fromEntries(graph.nodes.map((n) => [n.id, n.label]));
    const drawn = renderNetwork(state.cy, graph);
    renderLegend(graph, drawn);
    $("network-empty").hidden = graph.edges.length > 0;
    return renderMap($("map"), graph, { onPair: openPair }).catch((e) => errors.push(`map: ${e.message}`));
  });
  const timelineP = get("/api/timeline", f).then((data) => {
    state.timeline = data;
    renderTimeline($("timeline"), data, { onBrush });
  });
  const factsP = get("/api/facts", f, { limit: PAGE, offset: 0 }).then((body) => {
    state.facts = body.items;
    state.register.set(body.items, body.items.length === PAGE);
    $("register-more").hidden = body.items.length < PAGE;
  });
  const results = await Promise.allSettled([graphP, timelineP, factsP]);
  for (const r of results) if (r.status === "rejected") errors.push(r.reason?.message || String(r.reason));
  if (errors.length) showError([...new Set(errors)].join("; "));
  state.loading--;
  if (!state.loading) {
    document.body.classList.remove("loading");
    state.ready = true;
    document.body.dataset.ready = "1";
  }
}

async function loadMore() {
  const body = await get("/api/facts", state.filters, { limit: PAGE, offset: state.facts.length });
  state.facts = state.facts.concat(body.items);
  state.register.set(state.facts, body.items.length === PAGE);
  $("register-more").hidden = body.items.length < PAGE;
}

function renderLegend(graph, drawn) {
  const box = $("legend");
  clear(box);
  const present = new Set(graph.edges.map((e) => e.category));
  for (const c of CATEGORIES.filter((c) => present.has(c))) {
    box.appendChild(el("span", { class: "key" }, el("span", { class: "swatch", style: `background:${CATEGORY_COLORS[c]}` }), label(c)));
  }
  box.appendChild(el("span", { class: "key" }, el("span", { class: "line solid" }), "delivered / ongoing"));
  box.appendChild(el("span", { class: "key" }, el("span", { class: "line dashed" }), "not (yet) delivered"));
  if (drawn.merged) box.appendChild(el("span", { class: "key" }, el("span", { class: "swatch", style: `background:${CATEGORY_COLORS.mixed}` }), "mixed"));
  box.appendChild(el("span", { class: "key muted" }, "width: independent sources"));
  if (drawn.merged) box.appendChild(el("span", { class: "key muted" }, `one arrow per supplier → recipient (${drawn.drawn})`));
  box.appendChild(el("span", { class: "key muted", dataset: { testid: "network-count" } },
    `${graph.nodes.length} actors, ${graph.edges.length} facts${graph.edges.length >= GRAPH_LIMIT ? ` (the ${GRAPH_LIMIT} best sourced: narrow the filters)` : ""}`));
}

function onBrush(since, until) {
  apply({ ...state.filters, since, until });
}

// ---------------------------------------------------------------- the side panel

const name = (code) => state.names[code] || code;

function openPair(source, target) {
  location.hash = `pair=${encodeURIComponent(source)}>${encodeURIComponent(target)}`;
}

function showPanel(which, title) {
  $("panel").hidden = false;
  document.body.classList.add("panel-open");
  $("evidence").hidden = which !== "evidence";
  $("document").hidden = which !== "document";
  $("panel-title").textContent = title;
  $("panel-back").hidden = !(which === "document" && history.length > 1);
  $("panel").scrollTop = 0;
}

function closePanel() {
  $("panel").hidden = true;
  document.body.classList.remove("panel-open");
}

async function showPair(source, target) {
  showPanel("evidence", "Evidence");
  const section = $("evidence");
  clear(section).appendChild(el("p", { class: "muted" }, "Loading…"));
  const ids = state.graph.edges.filter((e) => e.source === source && e.target === target).map((e) => e.id);
  let facts;
  if (source !== "unknown" && target !== "unknown") {
    const f = { ...state.filters, supplier: source, recipient: target };
    delete f.party;
    facts = (await get("/api/facts", f, { limit: 1000 })).items;
  } else {
    facts = await Promise.all(ids.map((id) => get(`/api/facts/${encodeURIComponent(id)}`)));
  }
  renderFacts(section, `${name(source)} → ${name(target)}`, facts);
}

async function showParty(code) {
  showPanel("evidence", "Evidence");
  const section = $("evidence");
  clear(section).appendChild(el("p", { class: "muted" }, "Loading…"));
  const f = { ...state.filters, party: code };
  delete f.supplier;
  delete f.recipient;
  const facts = (await get("/api/facts", f, { limit: 1000 })).items;
  renderFacts(section, `Transfers involving ${name(code)}`, facts);
}

async function showFact(id) {
  showPanel("evidence", "Evidence");
  const fact = await get(`/api/facts/${encodeURIComponent(id)}`);
  renderFacts($("evidence"), `${fact.supplier_name || fact.supplier || "unknown"} → ${fact.recipient_name || fact.recipient || "unknown"}`, [fact]);
}

async function showDocument(id) {
  showPanel("document", "Document");
  const section = $("document");
  clear(section).appendChild(el("p", { class: "muted" }, "Loading…"));
  renderDocument(section, await get(`/api/documents/${encodeURIComponent(id)}`));
}

async function route() {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const [key, ...rest] = hash.split("=");
  const value = rest.join("=");
  try {
    if (key === "doc" && value) await showDocument(value);
    else if (key === "fact" && value) await showFact(value);
    else if (key === "party" && value) await showParty(value);
    else if (key === "pair" && value.includes(">")) {
      const [source, target] = value.split(">");
      await showPair(source, target);
    } else closePanel();
  } catch (err) {
    showPanel(key === "doc" ? "document" : "evidence", "Not found");
    const section = key === "doc" ? $("document") : $("evidence");
    clear(section).appendChild(el("p", { class: "error" }, err.message || String(err)));
  }
}

// ---------------------------------------------------------------- autocomplete

function autocomplete(input, list, endpoint, toOption) {
  let timer = null;
  let last = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q || q === last) return;
    timer = setTimeout(async () => {
      last = q;
      try {
        const found = await get(endpoint, null, { q, limit: 12 });
        clear(list);
        for (const item of found) {
          const [value, text] = toOption(item);
          list.appendChild(el("option", { value, label: text }));
        }
      } catch { /* ignore: the field still works as free text */ }
    }, 150);
  });
}

// ---------------------------------------------------------------- start

async function stats() {
  try {
    const s = await get("/api/stats");
    $("stats").textContent = `${s.documents} documents · ${s.claims} claims · ${s.facts} facts`;
  } catch (err) {
    $("stats").textContent = "";
  }
}

function init() {
  const form = $("filters");
  for (const c of CATEGORIES) form.elements.category.appendChild(el("option", { value: c }, label(c)));
  for (const s of STATUSES) form.elements.status.appendChild(el("option", { value: s }, s));
  const actorOption = (a) => [a.code, a.name];
  autocomplete(form.elements.supplier, $("actors-supplier"), "/api/lookup/actors", actorOption);
  autocomplete(form.elements.recipient, $("actors-recipient"), "/api/lookup/actors", actorOption);
  autocomplete(form.elements.party, $("actors-party"), "/api/lookup/actors", actorOption);
  autocomplete(form.elements.designation, $("designations"), "/api/lookup/designations",
    (d) => [d.designation, label(d.category)]);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    apply(readForm());
  });
  $("filter-reset").addEventListener("click", () => apply({}));
  $("timeline-clear").addEventListener("click", () => {
    const f = { ...state.filters };
    delete f.since;
    delete f.until;
    apply(f);
  });
  $("panel-close").addEventListener("click", () => {
    history.pushState(null, "", `${location.pathname}${location.search}`);
    closePanel();
  });
  $("panel-back").addEventListener("click", () => history.back());
  $("network-fit").addEventListener("click", () => state.cy.fit(undefined, 30));
  $("register-more").addEventListener("click", () => loadMore().catch((e) => showError(e.message)));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !$("panel").hidden) $("panel-close").click(); });

  state.register = new Register($("register"), $("register-filter"), $("register-count"), {
    onFact: (id) => { location.hash = `fact=${id}`; },
  });
  state.cy = createNetwork($("network"), {
    onPair: openPair,
    onNode: (code) => { if (code !== "unknown") location.hash = `party=${encodeURIComponent(code)}`; },
  });

  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", () => {
    const f = filtersFromUrl();
    const changed = query(f) !== query(state.filters);
    if (changed) apply(f, { push: false });  // the hash part is handled by hashchange
  });
  // re-fit the network and redraw the map and timeline when their boxes change size
  // (window resize, the side panel opening or closing)
  let resizeTimer = null;
  const widths = new Map();
  const observer = new ResizeObserver((entries) => {
    let changed = false;
    for (const entry of entries) {
      const w = Math.round(entry.contentRect.width);
      if (widths.get(entry.target) !== w) changed = widths.has(entry.target) || changed;
      widths.set(entry.target, w);
    }
    if (!changed) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      state.cy.resize();
      state.cy.fit(undefined, 30);
      if (state.cy.zoom() > 1.6) { state.cy.zoom(1.6); state.cy.center(); }
      renderMap($("map"), state.graph, { onPair: openPair }).catch(() => {});
      if (state.timeline) renderTimeline($("timeline"), state.timeline, { onBrush });
    }, 120);
  });
  for (const id of ["network", "map", "timeline"]) observer.observe($(id));

  stats();
  // the panel of a shared link (#pair=..., #doc=...) opens once the data is in
  apply(filtersFromUrl(), { push: false }).finally(route);
}

init();
