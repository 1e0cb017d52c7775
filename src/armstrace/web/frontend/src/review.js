// Reviewing one claim: the Accept / Reject / Correct buttons, the correction form, the
// review badge and the review history. Used by the evidence view, the document view and
// the review queue. Writes go through api.post (with the reviewer's token); the API's
// message (a 401, a 422 for a bad value) goes to the error bar and nothing else changes.
// Notes and values are typed by people: they are text nodes like all article data.
import { get, post } from "./api.js";
import { actorOption, designationOption, suggestingInput } from "./autocomplete.js";
import { CATEGORIES, label, STATUSES } from "./colors.js";
import { append, clear, el } from "./dom.js";
import { showError } from "./notify.js";

export const REVIEW_STATES = ["unreviewed", "accepted", "rejected", "corrected", "added"];
const MARKS = { accepted: "✓", rejected: "✗", corrected: "✎", added: "+" };
/** The fields a correction may set, in form order. */
export const FIELDS = ["supplier", "recipient", "category", "status", "designation", "attribution", "time"];

/** "✓ accepted · alice": the claim's latest review (null for an unreviewed claim). */
export function reviewBadge(review, reviewer) {
  if (!review) return null;
  return el("span", { class: `review-badge review-${review}`, dataset: { testid: "review-badge", review },
    title: `${review} by ${reviewer || "a reviewer"}` }, `${MARKS[review] || "•"} ${review}${reviewer ? ` · ${reviewer}` : ""}`);
}

/** The claim's values as the form and the API name them (evidence entries call the id `claim`). */
export function claimValues(c) {
  return {
    id: c.id ?? c.claim,
    supplier: c.supplier || "", recipient: c.recipient || "", category: c.category || "",
    status: c.status || "", designation: c.designation || "",
    attribution: Array.isArray(c.attribution) ? c.attribution.join("; ") : String(c.attribution || ""),
    time: c.time || "",
  };
}

/** POST the review; the result, or null after putting the API's message in the error bar. */
export async function submitReview(claimId, action, { set = null, note = "" } = {}) {
  const body = { action };
  if (set) body.set = set;
  if (note && note.trim()) body.note = note.trim();
  try {
    const result = await post(`/api/claims/${encodeURIComponent(claimId)}/review`, body);
    showError(null);
    return result;
  } catch (err) {
    showError(`review of claim ${claimId}: ${err.message}`);
    return null;
  }
}

/**
 * The correction form, filled with the claim's values. Only the fields changed are sent
 * (a status correction does not rewrite the supplier). onSave({set, note}) returns a
 * promise of a truthy value when saved; onCancel closes the form (also Esc).
 */
export function correctForm(claim, { onSave, onCancel, add = false }) {
  // add: a new claim on a span the machine missed; every filled field is sent
  const v = add ? { supplier: "", recipient: "", category: "", status: "", designation: "", attribution: "", time: "" }
    : claimValues(claim);
  const select = (name, options, value) => {
    const s = el("select", { name, dataset: { testid: `correct-${name}` } },
      options.map((o) => el("option", { value: o }, label(o))));
    if (value && !options.includes(value)) s.appendChild(el("option", { value }, label(value)));
    if (!value) s.insertBefore(el("option", { value: "" }, "— choose —"), s.firstChild);
    s.value = value;
    return s;
  };
  const [supplier, supplierList] = suggestingInput({ name: "supplier", value: v.supplier, size: 14,
    placeholder: "code or name", dataset: { testid: "correct-supplier" } }, "/api/lookup/actors", actorOption);
  const [recipient, recipientList] = suggestingInput({ name: "recipient", value: v.recipient, size: 14,
    placeholder: "code or name", dataset: { testid: "correct-recipient" } }, "/api/lookup/actors", actorOption);
  const [designation, designationList] = suggestingInput({ name: "designation", value: v.designation, size: 14,
    dataset: { testid: "correct-designation" } }, "/api/lookup/designations", designationOption);
  const inputs = {
    supplier, recipient, designation,
    category: select("category", CATEGORIES, v.category),
    status: select("status", STATUSES, v.status),
    attribution: el("input", { name: "attribution", value: v.attribution, size: 22, placeholder: "a; b",
      dataset: { testid: "correct-attribution" } }),
    time: el("input", { name: "time", value: v.time, size: 12, placeholder: "e.g. 2024-05",
      dataset: { testid: "correct-time" } }),
  };
  const note = el("textarea", { name: "note", rows: 2, placeholder: "note (why)", dataset: { testid: "correct-note" } });
  const message = el("p", { class: "form-message", role: "status" });
  const save = el("button", { type: "submit", class: "primary small", dataset: { testid: "correct-save" } },
    add ? "Add claim" : "Save correction");
  const form = el("form", { class: "correct-form", dataset: { testid: "correct-form" }, autocomplete: "off" },
    el("div", { class: "correct-grid" }, FIELDS.map((f) => el("label", {}, label(f), inputs[f]))),
    el("label", { class: "note" }, "Note", note),
    supplierList, recipientList, designationList, message,
    el("div", { class: "form-buttons" }, save, " ",
      el("button", { type: "button", class: "small", dataset: { testid: "correct-cancel" }, onclick: () => onCancel() }, "Cancel"),
      el("span", { class: "hint" }, " Esc closes")));
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();  // the panel stays open: Esc closes only the form
      e.stopPropagation();
      onCancel();
    }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const set = {};
    for (const f of FIELDS) {
      const value = inputs[f].value.trim();
      if (value === String(v[f] || "").trim()) continue;
      // the API's types: attribution a list of names, an unnamed party null
      if (f === "attribution") set[f] = value.split(";").map((s) => s.trim()).filter(Boolean);
      else if ((f === "supplier" || f === "recipient") && (value === "" || value.toLowerCase() === "unknown")) set[f] = null;
      else set[f] = value;
    }
    if (add && (!set.category || !set.status)) {
      message.textContent = "An added claim needs a category and a status.";
      return;
    }
    if (!Object.keys(set).length) {
      message.textContent = "Nothing changed: edit a field, or use Accept.";
      return;
    }
    message.textContent = "Saving…";
    save.disabled = true;
    const ok = await onSave({ set, note: note.value });
    save.disabled = false;
    message.textContent = ok ? "" : "Not saved (see the message above).";
  });
  return form;
}

