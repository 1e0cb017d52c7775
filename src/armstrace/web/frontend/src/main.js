// armstrace browser UI: filters (mirrored in the URL query string), flow network, map,
// timeline, register table, and a side panel for evidence, documents and the review queue
// (URL hash: #pair=SUP>REC, #fact=ID, #doc=ID, #party=X, #queue). A reviewer signs in with
// a token (header); after every review the data is loaded again, so all views agree.
import { ApiError, FILTER_KEYS, get, query } from "./api.js";
import { Auth } from "./auth.js";
import { actorOption, autocomplete, designationOption } from "./autocomplete.js";
import { CATEGORIES, CATEGORY_COLORS, label, STATUSES } from "./colors.js";
import { renderDocument } from "./document.js";
import { clear, el } from "./dom.js";
import { renderMap } from "./map.js";
import { createNetwork, edgeMidpoint, focused, focusOn, nodePosition, refit, renderNetwork, showAll } from "./network.js";
import { showError } from "./notify.js";
import { renderFacts } from "./panel.js";
import { Queue } from "./queue.js";
import { Register } from "./register.js";
import { REVIEW_STATES } from "./review.js";
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
  minReports: 0,  // the network's own slider: edges with fewer independent reports are left out
  edgeMidpoint: (edge) => edgeMidpoint(state.cy, edge),
  nodePosition: (node) => nodePosition(state.cy, node),
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
    drawNetwork();
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

/** The network from the loaded graph, thinned by the min-reports slider. */
function drawNetwork() {
  const graph = state.graph;
  const slider = $("network-min-reports");
  const most = Math.max(1, ...graph.edges.map((e) => e.n_sources || 0));
  slider.max = String(most);
  if (state.minReports > most) state.minReports = 0;
  slider.value = String(Math.max(1, state.minReports));
  $("network-min-reports-value").textContent = state.minReports > 1 ? `≥ ${state.minReports}` : "any";
  const drawn = renderNetwork(state.cy, graph, { minReports: state.minReports });
  renderLegend(graph, drawn);
  $("network-show-all").hidden = !focused(state.cy);
}

/** After a review: everything again (network, map, timeline, register, counts, the panel). */
async function refresh() {
  await Promise.all([load(), stats()]);
  await route({ again: true });
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
  if (graph.edges.some((e) => e.n_reviewed)) {
    box.appendChild(el("span", { class: "key" }, el("span", { class: "line reviewed" }), "✓ reviewed"));
  }
  box.appendChild(el("span", { class: "key muted" }, "width: independent reports"));
  if (drawn.merged) box.appendChild(el("span", { class: "key muted" }, `one arrow per supplier → recipient (${drawn.drawn})`));
  const thinned = state.minReports > 1 ? ` (${drawn.nodes} actors with ≥ ${state.minReports} reports shown)` : "";
  box.appendChild(el("span", { class: "key muted", dataset: { testid: "network-count" } },
    `${graph.nodes.length} actors, ${graph.edges.length} facts${thinned}${graph.edges.length >= GRAPH_LIMIT ? ` (the ${GRAPH_LIMIT} best sourced: narrow the filters)` : ""}`));
}

function onBrush(since, until) {
  apply({ ...state.filters, since, until });
}

// ---------------------------------------------------------------- the side panel

const name = (code) => state.names[code] || code;

function openPair(source, target) {
  location.hash = `pair=${encodeURIComponent(source)}>${encodeURIComponent(target)}`;
}

const VIEWS = ["evidence", "document", "queue"];

/** Open the panel on one view; `again` (a reload after a review) keeps the scroll position. */
function showPanel(which, title, { again = false } = {}) {
  $("panel").hidden = false;
  document.body.classList.add("panel-open");
  document.body.classList.toggle("queue-open", which === "queue");
  for (const view of VIEWS) $(view).hidden = which !== view;
  $("panel-title").textContent = title;
  $("panel-back").hidden = !(which === "document" && history.length > 1);
  if (!again) $("panel").scrollTop = 0;
}

function closePanel() {
  $("panel").hidden = true;
  document.body.classList.remove("panel-open", "queue-open");
}

/** After a review: reload; a corrected claim that moved to another fact takes the fact view with it. */
async function afterReview(result) {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const moved = result && result.claim && result.claim.fact_id;
  if (hash.startsWith("fact=") && moved && String(moved) !== hash.slice(5)) {
    await Promise.all([load(), stats()]);
    location.hash = `fact=${moved}`;  // the hashchange shows it
    return;
  }
  await refresh();
}

const reviewed = { onReviewed: afterReview };

async function showPair(source, target, again) {
  showPanel("evidence", "Evidence", { again });
  const section = $("evidence");
  if (!again) clear(section).appendChild(el("p", { class: "muted" }, "Loading…"));
  const ids = state.graph.edges.filter((e) => e.source === source && e.target === target).map((e) => e.id);
  let facts;
  if (source !== "unknown" && target !== "unknown") {
    const f = { ...state.filters, supplier: source, recipient: target };
    delete f.party;
    facts = (await get("/api/facts", f, { limit: 1000 })).items;
  } else {
    facts = await Promise.all(ids.map((id) => get(`/api/facts/${encodeURIComponent(id)}`)));
  }
  renderFacts(section, `${name(source)} → ${name(target)}`, facts, reviewed);
}

