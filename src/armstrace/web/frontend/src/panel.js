// The side panel: the evidence view (facts with their sourced sentences) and the document
// view (clean text, removed boilerplate, claims). Everything from the API goes in as text.
import { categoryColor, label, statusColor } from "./colors.js";
import { append, clear, el, extLink, fmt, highlighted } from "./dom.js";

const badge = (status) => el("span", { class: "badge", style: `border-color:${statusColor(status)}`,
  dataset: { status: String(status || "") } }, status || "?");
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderFacts(section, title, facts) {
  clear(section);
  section.appendChild(el("h3", {}, title));
  if (!facts.length) {
    section.appendChild(el("p", { class: "empty" }, "No facts match the current filters."));
    return;
  }
  section.appendChild(el("p", { class: "hint" },
    `${plural(facts.length, "fact")}; highlighted: `, el("mark", { class: "hl-supplier" }, "supplier"), " ",
    el("mark", { class: "hl-recipient" }, "recipient"), " ", el("mark", { class: "hl-item" }, "item")));
  for (const fact of facts) section.appendChild(factCard(fact));
}

function factCard(fact) {
  const what = fact.designation || label(fact.category);
  const card = el("article", { class: "fact", dataset: { testid: "fact", factId: fact.id } });
  card.appendChild(el("header", {},
    el("span", { class: "swatch", style: `background:${categoryColor(fact.category)}` }),
    el("strong", {}, what), " ",
    el("span", { class: "muted" }, fact.designation ? `(${label(fact.category)})` : ""), " ",
    el("span", { class: "muted" }, `${fact.supplier_name || fact.supplier || "unknown"} → ${fact.recipient_name || fact.recipient || "unknown"}`),
    " ", badge(fact.status),
    el("a", { href: `#fact=${encodeURIComponent(fact.id)}`, class: "permalink", title: "link to this fact" }, `#${fact.id}`)));
  const history = (fact.statuses || []).length > 1
    ? el("div", { class: "statuses" }, "Status history: ", (fact.statuses || []).map((s, i) => [i ? " → " : "", badge(s)]))
    : null;
  card.appendChild(el("div", { class: "facts-meta" },
    fact.first_date ? `${fact.first_date}${fact.last_date && fact.last_date !== fact.first_date ? ` – ${fact.last_date}` : ""} · ` : "undated · ",
    `${plural(fact.n_claims, "claim")} · ${plural(fact.n_documents, "document")} · ${plural(fact.n_publishers, "publisher")} · `,
    el("strong", {}, plural(fact.n_sources, "independent source")), ` · confidence ${fmt(fact.confidence, 2)}`));
  if (history) card.appendChild(history);
  if ((fact.sources || []).length) {
    card.appendChild(el("div", { class: "sources" }, "Sources: ",
      (fact.sources || []).map((s, i) => [i ? ", " : "", el("span", { class: "source" }, s)])));
  }
  const list = el("ol", { class: "evidence-list" });
  const terms = [
    { text: fact.supplier_name, cls: "hl-supplier" },
    { text: fact.recipient_name, cls: "hl-recipient" },
    { text: fact.designation, cls: "hl-item" },
  ];
  for (const ev of fact.evidence || []) {
    const itemTerms = [{ text: ev.item, cls: "hl-item" }, ...terms];
    list.appendChild(el("li", { class: ev.duplicate ? "ev duplicate" : "ev", dataset: { testid: "evidence-item", claim: ev.claim } },
      el("blockquote", { class: "sentence", dataset: { testid: "evidence-sentence" } }, highlighted(ev.evidence, itemTerms)),
      el("div", { class: "ev-meta" },
        badge(ev.status), " ",
        el("span", { class: "date" }, ev.date || "undated"), " · ",
        el("span", { class: "publisher" }, ev.publisher || "unknown publisher"),
        (ev.attribution || []).length ? [" · according to ", el("span", { class: "attribution" }, ev.attribution.join("; "))] : " · unattributed",
        ev.duplicate ? [" · ", el("span", { class: "tag" }, "duplicate")] : null,
        el("div", { class: "links" },
          ev.url ? extLink(ev.url, shortUrl(ev.url)) : null,
          ev.document_id !== null && ev.document_id !== undefined
            ? el("a", { href: `#doc=${encodeURIComponent(ev.document_id)}`, class: "doc-link", dataset: { testid: "open-document" } },
              `document ${ev.doc || ev.document_id} ›`)
            : null))));
  }
  card.appendChild(list);
  return card;
}

