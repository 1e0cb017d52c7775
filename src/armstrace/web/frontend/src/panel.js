// The evidence view of the side panel: facts with their sourced sentences, each sentence
// with the claim's supplier, recipient and item marked from its offsets, its review badge
// and the review buttons. Everything from the API goes in as text.
import { categoryColor, label, statusColor } from "./colors.js";
import { clear, el, extLink, fmt, markSpans } from "./dom.js";
import { reviewBadge, reviewBar, reviewDetails } from "./review.js";

export const badge = (status) => el("span", { class: "badge", style: `border-color:${statusColor(status)}`,
  dataset: { status: String(status || "") } }, status || "?");
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The key to the highlight colours. */
export const highlightKey = () => [el("mark", { class: "hl-supplier" }, "supplier"), " ",
  el("mark", { class: "hl-recipient" }, "recipient"), " ", el("mark", { class: "hl-item" }, "item")];

/** opts.onReviewed(result): after a review was saved (the page reloads its data). */
export function renderFacts(section, title, facts, opts = {}) {
  clear(section);
  section.appendChild(el("h3", {}, title));
  if (!facts.length) {
    section.appendChild(el("p", { class: "empty" }, "No facts match the current filters."));
    return;
  }
  section.appendChild(el("p", { class: "hint" }, `${plural(facts.length, "fact")}; highlighted: `, highlightKey()));
  for (const fact of facts) section.appendChild(factCard(fact, opts));
}

/** "N independent reports" (distinct original publishers: what corroborates a fact). */
export const reportsText = (n) => plural(n ?? 0, "independent report");

function factCard(fact, opts) {
  const what = fact.designation || label(fact.category);
  const card = el("article", { class: "fact", dataset: { testid: "fact", factId: fact.id } });
  card.appendChild(el("header", {},
    el("span", { class: "swatch", style: `background:${categoryColor(fact.category)}` }),
    el("strong", {}, what), " ",
    el("span", { class: "muted" }, fact.designation ? `(${label(fact.category)})` : ""), " ",
    el("span", { class: "muted" }, `${fact.supplier_name || fact.supplier || "unknown"} → ${fact.recipient_name || fact.recipient || "unknown"}`),
    " ", el("span", { dataset: { testid: "fact-status" } }, badge(fact.status)),
    el("a", { href: `#fact=${encodeURIComponent(fact.id)}`, class: "permalink", title: "link to this fact" }, `#${fact.id}`)));
  const history = (fact.statuses || []).length > 1
    ? el("div", { class: "statuses" }, "Status history: ", (fact.statuses || []).map((s, i) => [i ? " → " : "", badge(s)]))
    : null;
  card.appendChild(el("div", { class: "facts-meta" },
    fact.first_date ? `${fact.first_date}${fact.last_date && fact.last_date !== fact.first_date ? ` – ${fact.last_date}` : ""} · ` : "undated · ",
    `${plural(fact.n_claims, "claim")} · ${plural(fact.n_documents, "document")} · `,
    el("strong", { dataset: { testid: "fact-reports" } }, reportsText(fact.n_sources)), ` · confidence ${fmt(fact.confidence, 2)}`,
    fact.n_reviewed ? [" · ", el("span", { class: "reviewed-count", dataset: { testid: "fact-reviewed" } }, `${fact.n_reviewed} reviewed`)] : null));
  if (history) card.appendChild(history);
  // the publishers are what is counted; the names the articles cite are shown, not counted
  if ((fact.sources || []).length) {
    card.appendChild(el("div", { class: "sources", dataset: { testid: "fact-sources" } }, "Reported by: ",
      fact.sources.map((s, i) => [i ? ", " : "", el("span", { class: "source" }, s)])));
  }
  if ((fact.cited || []).length) {
    card.appendChild(el("div", { class: "sources cited", dataset: { testid: "fact-cited" } }, "According to: ",
      fact.cited.map((s, i) => [i ? ", " : "", el("span", { class: "cited-name" }, s)])));
  }
  const list = el("ol", { class: "evidence-list" });
  for (const ev of fact.evidence || []) list.appendChild(evidenceItem(ev, opts));
  card.appendChild(list);
  return card;
}

function evidenceItem(ev, opts) {
  const classes = ["ev", ev.duplicate ? "duplicate" : "", ev.review ? `reviewed review-${ev.review}` : ""].filter(Boolean);
  return el("li", { class: classes.join(" "), dataset: { testid: "evidence-item", claim: ev.claim, review: ev.review || "" } },
    el("blockquote", { class: "sentence", dataset: { testid: "evidence-sentence" } }, markSpans(ev.evidence, ev.start, ev.spans)),
    el("div", { class: "ev-meta" },
      badge(ev.status), " ", reviewBadge(ev.review, ev.reviewer), ev.review ? " " : null,
      el("span", { class: "date" }, ev.date || "undated"), " · ",
      el("span", { class: "publisher" }, ev.publisher || "unknown publisher"),
      (ev.attribution || []).length ? [" · according to ", el("span", { class: "attribution" }, ev.attribution.join("; "))] : " · unattributed",
      ev.duplicate ? [" · ", el("span", { class: "tag" }, "duplicate")] : null,
      reviewDetails(ev),
      el("div", { class: "links" },
        ev.url ? extLink(ev.url, shortUrl(ev.url)) : null,
        ev.document_id !== null && ev.document_id !== undefined
          ? el("a", { href: `#doc=${encodeURIComponent(ev.document_id)}`, class: "doc-link", dataset: { testid: "open-document" } },
            `document ${ev.doc || ev.document_id} ›`)
          : null)),
    opts.onReviewed ? reviewBar(ev, { onReviewed: opts.onReviewed }) : null);
}

export function shortUrl(url) {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return String(url);
    const p = u.pathname.length > 32 ? `${u.pathname.slice(0, 30)}…` : u.pathname;
    return `${u.hostname}${p}`;
  } catch {
    return String(url);
  }
}