async function showParty(code, again) {
  showPanel("evidence", "Evidence", { again });
  if (!again && focused(state.cy) !== code && focusOn(state.cy, code)) $("network-show-all").hidden = false;
  const section = $("evidence");
  if (!again) clear(section).appendChild(el("p", { class: "muted" }, "Loading…"));
  const f = { ...state.filters, party: code };
  delete f.supplier;
  delete f.recipient;
  const facts = (await get("/api/facts", f, { limit: 1000 })).items;
  renderFacts(section, `Transfers involving ${name(code)}`, facts, reviewed);
}

async function showFact(id, again) {
  showPanel("evidence", "Evidence", { again });
  let fact;
  try {
    fact = await get(`/api/facts/${encodeURIComponent(id)}`);
  } catch (err) {
    // a fact whose every claim was rejected (or moved by a correction) is gone from the register
    if (again && err instanceof ApiError && err.status === 404) {
      clear($("evidence")).appendChild(el("p", { class: "empty", dataset: { testid: "fact-gone" } },
        `Fact #${id} is no longer in the register: its claims were rejected or moved to another fact by a correction.`));
      return;
    }
    throw err;
  }
  renderFacts($("evidence"), `${fact.supplier_name || fact.supplier || "unknown"} → ${fact.recipient_name || fact.recipient || "unknown"}`,
    [fact], reviewed);
}

async function showDocument(id, again) {
  showPanel("document", "Document", { again });
  const section = $("document");
  if (!again) clear(section).appendChild(el("p", { class: "muted" }, "Loading…"));
  renderDocument(section, await get(`/api/documents/${encodeURIComponent(id)}`), reviewed);
}

async function showQueue(again) {
  showPanel("queue", "Review", { again });
  await state.queue.show();
}

async function route({ again = false } = {}) {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const [key, ...rest] = hash.split("=");
  const value = rest.join("=");
  try {
    if (key === "doc" && value) await showDocument(value, again);
    else if (key === "fact" && value) await showFact(value, again);
    else if (key === "party" && value) await showParty(value, again);
    else if (key === "queue") await showQueue(again);
    else if (key === "pair" && value.includes(">")) {
      const [source, target] = value.split(">");
      await showPair(source, target, again);
    } else closePanel();
  } catch (err) {
    const view = key === "doc" ? "document" : key === "queue" ? "queue" : "evidence";
    showPanel(view, "Not found");
    clear($(view)).appendChild(el("p", { class: "error" }, err.message || String(err)));
  }
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
  for (const r of REVIEW_STATES) form.elements.review.appendChild(el("option", { value: r }, r));
  form.elements.review.appendChild(el("option", { value: "any" }, "any (with rejected)"));
  autocomplete(form.elements.supplier, $("actors-supplier"), "/api/lookup/actors", actorOption);
  autocomplete(form.elements.recipient, $("actors-recipient"), "/api/lookup/actors", actorOption);
  autocomplete(form.elements.party, $("actors-party"), "/api/lookup/actors", actorOption);
  autocomplete(form.elements.designation, $("designations"), "/api/lookup/designations", designationOption);

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
  $("network-fit").addEventListener("click", () => state.cy.fit(state.cy.elements(":visible"), 30));
  $("network-show-all").addEventListener("click", () => {
    showAll(state.cy);
    $("network-show-all").hidden = true;
  });
  $("network-min-reports").addEventListener("input", (e) => {
    state.minReports = Number(e.target.value) > 1 ? Number(e.target.value) : 0;
    drawNetwork();
  });
  $("register-more").addEventListener("click", () => loadMore().catch((e) => showError(e.message)));
  // one keyboard handler: the review queue's shortcuts while it is shown, then Esc closes the panel
  document.addEventListener("keydown", (e) => {
    if (!$("queue").hidden && !$("panel").hidden && state.queue.handleKey(e)) {
      e.preventDefault();
      return;
    }
    if (e.key === "Escape" && !e.defaultPrevented && !$("panel").hidden) $("panel-close").click();
  });

  state.register = new Register($("register"), $("register-filter"), $("register-count"), {
    onFact: (id) => { location.hash = `fact=${id}`; },
  });
  state.cy = createNetwork($("network"), {
    onPair: openPair,
    onNode: (code) => {
      // the actor's neighbourhood alone in the network, its transfers in the panel
      if (focusOn(state.cy, code)) $("network-show-all").hidden = false;
      if (code !== "unknown") location.hash = `party=${encodeURIComponent(code)}`;
    },
  });
  state.auth = new Auth($("signin"), {
    onChange: () => { if (!$("queue").hidden && !$("panel").hidden) state.queue.draw(); },
  });
  state.queue = new Queue($("queue"), {
    filters: () => state.filters,
    name,
    onReviewed: () => refresh(),
    signedIn: () => !!state.auth.reviewer,
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
      refit(state.cy);
      renderMap($("map"), state.graph, { onPair: openPair }).catch(() => {});
      if (state.timeline) renderTimeline($("timeline"), state.timeline, { onBrush });
    }, 120);
  });
  for (const id of ["network", "map", "timeline"]) observer.observe($(id));

  stats();
  state.auth.start();
  // the panel of a shared link (#pair=..., #doc=...) opens once the data is in
  apply(filtersFromUrl(), { push: false }).finally(route);
}

init();
