// DOM helpers. Every string from the API is untrusted article data: it only ever becomes
// a text node (createTextNode / textContent), never markup. There is no innerHTML here.

/** el("div", {class: "x", dataset: {testid: "y"}}, "text", child, [more]) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    } else if (key === "text") {
      node.textContent = String(value);
    } else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "href") {
      const safe = safeHref(value);
      if (safe) node.setAttribute("href", safe);
    } else if (/^on/i.test(key) || key === "src" || key === "srcdoc") {
      throw new Error(`el: attribute ${key} is not allowed`);
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** A link target that is safe to follow: same-page (#...), same-origin path, or http(s). */
export function safeHref(value) {
  if (typeof value !== "string" || !value) return null;
  if (value.startsWith("#") || value.startsWith("/") && !value.startsWith("//")) return value;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** An external link (opens in a new tab, no referrer) or, for an unsafe URL, plain text. */
export function extLink(url, label) {
  const safe = safeHref(url);
  if (!safe || safe.startsWith("#") || safe.startsWith("/")) return el("span", { class: "url" }, label || url || "");
  return el("a", { href: safe, target: "_blank", rel: "noopener noreferrer nofollow", class: "url" }, label || url);
}

export const SPAN_CLASSES = { supplier: "hl-supplier", recipient: "hl-recipient", item: "hl-item" };

/**
 * The evidence sentence with the claim's supplier, recipient and item marked from the
 * offsets the extractor found (`spans`: {supplier: [start, end] | null, ...}, in the
 * document's full-text space; `base` = the sentence's own start offset there). Offsets,
 * not name matching: a demonym ("Iranian") or a second mention of a country is marked
 * only where the claim was read. Earlier kinds win where spans overlap. Returns a
 * DocumentFragment of text nodes and <mark>s.
 */
export function markSpans(text, base, spans) {
  const frag = document.createDocumentFragment();
  text = String(text ?? "");
  const taken = new Array(text.length).fill(null);
  if (spans && Number.isInteger(base)) {
    for (const [kind, cls] of Object.entries(SPAN_CLASSES)) {
      const span = spans[kind];
      if (!Array.isArray(span) || !Number.isInteger(span[0]) || !Number.isInteger(span[1])) continue;
      const from = Math.max(0, span[0] - base);
      const to = Math.min(text.length, span[1] - base);
      for (let i = from; i < to; i++) if (!taken[i]) taken[i] = cls;
    }
  }
  let i = 0;
  while (i < text.length) {
    const cls = taken[i];
    let j = i + 1;
    while (j < text.length && taken[j] === cls) j++;
    const piece = document.createTextNode(text.slice(i, j));
    frag.appendChild(cls ? el("mark", { class: cls }, piece) : piece);
    i = j;
  }
  return frag;
}

export function fmt(n, digits = 0) {
  return n === null || n === undefined ? "" : Number(n).toFixed(digits);
}
