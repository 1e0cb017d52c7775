// The review queue (#queue in the side panel): the unreviewed claims the API ranks first
// (lowest confidence on the facts with the fewest independent reports), one focused at a
// time with its sentence, fields and fact, the rest listed below. Keyboard: j/n next,
// k/p previous, a accept, r reject, c correct (opens the form), Esc closes the form. The
// shortcuts are ignored while typing in a field, and with Ctrl/Alt/Meta held (browser keys).
import { get } from "./api.js";
import { label } from "./colors.js";
import { clear, el, fmt, markSpans } from "./dom.js";
import { badge, highlightKey, reportsText } from "./panel.js";
import { correctForm, submitReview } from "./review.js";

const PAGE = 50;
export const SHORTCUTS = "j / n next · k / p previous · a accept · r reject · c correct · Esc closes the form";

export class Queue {
  /** opts: filters() -> the filter bar's filters, name(code) -> actor name, onReviewed(result), signedIn() */
  constructor(section, opts) {
    this.section = section;
    this.opts = opts;
    this.items = [];
    this.total = 0;
    this.offset = 0;
    this.index = 0;
    this.formOpen = false;
    this.busy = false;
  }

  get current() {
    return this.items[this.index] || null;
  }

  /** Load the queue page at this.offset and draw it, keeping the position (a reviewed claim leaves the queue). */
  async show() {
    if (!this.items.length) clear(this.section).appendChild(el("p", { class: "muted" }, "Loading…"));
    const body = await get("/api/review/queue", this.opts.filters(), { limit: PAGE, offset: this.offset });
    this.items = body.items || [];
    this.total = body.total ?? this.items.length;
    if (!this.items.length && this.offset > 0) {  // the last page emptied: step back a page
      this.offset = Math.max(0, this.offset - PAGE);
      return this.show();
    }
    this.index = Math.max(0, Math.min(this.index, this.items.length - 1));
    this.formOpen = false;
    this.draw();
  }

  async move(step) {
    if (this.busy) return;
    const to = this.index + step;
    if (to >= 0 && to < this.items.length) {
      this.index = to;
      this.formOpen = false;
      this.draw();
    } else if (to >= this.items.length && this.offset + this.items.length < this.total) {
      this.offset += this.items.length;
      this.index = 0;
      await this.show();
    } else if (to < 0 && this.offset > 0) {
      this.offset = Math.max(0, this.offset - PAGE);
      this.index = PAGE - 1;
      await this.show();
    }
  }

  async act(action, extra = {}) {
    const item = this.current;
    if (!item || this.busy) return null;
    this.busy = true;
    this.section.classList.add("busy");
    const note = this.section.querySelector("[data-testid=queue-note]");
    const values = { note: note ? note.value : "", ...extra };
    let result = null;
    try {
      result = await submitReview(item.id, action, values);
      if (result) await this.opts.onReviewed(result);  // reloads the page's data and this queue
    } finally {
      this.busy = false;
      this.section.classList.remove("busy");
    }
    return result;
  }

  openForm() {
    if (!this.current || this.formOpen) return;
    this.formOpen = true;
    this.draw();
  }

  closeForm() {
    if (!this.formOpen) return;
    this.formOpen = false;
    this.draw();
  }