/**
 * The review controls of one claim: Accept, Reject, Correct… (opens the form below them).
 * onReviewed(result) runs after a successful write (the caller reloads its data).
 */
export function reviewBar(claim, { onReviewed }) {
  const id = claim.id ?? claim.claim;
  const box = el("div", { class: "review-bar", dataset: { testid: "review-bar", claim: id } });
  const slot = el("div", { class: "form-slot" });
  const act = async (action, extra) => {
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    const result = await submitReview(id, action, extra);
    for (const b of box.querySelectorAll("button")) b.disabled = false;
    if (result) await onReviewed(result);
    return result;
  };
  const openForm = () => {
    if (slot.firstChild) return;
    const form = correctForm(claim, {
      onSave: (values) => act("correct", values),
      onCancel: () => clear(slot),
    });
    slot.appendChild(form);
    form.querySelector("[name=status]").focus();
  };
  append(box, [
    el("button", { type: "button", class: "small ok", dataset: { testid: "review-accept" }, onclick: () => act("accept") }, "Accept"), " ",
    el("button", { type: "button", class: "small bad", dataset: { testid: "review-reject" }, onclick: () => act("reject") }, "Reject"), " ",
    el("button", { type: "button", class: "small", dataset: { testid: "review-correct" }, onclick: openForm }, "Correct…"), " ",
    claim.review ? historyToggle(id) : null,
    slot]);
  return box;
}

const showValues = (values) => Object.entries(values || {})
  .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join("; ") : v ?? "—"}`).join(", ");

/** "history": the claim's reviews, newest first, loaded on demand. */
function historyToggle(claimId) {
  const list = el("ol", { class: "review-history", dataset: { testid: "review-history" }, hidden: true });
  const button = el("button", { type: "button", class: "small link", dataset: { testid: "review-history-toggle" } }, "history");
  button.addEventListener("click", async () => {
    if (!list.hidden) { list.hidden = true; return; }
    clear(list).appendChild(el("li", { class: "muted" }, "Loading…"));
    list.hidden = false;
    try {
      const body = await get("/api/reviews", null, { claim_id: claimId, limit: 50 });
      clear(list);
      for (const r of body.items || []) {
        list.appendChild(el("li", {},
          el("strong", {}, r.action), ` by ${r.reviewer || "?"}`,
          r.created_at ? el("span", { class: "muted" }, ` ${String(r.created_at).slice(0, 16).replace("T", " ")}`) : null,
          r.values && Object.keys(r.values).length ? el("div", { class: "small" }, showValues(r.values)) : null,
          r.note ? el("div", { class: "review-note" }, r.note) : null));
      }
      if (!list.firstChild) list.appendChild(el("li", { class: "empty" }, "No reviews."));
    } catch (err) {
      clear(list).appendChild(el("li", { class: "error" }, err.message));
    }
  });
  return [button, list];
}

/** The claim's review note and, for a correction, what the machine had read. */
export function reviewDetails(c) {
  const parts = [];
  if (c.review_note) parts.push(el("div", { class: "review-note", dataset: { testid: "review-note" } }, c.review_note));
  if (c.machine && c.review === "corrected") {
    const changed = Object.entries(c.machine).filter(([k, v]) => {
      const now = c[k];
      return JSON.stringify(Array.isArray(v) ? v : v ?? null) !== JSON.stringify(Array.isArray(now) ? now : now ?? null)
        && now !== undefined;
    });
    if (changed.length) parts.push(el("div", { class: "muted small machine" }, `machine read: ${showValues(Object.fromEntries(changed))}`));
  }
  return parts;
}
