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

/**
 * Text with some phrases highlighted: terms = [{text, cls}]. Matching is case-insensitive;
 * earlier terms win where matches overlap. Returns a DocumentFragment of text nodes and <mark>s.
 */
export function highlighted(text, terms) {
  const frag = document.createDocumentFragment();
  text = String(text ?? "");
  const lower = text.toLowerCase();
  const taken = new Array(text.length).fill(null);
  for (const term of terms) {
    const needle = String(term.text || "").trim().toLowerCase();
    if (needle.length < 2) continue;
    let from = 0;
    for (;;) {
      const at = lower.indexOf(needle, from);
      if (at < 0) break;
      from = at + needle.length;
      // whole words only when the term starts/ends with a word character
      const before = at > 0 ? lower[at - 1] : " ";
      const after = from < lower.length ? lower[from] : " ";
      if (/\w/.test(needle[0]) && /\w/.test(before)) continue;
      if (/\w/.test(needle[needle.length - 1]) && /\w/.test(after) && !/s/.test(after)) continue;
      let free = true;
      for (let i = at; i < from; i++) if (taken[i]) { free = false; break; }
      if (!free) continue;
      for (let i = at; i < from; i++) taken[i] = term.cls;
    }
  }
  let i = 0;
  while (i < text.length) {
    const cls = taken[i];
    let j = i + 1;
    while (j < text.length && taken[j] === cls) j++;
    const piece = document.createTextNode(text.slice(i, j));
    if (cls) frag.appendChild(el("mark", { class: cls }, piece));
    else frag.appendChild(piece);
    i = j;
  }
  return frag;
}

export function fmt(n, digits = 0) {
  return n === null || n === undefined ? "" : Number(n).toFixed(digits);
}
