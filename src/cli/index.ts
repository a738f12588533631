// `firebreak` (bin/firebreak.js imports this): run the CLI and exit with its code.
import { main } from "./program.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Keep-alive sockets may linger for a moment after a command; they must not hold the exit.
setTimeout(() => process.exit(code), 1_000).unref();