function shortUrl(url) {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return String(url);
    const p = u.pathname.length > 32 ? `${u.pathname.slice(0, 30)}…` : u.pathname;
    return `${u.hostname}${p}`;
  } catch {
    return String(url);
  }
}

export function renderDocument(section, doc) {
  clear(section);
  section.appendChild(el("h3", { dataset: { testid: "document-title" } }, doc.title || doc.doc_key || `document ${doc.id}`));
  section.appendChild(el("dl", { class: "doc-meta" },
    row("Key", doc.doc_key), row("Publisher", doc.publisher), row("Published", doc.published),
    row("Language", doc.language), row("Syndicated from", doc.syndicated_from),
    doc.url ? row("URL", extLink(doc.url, doc.url)) : null,
    doc.duplicate_of ? row("Duplicate of", el("a", { href: `#doc=${encodeURIComponent(doc.duplicate_of)}` }, `document ${doc.duplicate_of}`)) : null));

  const claims = doc.claims || [];
  // claim offsets are into title + "\n\n" + text
  const full = `${doc.title || ""}\n\n${doc.text || ""}`;
  const spans = [];
  for (const c of claims) {
    let { start, end } = c;
    const okOffsets = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= full.length;
    if (!okOffsets || (c.evidence && full.slice(start, end).trim() !== String(c.evidence).trim())) {
      const at = c.evidence ? full.indexOf(String(c.evidence)) : -1;
      if (at < 0) continue;
      start = at;
      end = at + String(c.evidence).length;
    }
    spans.push({ start, end, claim: c });
  }
  spans.sort((a, b) => a.start - b.start);
  const body = el("div", { class: "doc-text", dataset: { testid: "document-text" } });
  let pos = 0;
  for (const s of spans) {
    if (s.end <= pos) continue;
    const from = Math.max(pos, s.start);
    if (from > pos) body.appendChild(document.createTextNode(full.slice(pos, from)));
    body.appendChild(el("mark", { class: "claim-span", title: `claim ${s.claim.id}: ${s.claim.supplier || "?"} → ${s.claim.recipient || "?"}, ${s.claim.status}`,
      dataset: { claim: s.claim.id } }, full.slice(from, s.end)));
    pos = s.end;
  }
  if (pos < full.length) body.appendChild(document.createTextNode(full.slice(pos)));
  section.appendChild(el("h4", {}, "Text"));
  section.appendChild(body);

  section.appendChild(el("h4", {}, `Claims found (${claims.length})`));
  const list = el("ol", { class: "claims", dataset: { testid: "document-claims" } });
  for (const c of claims) {
    list.appendChild(el("li", { dataset: { claim: c.id } },
      el("strong", {}, `${c.supplier || "unknown"} → ${c.recipient || "unknown"}`), " ",
      el("span", {}, c.designation || c.item || label(c.category)), " ",
      el("span", { class: "muted" }, `(${label(c.category)})`), " ", badge(c.status),
      c.date ? ` ${c.date}` : "",
      (c.attribution || []).length ? [" · according to ", c.attribution.join("; ")] : "",
      c.quantity ? ` · quantity ${c.quantity}` : "",
      c.fact_id !== null && c.fact_id !== undefined
        ? [" · ", el("a", { href: `#fact=${encodeURIComponent(c.fact_id)}` }, `fact #${c.fact_id}`)] : "",
      el("div", { class: "muted small" }, `rule ${c.rule || "?"}, confidence ${fmt(c.confidence, 2)}`)));
  }
  if (!claims.length) list.appendChild(el("li", { class: "empty" }, "No claims were found in this document."));
  section.appendChild(list);

  const removed = doc.removed || [];
  section.appendChild(el("h4", {}, `Removed boilerplate (${removed.length})`));
  const rem = el("ul", { class: "removed", dataset: { testid: "document-removed" } });
  for (const r of removed) {
    rem.appendChild(el("li", {}, el("span", { class: "tag" }, r.kind || "removed"), " ",
      el("span", { class: "removed-text" }, r.text ?? ""),
      Number.isInteger(r.start) ? el("span", { class: "muted small" }, ` [${r.start}–${r.end}]`) : null));
  }
  if (!removed.length) rem.appendChild(el("li", { class: "empty" }, "Nothing was removed."));
  section.appendChild(rem);
}

function row(name, value) {
  if (value === null || value === undefined || value === "") return null;
  return [el("dt", {}, name), append(el("dd"), [value])];
}
