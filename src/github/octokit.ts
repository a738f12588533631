// The one rate-limit policy of every client Firebreak builds (App, Action, CLI, the local
// GitHub harness): primary and secondary limits are waited out and retried twice, never dropped.
// Probot does not retry secondary limits by default.
const retryTwice = (_retryAfter: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 2;

export const RATE_LIMITS = { onRateLimit: retryTwice, onSecondaryRateLimit: retryTwice } as const;
