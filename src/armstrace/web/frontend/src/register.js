// The register table: facts, sortable by a click on a header, filtered by a text box.
import { categoryColor, label, statusColor } from "./colors.js";
import { clear, el, fmt } from "./dom.js";

const COLUMNS = [
  { key: "supplier", label: "Supplier", get: (f) => f.supplier_name || f.supplier || "unknown" },
  { key: "recipient", label: "Recipient", get: (f) => f.recipient_name || f.recipient || "unknown" },
  { key: "category", label: "Category", get: (f) => label(f.category) },
  { key: "designation", label: "Designation", get: (f) => f.designation || "" },
  { key: "status", label: "Status", get: (f) => f.status || "" },
  { key: "first_date", label: "First", get: (f) => f.first_date || "" },
  { key: "last_date", label: "Last", get: (f) => f.last_date || "" },
  { key: "n_claims", label: "Claims", get: (f) => f.n_claims, num: true },
  { key: "n_documents", label: "Docs", get: (f) => f.n_documents, num: true },
  // independent reports: distinct original publishers (copies and reprints not counted)
  { key: "n_sources", label: "Reports", get: (f) => f.n_sources, num: true, title: "independent reports" },
  { key: "n_reviewed", label: "Reviewed", get: (f) => f.n_reviewed ?? 0, num: true, title: "claims a person reviewed",
    show: (v) => (v ? `✓ ${v}` : "") },
  { key: "confidence", label: "Conf.", get: (f) => f.confidence, num: true, show: (v) => fmt(v, 2) },
];

export class Register {
  constructor(table, filterBox, countEl, { onFact }) {
    this.table = table;
    this.filterBox = filterBox;
    this.countEl = countEl;
    this.onFact = onFact;
    this.facts = [];
    this.sort = { key: null, dir: 1 };
    this.more = false;
    filterBox.addEventListener("input", () => this.draw());
    this.head();
  }

  head() {
    const thead = this.table.tHead;
    clear(thead);
    const tr = el("tr");
    for (const col of COLUMNS) {
      const active = this.sort.key === col.key;
      const th = el("th", {
        scope: "col", class: col.num ? "num sortable" : "sortable", tabindex: 0, "data-key": col.key, title: col.title,
        "aria-sort": active ? (this.sort.dir > 0 ? "ascending" : "descending") : "none",
        dataset: { testid: `sort-${col.key}` },
      }, col.label, active ? (this.sort.dir > 0 ? " ▲" : " ▼") : "");
      const toggle = () => {
        this.sort = { key: col.key, dir: active ? -this.sort.dir : col.num ? -1 : 1 };
        this.head();
        this.draw();
      };
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
      tr.appendChild(th);
    }
    thead.appendChild(tr);
  }

  set(facts, more) {
    this.facts = facts;
    this.more = more;
    this.draw();
  }

  draw() {
    const needle = this.filterBox.value.trim().toLowerCase();
    let rows = this.facts;
    if (needle) {
      rows = rows.filter((f) => COLUMNS.map((c) => String(c.get(f) ?? "")).concat([f.supplier || "", f.recipient || "",
        ...(f.sources || []), ...(f.cited || [])]).join(" \u0000").toLowerCase().includes(needle));
    }
    if (this.sort.key) {
      const col = COLUMNS.find((c) => c.key === this.sort.key);
      const dir = this.sort.dir;
      rows = [...rows].sort((a, b) => {
        const va = col.get(a);
        const vb = col.get(b);
        if (col.num) return dir * ((va ?? -Infinity) - (vb ?? -Infinity));
        if (!va && vb) return 1;  // empty last
        if (va && !vb) return -1;
        return dir * String(va).localeCompare(String(vb));
      });
    }
    const tbody = this.table.tBodies[0];
    clear(tbody);
    for (const f of rows) {
      const tr = el("tr", { tabindex: 0, class: f.n_reviewed ? "reviewed" : null,
        dataset: { factId: f.id, testid: "register-row", reviewed: f.n_reviewed ?? 0 } });
      for (const col of COLUMNS) {
        const value = col.get(f);
        const td = el("td", { class: col.num ? "num" : "" });
        if (col.key === "category") td.appendChild(el("span", { class: "swatch", style: `background:${categoryColor(f.category)}` }));
        if (col.key === "status") {
          td.appendChild(el("span", { class: "badge", style: `border-color:${statusColor(value)}` }, value));
        } else {
          td.appendChild(document.createTextNode(col.show ? col.show(value) : String(value ?? "")));
        }
        tr.appendChild(td);
      }
      tr.addEventListener("click", () => this.onFact(f.id));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") this.onFact(f.id); });
      tbody.appendChild(tr);
    }
    if (!rows.length) {
      tbody.appendChild(el("tr", {}, el("td", { colspan: COLUMNS.length, class: "empty" }, "No facts match.")));
    }
    const shown = rows.length === this.facts.length ? `${rows.length}` : `${rows.length} of ${this.facts.length}`;
    this.countEl.textContent = `${shown} fact${this.facts.length === 1 ? "" : "s"}${this.more ? " loaded (more available)" : ""}`;
  }
}
