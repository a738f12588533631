// A webhook with a bad signature is rejected (400) by Probot's middleware, which then logs it
// twice — the error with its stack and the whole payload, and again as an AggregateError: ~60
// lines per request, easy to flood. Firebreak logs one line per rejected delivery instead.
import type { Logger } from "probot";

const SIGNATURE = /signature does not match|x-hub-signature/i;

function errorOf(args: readonly unknown[]): Error | undefined {
  const first = args[0];
  if (first instanceof Error) return first;
  if (typeof first === "object" && first !== null && (first as { err?: unknown }).err instanceof Error) return (first as { err: Error }).err;
  return undefined;
}

/**
 * Patches `log.error` (children created from it later inherit the patch, as pino children do):
 * a signature error becomes one line naming the delivery and the fix; everything else is logged
 * as before.
 */
export function oneLinePerBadSignature(log: Logger): void {
  const original = log.error;
  const patched = function (this: Logger, ...args: unknown[]): void {
    const error = errorOf(args);
    if (error && SIGNATURE.test(error.message)) {
      // The same rejection again, wrapped by the middleware: already logged.
      if (error instanceof AggregateError) return;
      const event = (error as { event?: { id?: string; name?: string } }).event;
      (original as (this: Logger, msg: string) => void).call(
        this,
        `webhook rejected: invalid signature (delivery ${event?.id ?? "unknown"}, event ${event?.name ?? "unknown"}) — WEBHOOK_SECRET must equal the App's webhook secret`,
      );
      return;
    }
    (original as (this: Logger, ...a: unknown[]) => void).apply(this, args);
  };
  log.error = patched as unknown as Logger["error"];
}
