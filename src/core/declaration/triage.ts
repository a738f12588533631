// Likely-layer suggestion (SPEC §3 step 3) for a declaration whose form says "not sure".
// A small table of signals read from the triage answers; the layer with the most weight
// wins, and the confidence says how clearly it beats the next one. Shown as a suggestion.

import type { Confidence, Layer } from "../model/domain.js";
import type { Declaration } from "./form.js";

export interface LayerSuggestion {
  layer: Layer;
  confidence: Confidence;
  /** One sentence naming the evidence. */
  reason: string;
}

interface Context {
  declaration: Declaration;
  /** Symptom, what changed and scope detail, lowercased. */
  text: string;
  /** `text` without phrases saying the conversion rate held, so they do not read as a conversion symptom. */
  textWithoutStableRate: string;
}

/** A keyword family: patterns with the word shown in the reason. */
type Keywords = readonly (readonly [RegExp, string])[];

const TRACKING: Keywords = [
  [/\bpixel\b/, "pixel"],
  [/\b(?:gtm|tag manager)\b/, "tag manager"],
  [/\btags?\b(?! ?line)/, "tag"],
  [/\b(?:ga4|google analytics)\b/, "GA4"],
  [/\b(?:capi|conversions? api|server[- ]side)\b/, "conversions API"],
  [/\bconsent\b/, "consent"],
  [/\bcookie (?:banner|consent|popup|pop-up)\b/, "cookie banner"],
  [/\bcmp\b/, "consent platform"],
  [/\b(?:events? (?:stopped|not|isn't|aren't|no longer) (?:firing|tracking|showing|coming in)|(?:stopped|not) firing|double[- ]count(?:ing|ed)?)\b/, "events not firing"],
  [/\btracking\b/, "tracking"],
  [/\battribution\b/, "attribution"],
  [/\b(?:utms?|datalayer)\b/, "UTM/dataLayer"],
  [/\b(?:discrepanc(?:y|ies)|mismatch|don'?t match|doesn'?t match)\b/, "a mismatch between sources"],
  [/\b(?:reported|platform) (?:conversions|purchases|results)\b/, "platform-reported conversions"],
];

