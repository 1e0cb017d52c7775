// The JSON API of `armstrace serve` (same origin).
export const FILTER_KEYS = ["supplier", "recipient", "party", "category", "designation", "status", "since",
  "until", "min_sources", "text"];

export class ApiError extends Error {}

export function query(filters, extra = {}) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== null && String(value).trim() !== "") params.set(key, String(value).trim());
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, String(value));
  return params.toString();
}

export async function get(path, filters = null, extra = {}) {
  const qs = filters ? query(filters, extra) : new URLSearchParams(extra).toString();
  const response = await fetch(qs ? `${path}?${qs}` : path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && body.detail) detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    } catch { /* not JSON */ }
    throw new ApiError(detail);
  }
  return response.json();
}
