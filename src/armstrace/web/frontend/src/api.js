// The JSON API of `armstrace serve` (same origin). Reads are open; writes carry the
// reviewer's token (auth.js keeps it) as `Authorization: Bearer TOKEN`.
export const FILTER_KEYS = ["supplier", "recipient", "party", "category", "designation", "status", "since",
  "until", "min_sources", "text", "review"];

export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

let token = null;
/** The reviewer token sent with writes (null: none). */
export function setToken(value) {
  token = value || null;
}

export function query(filters, extra = {}) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== null && String(value).trim() !== "") params.set(key, String(value).trim());
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, String(value));
  return params.toString();
}

async function check(response) {
  if (response.ok) return response.json();
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.detail) detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
  } catch { /* not JSON */ }
  throw new ApiError(detail, response.status);
}

export async function get(path, filters = null, extra = {}, { auth = false } = {}) {
  const qs = filters ? query(filters, extra) : new URLSearchParams(extra).toString();
  const headers = { Accept: "application/json" };
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  return check(await fetch(qs ? `${path}?${qs}` : path, { headers }));
}

/** POST a JSON body with the reviewer token; the API's message becomes the ApiError's. */
export async function post(path, body) {
  const headers = { Accept: "application/json", "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return check(await fetch(path, { method: "POST", headers, body: JSON.stringify(body) }));
}
