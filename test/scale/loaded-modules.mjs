// Preloaded into an App server by test/scale/embedded.test.ts: names every Redis library the
// server loads, on stderr, so the test can tell whether any was loaded.
import { registerHooks } from "node:module";
/* global process */

registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    const library = /\/node_modules\/(ioredis|bullmq|@sesamecare-oss\/redlock)\//.exec(resolved.url);
    if (library) process.stderr.write(`loaded redis library ${library[1]}\n`);
    return resolved;
  },
});
