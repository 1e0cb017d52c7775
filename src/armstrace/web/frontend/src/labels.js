// Node labels that do not overlap: with 80 to 200 actors the names pile up into an
// unreadable heap. Labels are placed greedily, the biggest (best connected) nodes first,
// from the boxes cytoscape itself draws them in; a label that would touch one already
// placed is hidden (class label-hidden). Hovering a node shows its label; zooming in
// places them again, so more names appear as there is room.
const HIDDEN = "label-hidden";

/** The drawn box of a node's label, in model coordinates (null when it has none). */
export function labelBox(node) {
  const bb = node.boundingBox({ includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false });
  return bb && bb.w > 0 && bb.h > 0 ? bb : null;
}

const overlaps = (a, b, pad) => a.x1 < b.x2 + pad && b.x1 < a.x2 + pad && a.y1 < b.y2 + pad && b.y1 < a.y2 + pad;

/** Hide the labels that would overlap a bigger node's; `first` (a focused node) always keeps its label. */
export function placeLabels(cy, first = null) {
  const nodes = cy.nodes().filter((n) => n.visible());
  cy.nodes().removeClass(HIDDEN);  // measure every label as it would be drawn
  const pad = 2 / Math.max(cy.zoom(), 0.05);  // 2 screen px between labels
  const ranked = nodes.sort((a, b) => {
    if (first && a.id() === first) return -1;
    if (first && b.id() === first) return 1;
    return (b.data("size") - a.data("size")) || (a.id() < b.id() ? -1 : 1);
  });
  const placed = [];
  const hide = [];
  ranked.forEach((node) => {
    const box = labelBox(node);
    if (!box) return;
    // a grid would make this linear; at a few hundred labels the plain scan takes a millisecond
    if (placed.some((p) => overlaps(p, box, pad))) hide.push(node);
    else placed.push(box);
  });
  cy.collection(hide).addClass(HIDDEN);
  return { shown: placed.length, hidden: hide.length };
}

/** The style rules: hidden labels, and the label of a hovered or selected node shown anyway. */
export const labelStyle = [
  { selector: `node.${HIDDEN}`, style: { label: "" } },
  { selector: "node.show-label, node:selected", style: { label: "data(label)", "z-index": 20 } },
];
