// `firebreak demo`: plays the demo scenario (src/dev/demo-scenario.ts) and prints it.
import { runDemo } from "../dev/demo-scenario.js";
import type { ExitCode, Io } from "./common.js";
import { EXIT } from "./common.js";

export async function runDemoCommand(options: { out?: string }, io: Io): Promise<ExitCode> {
  // Probot's log goes to stdout and would interleave with the Markdown: silent unless asked for.
  const levels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
  const logLevel = levels.find((l) => l === io.env.LOG_LEVEL?.toLowerCase());
  const result = await runDemo({ ...options, cwd: io.cwd, ...(logLevel ? { logLevel } : {}) });
  io.out(result.markdown);
  if (result.files.length > 0) io.err(`wrote ${result.files.length} files to ${options.out}`);
  io.err(`firebreak demo: ${result.steps.length} steps in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  if (!result.ok) {
    for (const [i, s] of result.steps.entries()) if (!s.ok) io.err(`firebreak demo: step ${i + 1} (${s.title}) did not have the expected effect:\n${s.problems.map((p) => `  - ${p}`).join("\n")}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}
