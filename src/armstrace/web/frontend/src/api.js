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

/** A fresh key for one write (`Idempotency-Key`): random, 32 hex digits. */
export function requestKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));  // (randomUUID needs https off localhost)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const RETRIES = 2;  // a write is sent again at most this often, after no answer or a 502/503/504
const RETRY_STATUS = new Set([502, 503, 504]);
const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * POST a JSON body with the reviewer token; the API's message becomes the ApiError's.
 * Every write carries an Idempotency-Key, and when the answer is lost (the connection broke,
 * a proxy gave up) it is sent again with the same key: the API stores it once, so a review is
 * neither lost nor written twice.
 */
export async function post(path, body, { key = requestKey() } = {}) {
  const headers = { Accept: "application/json", "Content-Type": "application/json", "Idempotency-Key": key };
  if (token) headers.Authorization = `Bearer ${token}`;
  for (let attempt = 0; ; attempt += 1) {
    let response = null;
    let failure = null;
    try {
      response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    } catch (err) {
      failure = err;  // no answer: the write may or may not have been stored
    }
    if (attempt < RETRIES && (failure || RETRY_STATUS.has(response.status))) {
      await pause(250 * (attempt + 1));
      continue;
    }
    if (failure) throw new ApiError(`no answer from the server (${failure.message}): check the connection and try again`);
    return check(response);
  }
}
