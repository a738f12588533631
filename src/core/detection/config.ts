// The `detection:` block of .github/firebreak.yml (SPEC §14): where the KPI series come from and
// how the engine reads them.
import { z } from "zod";
import { SEVERITIES } from "../model/domain.js";

const source = z.union([
  z.strictObject({ path: z.string().trim().min(1).max(500).describe("a file on the default branch") }),
  z.strictObject({
    url: z
      .url({ protocol: /^https$/, error: "an https:// URL" })
      .max(2000)
      .describe("an HTTPS URL"),
    auth_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]{0,99}$/, "an environment variable name such as FIREBREAK_KPI_SHEET")
      .optional()
      .describe('an environment variable holding one "Header-Name: value" sent with the request'),
  }),
]);

/** A valid IANA zone: `Intl` throws a RangeError on an unknown one. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const SENSITIVITIES = ["low", "normal", "high"] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const detectionSchema = z.object({
  sources: z.array(source).max(20).default([]).describe("KPI files on the default branch (path) or HTTPS URLs (url, optional auth_env)"),
  timezone: z
    .string()
    .max(100)
    .refine(isTimeZone, "an IANA time zone such as Europe/Berlin")
    .default("UTC")
    .describe("IANA time zone of the hour-of-week and weekday baselines (DST-safe); also how timestamps without an offset are read"),
  lag_hours: z.number().int().min(0).max(72).default(3).describe("the newest hours are provisional (platform reporting lag) and not judged"),
  min_history_days: z.number().int().min(7).max(365).default(14).describe("a series needs this much history before it can raise a signal"),
  sensitivity: z.enum(SENSITIVITIES).default("normal").describe("low: fewer, larger breaks · normal · high: smaller, shorter breaks"),
  severity: z
    .literal(SEVERITIES)
    .default(2)
    .describe("severity of the incidents detection opens"),
  channels: z
    .record(z.string().trim().min(1).max(100), z.string().trim().min(1).max(100))
    .default({ meta: "Meta", google: "Google", tiktok: "TikTok", email: "Email/SMS" })
    .describe("KPI channel -> the incident form's scope option"),
});

export type DetectionConfig = z.output<typeof detectionSchema>;
