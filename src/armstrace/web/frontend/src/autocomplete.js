// Suggestions for a text field from a lookup endpoint, through a <datalist> (the browser
// draws the list; option values and labels are plain attributes, never markup).
import { get } from "./api.js";
import { clear, el } from "./dom.js";
import { label } from "./colors.js";

export const actorOption = (a) => [a.code, a.name];
export const designationOption = (d) => [d.designation, label(d.category)];

export function autocomplete(input, list, endpoint, toOption) {
  let timer = null;
  let last = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q || q === last) return;
    timer = setTimeout(async () => {
      last = q;
      try {
        const found = await get(endpoint, null, { q, limit: 12 });
        clear(list);
        for (const item of found) {
          const [value, text] = toOption(item);
          list.appendChild(el("option", { value, label: text }));
        }
      } catch { /* ignore: the field still works as free text */ }
    }, 150);
  });
}

let lists = 0;
/** An input with its own datalist (a unique id), suggesting from `endpoint`. */
export function suggestingInput(attrs, endpoint, toOption) {
  const id = `suggest-${++lists}`;
  const list = el("datalist", { id });
  const input = el("input", { ...attrs, list: id, autocomplete: "off" });
  autocomplete(input, list, endpoint, toOption);
  return [input, list];
}
