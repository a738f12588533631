// How a signal's reason reads to a marketer: percentages, channel and metric names.

/** The whole store's channel name in KPI files. */
export const STORE = "all";

export const round = (x: number) => Math.round(x * 100) / 100;

/** How far a ratio is from 1, as a percentage. */
export function pct(ratio: number): string {
  return `${Math.round(Math.abs(1 - ratio) * 100)}%`;
}

/** A related series' change, signed ("+3%", "−12%"). */
export function change(r: { ratio: number } | undefined): string {
  if (!r) return "no data";
  const p = Math.round((r.ratio - 1) * 100);
  return `${p >= 0 ? "+" : "−"}${Math.abs(p)}%`;
}

export const METRIC_WORDS: Record<string, string> = {
  spend: "spend",
  clicks: "clicks",
  platform_conversions: "platform conversions",
  platform_revenue: "platform revenue",
  orders: "orders",
  cpa: "cost per conversion",
  cpc: "cost per click",
  roas: "return on ad spend",
};

/** A KPI channel as the team names it (`detection.channels`), or the store and its slices. */
export function channelWords(channels: Record<string, string>, channel: string): string {
  if (channel === STORE) return "Store";
  if (channel.startsWith("line:")) return `Product line ${channel.slice(5)}:`;
  if (channel.startsWith("market:")) return `Market ${channel.slice(7)}:`;
  return Object.hasOwn(channels, channel) ? channels[channel]! : channel;
}
