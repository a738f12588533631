// Hourly KPI exports for the detection tests: a few weeks of steady ad channels and a store
// with a daily rhythm and a little deterministic noise, then breaks where a test wants them.

export interface Break {
  channel: string;
  metric: string;
  /** The first broken hour. */
  from: string;
  /** The first hour back to normal (absent: it lasts). */
  to?: string;
  /** Multiplier on the normal value while broken. */
  factor: number;
}

const CHANNELS: Record<string, { spend: number; impressions: number; clicks: number; platform_conversions: number }> = {
  meta: { spend: 420, impressions: 52000, clicks: 900, platform_conversions: 14 },
  meta_rt: { spend: 140, impressions: 12000, clicks: 260, platform_conversions: 6 },
  google: { spend: 380, impressions: 24000, clicks: 1040, platform_conversions: 19 },
};

/** A day's shape: quiet at night, busy in the evening. */
function rhythm(hour: number): number {
  return 0.55 + 0.45 * Math.sin(((hour - 8) / 24) * 2 * Math.PI) + 0.2;
}

/** Deterministic noise in ±3%. */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return 1 + ((x - Math.floor(x)) - 0.5) * 0.06;
}

/**
 * `days` days of hourly rows ending at `end` (exclusive), wide layout, for the given channels
 * and the whole store (`all`), with `breaks` applied.
 */
export function hourlyKpi(opts: { end: string; days?: number; channels?: string[]; breaks?: Break[] }): string {
  const days = opts.days ?? 28;
  const channels = opts.channels ?? ["meta", "google"];
  const end = Date.parse(opts.end);
  const hours = days * 24;
  const rows = ["timestamp,channel,spend,impressions,clicks,platform_conversions,sessions,checkout_starts,orders,revenue"];
  for (let h = 0; h < hours; h++) {
    const t = end - (hours - h) * 3_600_000;
    const shape = rhythm(new Date(t).getUTCHours());
    const factor = (channel: string, metric: string) =>
      (opts.breaks ?? [])
        .filter((b) => b.channel === channel && b.metric === metric && t >= Date.parse(b.from) && (b.to === undefined || t < Date.parse(b.to)))
        .reduce((f, b) => f * b.factor, 1);
    const at = new Date(t).toISOString().replace(".000Z", "Z");
    channels.forEach((channel, c) => {
      const base = CHANNELS[channel]!;
      const v = (metric: keyof typeof base, k: number) => (base[metric] * shape * noise(h * 31 + c * 7 + k) * factor(channel, metric)).toFixed(2);
      rows.push(`${at},${channel},${v("spend", 1)},${v("impressions", 2)},${v("clicks", 3)},${v("platform_conversions", 4)},,,,`);
    });
    const store = (base: number, k: number, metric: string) => (base * shape * noise(h * 17 + k) * factor("all", metric)).toFixed(2);
    rows.push(`${at},all,,,,,${store(2300, 1, "sessions")},${store(140, 2, "checkout_starts")},${store(52, 3, "orders")},${store(4700, 4, "revenue")}`);
  }
  return `${rows.join("\n")}\n`;
}