const CONVERSION_SYMPTOMS: Keywords = [
  [/\bcheck-?out\b/, "checkout"],
  [/\b(?:add[- ]to[- ]cart|cart|basket)\b/, "cart"],
  [/\b(?:conversion rate|cvr)\b/, "conversion rate"],
  [/\bpayment (?:page|step|provider|gateway|form)\b/, "payment step"],
  [/\blanding pages?\b/, "landing page"],
  [/\b(?:page speed|slow(?:er)? pages?|load(?:ing)? time|pages? (?:load|loads) slow)/, "page speed"],
  [/\b(?:404|500|502|503|error page|site (?:is )?down|can'?t (?:buy|order|pay)|cannot (?:buy|order|pay|complete))\b/, "site errors"],
  [/\bbounce rate\b/, "bounce rate"],
];

const SITE_RELEASE: Keywords = [
  [/\b(?:release|released|deploy(?:ed|ment)?|rollout|rolled out)\b/, "release"],
  [/\btheme\b/, "theme"],
  [/\b(?:site|website|shop|store) (?:update|change|migration|relaunch)\b/, "site update"],
  [/\b(?:new version|code change|plugin|app update|went live)\b/, "site change"],
];

const SPEND_STOPPED: Keywords = [
  [/\bspend(?:ing)? (?:dropped|stopped|fell|collapsed|went to (?:zero|0)|is (?:zero|0)|at (?:zero|0))/, "spend stopped"],
  [/\b(?:not spending|no spend|zero spend|stopped spending)\b/, "spend stopped"],
  [/\b(?:stopped|not) delivering\b|\bunder-?deliver/, "not delivering"],
  [/\bno impressions\b|\bimpressions (?:dropped|fell|collapsed|stopped|went to (?:zero|0))/, "impressions stopped"],
  [/\bdelivery (?:dropped|stopped|issue|problem|error)/, "delivery stopped"],
];

const ADS_REJECTED: Keywords = [
  [/\b(?:rejected|disapproved|disapproval)\b/, "rejected ads"],
  [/\b(?:ad )?account (?:was |is |got )?(?:disabled|suspended|restricted|banned|blocked)\b/, "account restricted"],
  [/\bpolicy (?:violation|issue|review)\b|\blimited by policy\b/, "policy"],
  [/\b(?:billing|payment method|card (?:was )?declined)\b/, "billing"],
];

const STOCK: Keywords = [
  [/\b(?:stock-?outs?|out of stock|sold out|oos|backorders?)\b/, "stockout"],
  [/\binventory\b/, "inventory"],
];

const PROMOTION: Keywords = [
  [/\b(?:promotions?|promos?)\b/, "promotion"],
  [/\b(?:discounts?|coupons?|vouchers?)\b/, "discount"],
  [/\b(?:sale|offer) (?:ended|ends|expired|is over)\b/, "sale ended"],
];

const PRICING: Keywords = [
  [/\b(?:price|pricing) (?:change|changes|changed|increase|increased|update|updated)\b/, "price change"],
  [/\b(?:prices? (?:went up|were raised|rose|changed)|repricing|new prices?)\b/, "price change"],
  [/\bshipping (?:costs?|fees?|prices?|rates?)\b/, "shipping costs"],
];

const EFFICIENCY: Keywords = [
  [/\bcpa\b|\bcost per (?:acquisition|purchase|order|conversion|sale)\b/, "CPA"],
  [/\broas\b|\breturn on ad spend\b/, "ROAS"],
  [/\b(?:cac|mer|cpm|cpc)\b/, "acquisition cost"],
  [/\bmargins?\b/, "margin"],
  [/\befficiency\b/, "efficiency"],
];

const STABLE_RATE =
  /\b(?:conversion rate|cvr|cr)\s+(?:is |was |looks |remains |remained |stayed |held |seems )?(?:stable|flat|steady|unchanged|normal|fine|ok|okay|the same|not changed|holding)\b|\b(?:stable|flat|steady|unchanged|normal)\s+(?:conversion rate|cvr)\b/;

const NEGATIONS = /\b(?:no|not|without|nothing|none|never|nor)\b|n't\b/;

/**
 * The keyword of a family that appears first in the text, not negated: "no promotions"
 * and "nothing released" do not count.
 */
function mention(text: string, keywords: Keywords): string | undefined {
  let first: { at: number; word: string } | undefined;
  for (const [pattern, word] of keywords) {
    for (const m of text.matchAll(new RegExp(pattern.source, "g"))) {
      if (first && m.index >= first.at) break;
      const before = text.slice(Math.max(0, m.index - 40), m.index).split(/[.;!?\n]/).pop() ?? "";
      const lastWords = before.trim().split(/\s+/).slice(-3).join(" ");
      if (NEGATIONS.test(lastWords)) continue;
      first = { at: m.index, word };
      break;
    }
  }
  return first?.word;
}

interface Signal {
  layer: Layer;
  weight: number;
  /** The evidence as a clause, or undefined when the signal is absent. */
  read: (c: Context, hits: ReadonlyMap<string, string>) => string | undefined;
  name: string;
}

/** A signal that is present when the answers mention one of its keywords (not negated). */
function keywordSignal(name: string, layer: Layer, keywords: Keywords, say: (word: string) => string): Signal {
  return {
    name,
    layer,
    weight: 1,
    read: (c) => {
      const word = mention(c.text, keywords);
      return word ? say(word) : undefined;
    },
  };
}

/** The rules, in the order ties are broken. */
const SIGNALS: readonly Signal[] = [
  {
    name: "reporting-only",
    layer: "measurement",
    weight: 2,
    read: (c) => (c.declaration.outcomes === "reporting-only" ? "only platform reporting changed while orders and revenue did not" : undefined),
  },
  keywordSignal("tracking", "measurement", TRACKING, (word) => `the answers mention ${quote(word)}`),
  {
    name: "conversion-symptom",
    layer: "conversion",
    weight: 1,
    read: (c) => {
      const word = mention(c.textWithoutStableRate, CONVERSION_SYMPTOMS);
      return word ? `the symptom points at the ${word}` : undefined;
    },
  },
  {
    name: "after-release",
    layer: "conversion",
    weight: 1,
    // A release alone breaks tracking as often as checkout: it counts only with a conversion symptom.
    read: (c, hits) => {
      if (!hits.has("conversion-symptom")) return undefined;
      const word = mention(c.text, SITE_RELEASE);
      return word ? `it came right after a site or theme change (${quote(word)})` : undefined;
    },
  },
  keywordSignal("spend-stopped", "delivery", SPEND_STOPPED, (word) => `the answers say ${quote(word)}`),
  keywordSignal("ads-rejected", "delivery", ADS_REJECTED, (word) => `the answers mention ${quote(word)}`),
  keywordSignal("stock", "operations", STOCK, (word) => `the answers mention ${quote(word)}`),
  keywordSignal("promotion", "operations", PROMOTION, (word) => `the answers mention ${quote(word)}`),
  keywordSignal("pricing", "operations", PRICING, (word) => `the answers mention ${quote(word)}`),
  keywordSignal("efficiency", "economics", EFFICIENCY, (word) => `${word} moved`),
  {
    name: "stable-rate",
    layer: "economics",
    weight: 1,
    read: (c, hits) => (hits.has("efficiency") && STABLE_RATE.test(c.text) ? "the conversion rate held steady" : undefined),
  },
];

const LAYER_WORDS: Record<Layer, string> = {
  economics: "economics",
  measurement: "measurement",
  conversion: "conversion",
  delivery: "delivery",
  operations: "business operations",
};

function quote(word: string): string {
  return `"${word}"`;
}

function sentence(clauses: readonly string[]): string {
  const joined = clauses.length <= 1 ? (clauses[0] ?? "") : `${clauses.slice(0, -1).join(", ")}, and ${clauses.at(-1) ?? ""}`;
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

/**
 * A likely layer from the triage answers, or undefined when no rule matches. It reads the
 * evidence only, whatever `d.layer` says: callers show it when the form says "not sure".
 * Confidence: high when the winner leads the next layer by 3 or more signal weights,
 * medium by 2, low by 1 or on a tie (ties go to the earlier rule in the table).
 */
export function suggestLayer(d: Declaration): LayerSuggestion | undefined {
  // Form answers can be long; the first few thousand characters carry the evidence.
  const text = [d.symptom, d.whatChanged, d.scopeDetail]
    .filter((t): t is string => typeof t === "string")
    .map((t) => t.slice(0, 4000))
    .join("\n")
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’‘]/g, "'");
  const context: Context = {
    declaration: d,
    text,
    textWithoutStableRate: text.replace(new RegExp(STABLE_RATE.source, "g"), " "),
  };

  const hits = new Map<string, string>();
  const scores = new Map<Layer, { weight: number; clauses: string[] }>();
  for (const signal of SIGNALS) {
    const clause = signal.read(context, hits);
    if (clause === undefined) continue;
    hits.set(signal.name, clause);
    const score = scores.get(signal.layer) ?? { weight: 0, clauses: [] };
    score.weight += signal.weight;
    score.clauses.push(clause);
    scores.set(signal.layer, score);
  }
  // Map order is first-signal order, so a stable sort keeps table order on ties.
  const ranked = [...scores.entries()].sort((a, b) => b[1].weight - a[1].weight);
  const [first, second] = ranked;
  if (!first) return undefined;
  const lead = first[1].weight - (second?.[1].weight ?? 0);
  const confidence: Confidence = lead >= 3 ? "high" : lead === 2 ? "medium" : "low";
  const tie = second && lead === 0 ? `, though ${LAYER_WORDS[second[0]]} fits the answers as well` : "";
  return {
    layer: first[0],
    confidence,
    reason: `${sentence(first[1].clauses)}, which points to ${LAYER_WORDS[first[0]]}${tie}.`,
  };
}
