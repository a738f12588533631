// Writes the configuration reference from the zod schema, so that neither can drift from it:
// firebreak.schema.json (for editors) and the README section between the config-reference
// markers (when the README has them). Run after `npm run build`:
//
//   node scripts/write-config-reference.mjs                # schema and README
//   node scripts/write-config-reference.mjs --schema-only  # schema only
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";
import { configJsonSchema, configReferenceMarkdown } from "../build/core/config-reference.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const START = "<!-- config-reference:start -->";
const END = "<!-- config-reference:end -->";
const say = (line) => process.stdout.write(`${line}\n`);

const schemaPath = `${root}firebreak.schema.json`;
writeFileSync(schemaPath, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
say(`wrote ${schemaPath}`);

if (!process.argv.includes("--schema-only")) {
  const readmePath = `${root}README.md`;
  const readme = existsSync(readmePath) ? readFileSync(readmePath, "utf8") : undefined;
  const start = readme?.indexOf(START) ?? -1;
  const end = readme?.indexOf(END) ?? -1;
  if (readme === undefined || start < 0 || end < start) {
    say(`README.md has no ${START} … ${END} section: left as it is`);
  } else {
    const next = `${readme.slice(0, start + START.length)}\n${configReferenceMarkdown()}\n${readme.slice(end)}`;
    if (next !== readme) writeFileSync(readmePath, next);
    say(next === readme ? "README.md configuration reference is up to date" : "updated the README.md configuration reference");
  }
}
