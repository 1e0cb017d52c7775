export const CATEGORIES = ["aircraft", "drone", "missile", "air_defense", "armored_vehicle", "artillery",
  "ammunition", "small_arms", "naval", "electronics", "technology", "unspecified"];
export const STATUSES = ["delivered", "ongoing", "agreed", "planned", "considered", "sought", "offered",
  "denied", "halted"];

export const CATEGORY_COLORS = {
  aircraft: "#1f77b4", drone: "#ff7f0e", missile: "#d62728", air_defense: "#9467bd",
  armored_vehicle: "#8c564b", artillery: "#e377c2", ammunition: "#b8a300", small_arms: "#17becf",
  naval: "#2ca02c", electronics: "#393b79", technology: "#637939", unspecified: "#8a8a8a", mixed: "#4d4d4d",
};
export const STATUS_COLORS = {
  delivered: "#1a9850", ongoing: "#66bd63", agreed: "#2166ac", planned: "#67a9cf",
  considered: "#fdae61", sought: "#f46d43", offered: "#fee08b", denied: "#999999", halted: "#d73027",
};
export const KIND_COLORS = { state: "#34495e", group: "#c0392b", alliance: "#8e44ad", unknown: "#95a5a6" };

export const categoryColor = (c) => CATEGORY_COLORS[c] || "#8a8a8a";
export const statusColor = (s) => STATUS_COLORS[s] || "#bbbbbb";
export const label = (s) => String(s || "").replace(/_/g, " ");
/** Edge width in px from the number of independent sources (log scale). */
export const sourceWidth = (n) => Math.min(10, 1.2 + 1.6 * Math.log2(1 + Math.max(0, n || 0)));
