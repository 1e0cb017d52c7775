// Reviewer sign-in (header): the analyst pastes the token `armstrace users add NAME` printed.
// It is checked with GET /api/whoami, kept in localStorage (a reload keeps the sign-in) and
// sent with every write. The reviewer's name always comes from the server, never the page.
import { ApiError, get, setToken } from "./api.js";
import { clear, el } from "./dom.js";
import { showError } from "./notify.js";

const KEY = "armstrace.reviewerToken";

export class Auth {
  constructor(box, { onChange } = {}) {
    this.box = box;
    this.onChange = onChange || (() => {});
    this.reviewer = null;
    this.open = false;
  }

  /** Restore a stored token (if the server still knows it). */
  async start() {
    let stored = null;
    try { stored = localStorage.getItem(KEY); } catch { /* storage blocked: sign in each visit */ }
    if (stored) await this.signIn(stored, { quiet: true });
    else this.draw();
  }

  async signIn(token, { quiet = false } = {}) {
    token = String(token || "").trim();
    if (!token) return;
    try {
      setToken(token);
      const me = await get("/api/whoami", null, {}, { auth: true });
      this.reviewer = me.reviewer || "?";
      this.open = false;
      try { localStorage.setItem(KEY, token); } catch { /* kept for this page only */ }
      showError(null);
    } catch (err) {
      setToken(null);
      this.reviewer = null;
      // a stored token the server no longer accepts is dropped; any other failure keeps it
      if (err instanceof ApiError && err.status === 401) {
        try { localStorage.removeItem(KEY); } catch { /* nothing stored */ }
      }
      if (!quiet || err.status !== 401) showError(`sign-in: ${err.message}`);
    }
    this.draw();
    this.onChange(this.reviewer);
  }

  signOut() {
    setToken(null);
    this.reviewer = null;
    try { localStorage.removeItem(KEY); } catch { /* nothing stored */ }
    this.draw();
    this.onChange(null);
  }

  draw() {
    const box = clear(this.box);
    if (this.reviewer) {
      box.append(el("span", { class: "who", dataset: { testid: "signed-in" } }, `signed in as ${this.reviewer}`), " ",
        el("button", { type: "button", class: "small", dataset: { testid: "sign-out" }, onclick: () => this.signOut() }, "Sign out"));
      return;
    }
    if (!this.open) {
      box.append(el("button", { type: "button", class: "small", dataset: { testid: "sign-in" },
        onclick: () => { this.open = true; this.draw(); box.querySelector("input").focus(); } }, "Reviewer sign-in"));
      return;
    }
    const input = el("input", { type: "password", name: "token", placeholder: "paste your reviewer token", size: 22,
      autocomplete: "off", dataset: { testid: "token-input" }, "aria-label": "reviewer token" });
    const form = el("form", { class: "signin-form", onsubmit: (e) => { e.preventDefault(); this.signIn(input.value); } },
      input, " ", el("button", { type: "submit", class: "small", dataset: { testid: "token-submit" } }, "Sign in"), " ",
      el("button", { type: "button", class: "small", onclick: () => { this.open = false; this.draw(); } }, "Cancel"));
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); this.open = false; this.draw(); }
    });
    box.append(form);
  }
}
