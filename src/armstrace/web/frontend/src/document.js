// The document view of the side panel: metadata; the clean text with the claim sentences
// marked (and in them the supplier, recipient and item, from the claims' offsets) or, when
// the register kept it, the raw input with the removed boilerplate greyed in place; the
// claims with their reviews; the removed boilerplate by kind. Everything goes in as text.
import { label } from "./colors.js";
import { post } from "./api.js";
import { append, clear, el, extLink, fmt, markSpans } from "./dom.js";
import { showError } from "./notify.js";
import { badge, highlightKey } from "./panel.js";
import { correctForm, reviewBadge, reviewBar, reviewDetails } from "./review.js";

/** The text the claims' offsets count in: the headline and body, as extraction read them. */
export function fullText(doc) {
  const title = doc.title || "";
  const text = doc.text || "";
  if (title && !text.startsWith(title)) return text ? `${title}\n\n${text}` : title;
  return text;
}

/** opts.onReviewed(result): after a review was saved. */
export function renderDocument(section, doc, opts = {}) {
  clear(section);
  section.appendChild(el("h3", { dataset: { testid: "document-title" } }, doc.title || doc.doc_key || `document ${doc.id}`));
  section.appendChild(el("dl", { class: "doc-meta" },
    row("Key", doc.doc_key), row("Publisher", doc.publisher), row("Published", doc.published),
    row("Language", doc.language), row("Syndicated from", doc.syndicated_from),
    doc.url ? row("URL", extLink(doc.url, doc.url)) : null,
    doc.duplicate_of ? row("Duplicate of", el("a", { href: `#doc=${encodeURIComponent(doc.duplicate_of)}` }, `document ${doc.duplicate_of}`)) : null));

  const claims = doc.claims || [];
  const clean = cleanText(doc, claims);
  const raw = typeof doc.raw === "string" ? rawText(doc.raw, doc.removed || []) : null;
  const head = el("h4", { class: "text-head" }, "Text");
  if (raw) {
    raw.hidden = true;
    const toggle = (showRaw) => {
      clean.hidden = showRaw;
      raw.hidden = !showRaw;
      cleanBtn.setAttribute("aria-pressed", String(!showRaw));
      rawBtn.setAttribute("aria-pressed", String(showRaw));
    };
    const cleanBtn = el("button", { type: "button", class: "small seg", "aria-pressed": "true",
      dataset: { testid: "document-show-clean" }, onclick: () => toggle(false) }, "clean");
    const rawBtn = el("button", { type: "button", class: "small seg", "aria-pressed": "false",
      dataset: { testid: "document-show-raw" }, onclick: () => toggle(true) }, "raw");
    head.append(" ", el("span", { class: "segmented", role: "group", "aria-label": "text shown" }, cleanBtn, rawBtn));
  }
  section.appendChild(head);
  section.appendChild(el("p", { class: "hint" }, "claim sentences marked; in them ", highlightKey(),
    raw ? "; raw: the input as read, removed boilerplate greyed" : ""));
  section.appendChild(clean);
  if (raw) section.appendChild(raw);
  if (opts.onReviewed) section.appendChild(addClaim(doc, clean, opts.onReviewed));

  section.appendChild(el("h4", {}, `Claims found (${claims.length})`));
  const list = el("ol", { class: "claims", dataset: { testid: "document-claims" } });
  for (const c of claims) {
    list.appendChild(el("li", { class: c.review ? `reviewed review-${c.review}` : "", dataset: { claim: c.id, review: c.review || "" } },
      el("strong", {}, `${c.supplier || "unknown"} → ${c.recipient || "unknown"}`), " ",
      el("span", {}, c.designation || c.item || label(c.category)), " ",
      el("span", { class: "muted" }, `(${label(c.category)})`), " ", badge(c.status), " ",
      reviewBadge(c.review, c.reviewer),
      c.date ? ` ${c.date}` : "",
      (c.attribution || []).length ? [" · according to ", c.attribution.join("; ")] : "",
      c.quantity ? ` · quantity ${c.quantity}` : "",
      c.fact_id !== null && c.fact_id !== undefined
        ? [" · ", el("a", { href: `#fact=${encodeURIComponent(c.fact_id)}` }, `fact #${c.fact_id}`)] : "",
      el("div", { class: "muted small" }, `rule ${c.rule || "?"}, confidence ${fmt(c.confidence, 2)}`),
      reviewDetails(c),
      opts.onReviewed ? reviewBar(c, { onReviewed: opts.onReviewed }) : null));
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

/** The full text (title + "\n\n" + text: the space of the claims' offsets) with each claim sentence marked. */
function cleanText(doc, claims) {
  const full = fullText(doc);
  const spans = [];
  for (const c of claims) {
    let { start, end } = c;
    const okOffsets = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= full.length;
    if (!okOffsets || (c.evidence && full.slice(start, end).trim() !== String(c.evidence).trim())) {
      // offsets that do not fit the text (an older register): find the sentence instead, unmarked inside
      const at = c.evidence ? full.indexOf(String(c.evidence)) : -1;
      if (at < 0) continue;
      spans.push({ start: at, end: at + String(c.evidence).length, claim: c, inner: null });
      continue;
    }
    spans.push({ start, end, claim: c, inner: c.spans });
  }
  spans.sort((a, b) => a.start - b.start);
  const body = el("div", { class: "doc-text", dataset: { testid: "document-text" } });
  let pos = 0;
  for (const s of spans) {
    if (s.end <= pos) continue;
    const from = Math.max(pos, s.start);
    if (from > pos) body.appendChild(document.createTextNode(full.slice(pos, from)));
    const c = s.claim;
    body.appendChild(el("mark", {
      class: c.review ? `claim-span review-${c.review}` : "claim-span",
      title: `claim ${c.id}: ${c.supplier || "?"} → ${c.recipient || "?"}, ${c.status}${c.review ? ` (${c.review})` : ""}`,
      dataset: { claim: c.id },
    }, markSpans(full.slice(from, s.end), from, s.inner)));
    pos = s.end;
  }
  if (pos < full.length) body.appendChild(document.createTextNode(full.slice(pos)));
  return body;
}

/** The character offset of a point (node, offset) inside `root`, counted over its text. */
function offsetIn(root, node, offset) {
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * "Add a claim the machine missed": select a stretch of the clean text (a sentence), then
 * fill in what it says. The offsets are counted over the clean text, which is the full
 * text the claims' offsets count in.
 */
function addClaim(doc, clean, onReviewed) {
  let span = null;
  const slot = el("div", { class: "form-slot" });
  const what = el("span", { class: "muted small", dataset: { testid: "add-claim-selection" } },
    "select a sentence in the clean text to add a claim the machine missed");
  const button = el("button", { type: "button", class: "small", disabled: true, dataset: { testid: "add-claim" } }, "Add claim…");
  const track = () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount || clean.hidden) return;
    const range = sel.getRangeAt(0);
    if (!clean.contains(range.startContainer) || !clean.contains(range.endContainer)) return;
    const text = clean.textContent;
    let start = offsetIn(clean, range.startContainer, range.startOffset);
    let end = offsetIn(clean, range.endContainer, range.endOffset);
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end <= start) return;
    span = { start, end };
    const quoted = text.slice(start, end);
    what.textContent = `on “${quoted.length > 80 ? `${quoted.slice(0, 78)}…` : quoted}” [${start}–${end}]`;
    button.disabled = false;
  };
  clean.addEventListener("mouseup", track);
  clean.addEventListener("keyup", track);
  button.addEventListener("click", () => {
    if (!span || slot.firstChild) return;
    const at = { ...span };
    const form = correctForm({}, {
      add: true,
      onCancel: () => clear(slot),
      onSave: async ({ set, note }) => {
        try {
          const result = await post(`/api/documents/${encodeURIComponent(doc.id)}/claims`,
            { start: at.start, end: at.end, set, note: note && note.trim() ? note.trim() : undefined });
          showError(null);
          await onReviewed(result);
          return result;
        } catch (err) {
          showError(`adding a claim: ${err.message}`);
          return null;
        }
      },
    });
    slot.appendChild(form);
    form.querySelector("[name=supplier]").focus();
  });
  return el("div", { class: "add-claim review-bar" }, button, " ", what, slot);
}

/** The raw input with each removed stretch (offsets into raw) greyed where it was. */
function rawText(raw, removed) {
  const body = el("div", { class: "doc-text raw", dataset: { testid: "document-raw" } });
  const cuts = removed
    .filter((r) => Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 0 && r.end > r.start && r.end <= raw.length)
    .sort((a, b) => a.start - b.start);
  let pos = 0;
  for (const r of cuts) {
    if (r.end <= pos) continue;
    const from = Math.max(pos, r.start);
    if (from > pos) body.appendChild(document.createTextNode(raw.slice(pos, from)));
    body.appendChild(el("span", { class: "removed-inline", title: `removed: ${r.kind || "boilerplate"}`,
      dataset: { kind: r.kind || "" } }, raw.slice(from, r.end)));
    pos = r.end;
  }
  if (pos < raw.length) body.appendChild(document.createTextNode(raw.slice(pos)));
  return body;
}

function row(name, value) {
  if (value === null || value === undefined || value === "") return null;
  return [el("dt", {}, name), append(el("dd"), [value])];
}
