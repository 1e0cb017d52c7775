// Claims per month, stacked by status (SVG). Dragging across it selects a date range.
// Long empty stretches (over a year) are collapsed into a narrow break, so a corpus with
// a few old articles does not squash the recent months into slivers.
import { STATUSES, statusColor, label } from "./colors.js";
import { clear, el, svg } from "./dom.js";

const monthIndex = (m) => {
  const [y, mo] = m.split("-").map(Number);
  return y * 12 + (mo - 1);
};
const monthName = (i) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
const MAX_GAP = 12;   // empty months shown as they are; longer runs collapse
const GAP_SLOTS = 3;  // width of a collapsed run, in months

export function renderTimeline(container, data, { onBrush }) {
  clear(container);
  const rows = (data.months || []).filter((r) => /^\d{4}-\d{2}$/.test(r.month));
  if (!rows.length) {
    container.appendChild(el("p", { class: "empty" }, "No dated claims match the filters."));
    undatedNote(container, data);
    return;
  }
  const byMonth = new Map();
  for (const r of rows) {
    const i = monthIndex(r.month);
    if (!byMonth.has(i)) byMonth.set(i, {});
    byMonth.get(i)[r.status] = (byMonth.get(i)[r.status] || 0) + r.claims;
  }
  const months = [...byMonth.keys()].sort((a, b) => a - b);
  // slots: one per month shown, or {gap: [from, to]} for a collapsed run
  const slots = [];
  const slotOf = new Map();
  const first = months[0];
  const last = months[months.length - 1];
  // pad short spans so a single month is not one huge bar
  const padTo = Math.max(0, 12 - (last - first + 1));
  const start = first - Math.floor(padTo / 2);
  const end = last + Math.ceil(padTo / 2);
  let i = start;
  while (i <= end) {
    if (byMonth.has(i) || i === start) {
      slotOf.set(i, slots.length);
      slots.push({ month: i });
      i++;
      continue;
    }
    let j = i;
    while (j <= end && !byMonth.has(j)) j++;
    if (j - i > MAX_GAP && j <= end) {
      for (let k = 0; k < GAP_SLOTS; k++) slots.push({ gap: [i, j - 1] });
    } else {
      for (let k = i; k < j; k++) {
        slotOf.set(k, slots.length);
        slots.push({ month: k });
      }
    }
    i = j;
  }
  const width = Math.max(320, container.clientWidth || 800);
  const height = 170;
  const m = { left: 34, right: 10, top: 8, bottom: 22 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const step = plotW / slots.length;
  const xs = (slot) => m.left + slot * step;
  const totals = [...byMonth.values()].map((v) => Object.values(v).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const y = (n) => m.top + plotH - (n / max) * plotH;

  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "timeline-svg", role: "img",
    "aria-label": "Claims per month by status" });
  for (const t of niceTicks(max)) {
    root.appendChild(svg("line", { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t), class: "gridline" }));
    root.appendChild(svg("text", { x: m.left - 5, y: y(t) + 3, class: "tick", "text-anchor": "end" }, String(t)));
  }
  // x labels: the first month after a break, and years (or quarters) where there is room
  let labelEnd = -Infinity;
  const labelAt = (slot, text) => {
    const x = xs(slot);
    if (x < labelEnd + 8) return;
    labelEnd = x + 2 + 6 * text.length;
    root.appendChild(svg("line", { x1: x, x2: x, y1: m.top + plotH, y2: m.top + plotH + 4, class: "axis" }));
    root.appendChild(svg("text", { x: x + 2, y: height - 6, class: "tick" }, text));
  };
  slots.forEach((s, k) => {
    if (s.gap) {
      if (slots[k - 1]?.gap) return;
      const x0 = xs(k);
      const x1 = xs(k + GAP_SLOTS);
      const mid = (x0 + x1) / 2;
      root.appendChild(svg("rect", { x: x0, y: m.top, width: x1 - x0, height: plotH, class: "gap" },
        svg("title", {}, `no dated claims ${monthName(s.gap[0])} – ${monthName(s.gap[1])}`)));
      root.appendChild(svg("path", { d: `M${mid - 4},${m.top + plotH + 6} l4,-8 l0,8 l4,-8`, class: "break" }));
      return;
    }
    const mo = s.month % 12;
    const afterGap = k === 0 || slots[k - 1].gap;
    if (afterGap) labelAt(k, mo === 0 ? String(Math.floor(s.month / 12)) : monthName(s.month));
    else if (mo === 0) labelAt(k, String(Math.floor(s.month / 12)));
    else if (step > 14 && mo % 3 === 0) labelAt(k, monthName(s.month).slice(5));
  });
  root.appendChild(svg("line", { x1: m.left, x2: width - m.right, y1: m.top + plotH, y2: m.top + plotH, class: "axis" }));

  const bars = svg("g", { class: "bars" });
  const barW = Math.max(1.5, step - Math.min(3, step * 0.2));
  for (const mi of months) {
    const counts = byMonth.get(mi);
    const x = xs(slotOf.get(mi)) + (step - barW) / 2;
    let base = 0;
    for (const s of [...STATUSES, ...Object.keys(counts).filter((k) => !STATUSES.includes(k))]) {
      const n = counts[s];
      if (!n) continue;
      bars.appendChild(svg("rect", {
        x, width: barW, y: y(base + n), height: Math.max(0.5, y(base) - y(base + n)),
        fill: statusColor(s), "data-month": monthName(mi), "data-status": s,
      }, svg("title", {}, `${monthName(mi)}: ${label(s)} ${n}`)));
      base += n;
    }
  }
  root.appendChild(bars);

  // brush: pixels -> slots -> months (a collapsed run maps to its nearer end)
  const sel = svg("rect", { class: "brush", y: m.top, height: plotH, x: 0, width: 0, visibility: "hidden" });
  const overlay = svg("rect", { class: "overlay", x: m.left, y: m.top, width: plotW, height: plotH, "data-testid": "timeline-brush" });
  root.appendChild(sel);
  root.appendChild(overlay);
  const local = (evt) => {
    const r = root.getBoundingClientRect();
    return Math.min(width - m.right, Math.max(m.left, ((evt.clientX - r.left) / r.width) * width));
  };
  const toMonth = (px, isStart) => {
    const k = Math.min(slots.length - 1, Math.max(0, Math.floor((px - m.left) / step)));
    const s = slots[k];
    const month = s.gap ? (isStart ? s.gap[1] + 1 : s.gap[0] - 1) : s.month;
    return Math.min(last, Math.max(first, month));
  };
  let from = null;
  overlay.addEventListener("pointerdown", (evt) => {
    from = local(evt);
    overlay.setPointerCapture(evt.pointerId);
    sel.setAttribute("x", from);
    sel.setAttribute("width", 0);
    sel.setAttribute("visibility", "visible");
  });
  overlay.addEventListener("pointermove", (evt) => {
    if (from === null) return;
    const now = local(evt);
    sel.setAttribute("x", Math.min(from, now));
    sel.setAttribute("width", Math.abs(now - from));
  });
  overlay.addEventListener("pointerup", (evt) => {
    if (from === null) return;
    const to = local(evt);
    const a = Math.min(from, to);
    const b = Math.max(from, to);
    from = null;
    if (b - a < 3) {
      sel.setAttribute("visibility", "hidden");
      return;
    }
    const since = toMonth(a, true);
    const until = Math.max(since, toMonth(b, false));
    onBrush(monthName(since), monthName(until));
  });

  container.appendChild(root);
  const legend = el("div", { class: "legend" });
  const present = new Set(rows.map((r) => r.status));
  for (const s of STATUSES.filter((s) => present.has(s))) {
    legend.appendChild(el("span", { class: "key" }, el("span", { class: "swatch", style: `background:${statusColor(s)}` }), label(s)));
  }
  container.appendChild(legend);
  undatedNote(container, data);
}

/** How many matching claims carry no date (neither their own nor their article's): not drawn. */
function undatedNote(container, data) {
  const n = data.undated || 0;
  if (!n) return;
  container.appendChild(el("p", { class: "hint", dataset: { testid: "timeline-undated" } },
    `${n} undated claim${n === 1 ? "" : "s"} not shown (no date in the claim or its article)`));
}

function niceTicks(max) {
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = Math.max(1, [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) || mag);
  const ticks = [];
  for (let t = 0; t <= max; t += step) ticks.push(t);
  return ticks;
}
