// The form's cost answer as a rate (SPEC §3): what the card and the postmortem multiply by the
// incident's duration.

/** A rate of money lost; the currency stays in `text`, as written. */
export interface CostRate {
  amount: number;
  per: "hour" | "day";
  text: string;
}

// A number starts where a run of digits starts: tried from inside a run, it would rescan the rest.
const NUMBER = String.raw`(?<!\d)(\d{1,3}(?:[,.'’]\d{3})+|\d+)(?:[.,](\d+))?\s*(k|thousand|tsd|m|mn|mio|million|bn)?\b`;
const PERIOD =
  /(?:\/|\bper\b|\ban?\b|\beach\b|\bevery\b)\s*(hours?|hrs?|h|days?|d|24\s*h(?:ours?|rs?)?)\b|\b(hourly|daily)\b/i;

const SCALES: Record<string, number> = { k: 1e3, thousand: 1e3, tsd: 1e3, m: 1e6, mn: 1e6, mio: 1e6, million: 1e6, bn: 1e9 };

/** A number token's value before its "k"/"million": "2,000" and "2.000" are two thousand. */
function baseOf(m: RegExpMatchArray): number {
  const whole = Number((m[1] ?? "").replace(/[,.'’]/g, ""));
  return whole + (m[2] ? Number(`0.${m[2]}`) : 0);
}

function scaleOf(m: RegExpMatchArray): number | undefined {
  return m[3] ? SCALES[m[3].toLowerCase()] : undefined;
}

/**
 * A rough cost rate: "$2,000/hour", "about 500 EUR per day", "1.5k/h", "€300 an hour",
 * "1-2k per day" (a range counts as its middle). The amount is the number nearest before
 * the first "per hour/day" phrase (or the first after it: "hourly: 1,500"); the currency
 * stays in `text`. "2.000" and "2,000" are both two thousand. Undefined without a period
 * or a positive amount.
 */
export function parseCost(text: string): CostRate | undefined {
  if (typeof text !== "string") return undefined;
  const given = text.trim();
  const t = given.slice(0, 300).normalize("NFKC");
  const period = PERIOD.exec(t);
  if (!period) return undefined;
  const unit = (period[1] ?? period[2] ?? "").toLowerCase().replace(/\s+/g, "");
  const per: "hour" | "day" = unit.startsWith("d") || unit.startsWith("24") ? "day" : "hour";

  const numbers = [...t.slice(0, period.index).matchAll(new RegExp(NUMBER, "gi"))];
  let amount: number | undefined;
  const last = numbers.at(-1);
  if (last) {
    const scale = scaleOf(last) ?? 1;
    amount = baseOf(last) * scale;
    const before = numbers.at(-2);
    // "1-2k", "1,000 – 2,000", "1k to 2k": the middle of the range; "1-2k" means 1k to 2k.
    if (before?.index !== undefined && last.index !== undefined) {
      const between = t.slice(before.index + before[0].length, last.index);
      if (/^[$€£¥]?\s*(?:-|–|—|to)\s*[$€£¥]?$/i.test(between.trim())) {
        amount = (baseOf(before) * (scaleOf(before) ?? scale) + amount) / 2;
      }
    }
  } else {
    const after = new RegExp(NUMBER, "i").exec(t.slice(period.index + period[0].length));
    if (after) amount = baseOf(after) * (scaleOf(after) ?? 1);
  }
  if (amount === undefined || !Number.isFinite(amount) || amount <= 0) return undefined;
  return { amount, per, text: given };
}
