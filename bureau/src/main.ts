/**
 * `npm run bureau -- --config <file>` (serve) and `npm run bureau -- import …`; see `cli.ts`.
 * Exit codes: 0 after a clean shutdown or import, 1 when the bureau refuses to start or an import is refused.
 */
import { runCli } from "./cli.js";

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
});
if (code !== 0) process.exitCode = code;