  /** A keydown while the queue is shown; true when it was a queue shortcut. */
  handleKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return false;
    if (e.key === "Escape" && this.formOpen) {
      this.closeForm();
      return true;
    }
    const t = e.target;
    if (t && t.closest && t.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]")) return false;
    const run = {
      j: () => this.move(1), n: () => this.move(1), k: () => this.move(-1), p: () => this.move(-1),
      a: () => this.act("accept"), r: () => this.act("reject"), c: () => this.openForm(),
    }[e.key];
    if (!run) return false;
    run();
    return true;
  }

  draw() {
    const s = clear(this.section);
    const name = this.opts.name;
    s.appendChild(el("h3", {}, "Review queue"));
    s.appendChild(el("p", { class: "shortcuts", dataset: { testid: "queue-hint" } }, el("span", { class: "kbd-hint" }, "⌨"), " ", SHORTCUTS));
    if (!this.opts.signedIn()) {
      s.appendChild(el("p", { class: "notice" }, "Sign in with your reviewer token (top right) to save reviews."));
    }
    if (!this.items.length) {
      s.appendChild(el("p", { class: "empty", dataset: { testid: "queue-empty" } },
        "Nothing left to review under these filters."));
      return;
    }
    const item = this.current;
    const position = this.offset + this.index + 1;
    s.appendChild(el("p", { class: "hint", dataset: { testid: "queue-position" } },
      `claim ${position} of ${this.total} unreviewed (the least supported first); highlighted: `, highlightKey()));

    const fields = el("dl", { class: "claim-fields", dataset: { testid: "queue-fields" } },
      field("Supplier", item.supplier ? `${name(item.supplier)} (${item.supplier})` : "unknown", "supplier"),
      field("Recipient", item.recipient ? `${name(item.recipient)} (${item.recipient})` : "unknown", "recipient"),
      field("Category", label(item.category), "category"),
      field("Status", badge(item.status), "status"),
      field("Designation", item.designation, "designation"),
      field("Item", item.item, "item"),
      field("Quantity", item.quantity, "quantity"),
      field("Time", item.time, "time"),
      field("According to", (item.attribution || []).join("; ") || "unattributed", "attribution"),
      field("Confidence", `${fmt(item.confidence, 2)} (rule ${item.rule || "?"})`, "confidence"),
      field("Fact", item.fact_id !== null && item.fact_id !== undefined
        ? [el("a", { href: `#fact=${encodeURIComponent(item.fact_id)}` }, `#${item.fact_id}`),
          ` · ${reportsText(item.fact_n_sources)}`,
          item.fact_confidence !== undefined && item.fact_confidence !== null ? ` · confidence ${fmt(item.fact_confidence, 2)}` : ""]
        : "none", "fact"),
      field("Source", [item.publisher || "unknown publisher", " · ", item.date || "undated", " · ",
        el("a", { href: `#doc=${encodeURIComponent(item.document_id)}`, dataset: { testid: "open-document" } }, `document ${item.doc || item.document_id} ›`)], "source"));

    const note = el("input", { type: "text", class: "queue-note", placeholder: "note (optional, saved with the review)",
      dataset: { testid: "queue-note" }, "aria-label": "review note" });
    const buttons = el("div", { class: "review-bar" },
      el("button", { type: "button", class: "small ok", dataset: { testid: "queue-accept" }, onclick: () => this.act("accept") }, "Accept (a)"), " ",
      el("button", { type: "button", class: "small bad", dataset: { testid: "queue-reject" }, onclick: () => this.act("reject") }, "Reject (r)"), " ",
      el("button", { type: "button", class: "small", dataset: { testid: "queue-correct" }, onclick: () => this.openForm() }, "Correct (c)"), " ",
      el("button", { type: "button", class: "small", onclick: () => this.move(-1), title: "previous (k)" }, "‹"),
      el("button", { type: "button", class: "small", onclick: () => this.move(1), title: "next (j)" }, "›"));
    const card = el("article", { class: "queue-current", tabindex: -1, dataset: { testid: "queue-current", claim: item.id } },
      el("blockquote", { class: "sentence", dataset: { testid: "queue-sentence" } }, markSpans(item.evidence, item.start, item.spans)),
      fields, note, buttons);
    if (this.formOpen) {
      const form = correctForm(item, {
        onSave: (values) => this.act("correct", values),
        onCancel: () => this.closeForm(),
      });
      card.appendChild(form);
      queueMicrotask(() => form.querySelector("[name=status]").focus());
    }
    s.appendChild(card);

    const list = el("ol", { class: "queue-list", start: this.offset + 1, dataset: { testid: "queue-list" } });
    this.items.forEach((it, i) => {
      const li = el("li", { class: i === this.index ? "current" : "", dataset: { claim: it.id, testid: "queue-item" },
        onclick: () => { this.index = i; this.formOpen = false; this.draw(); } },
      el("span", { class: "q-pair" }, `${it.supplier || "?"} → ${it.recipient || "?"}`), " ", badge(it.status), " ",
      el("span", { class: "q-text" }, it.evidence), " ", el("span", { class: "muted small" }, fmt(it.confidence, 2)));
      list.appendChild(li);
    });
    s.appendChild(el("h4", {}, `This page (${this.items.length})`));
    s.appendChild(list);
    // the list scrolls by itself (not the panel): the focused claim stays in view above it
    const current = list.children[this.index];
    if (current) list.scrollTop = Math.max(0, current.offsetTop - list.clientHeight / 2);
  }
}

function field(name, value, key) {
  if (value === null || value === undefined || value === "") return null;
  return [el("dt", {}, name), el("dd", { dataset: { field: key } }, value)];
}
