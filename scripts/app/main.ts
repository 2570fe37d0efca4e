/**
 * `npm run app`: the whole local stack (scripts/app/stack.ts) until Ctrl-C or SIGTERM, which stop everything it
 * started. `--preview` serves the built bundle (app/dist) instead of Vite's dev server; `--indexer` also runs the
 * compliance indexer and has the dashboard read its events from it; `--log info` shows the bureau's and the
 * nodes' logs.
 */
import { Command, Option } from "commander";

import { keepPricesFresh, startStack } from "./stack.js";

const program = new Command("npm run app")
  .description(
    "Starts a local chain, deploys Verity, starts the bureau and three oracle nodes, seeds borrowers and serves the dApp",
  )
  .option("--preview", "serve the built bundle (vite build, then vite preview) instead of the dev server", false)
  .option("--indexer", "also run the compliance indexer (Ponder, PGlite) and have the dashboard read from it", false)
  .addOption(
    new Option("--log <level>", "the bureau's and the oracle nodes' log level")
      .choices(["silent", "info", "debug"])
      .default("silent"),
  )
  .parse();
const flags = program.opts<{ preview: boolean; indexer: boolean; log: "silent" | "info" | "debug" }>();

console.log("Starting the Verity local stack…");
const stack = await startStack({
  appMode: flags.preview ? "preview" : "dev",
  logLevel: flags.log,
  indexer: flags.indexer,
  say: (line) => console.log(`  ${line}`),
});
const lines = [
  "",
  `  dApp (borrower)        ${stack.appUrl}/`,
  `  supervisor dashboard   ${stack.appUrl}/supervisor`,
  `  JSON-RPC (chain 31337) ${stack.rpcUrl}   (hardhat node log: ${stack.chainLog})`,
  `  credit bureau          ${stack.bureauUrl}`,
  ...stack.oracleNodeUrls.map((url, i) => `  oracle node-${i}          ${url}`),
  ...(stack.indexerUrl === undefined
    ? []
    : [`  compliance indexer     ${stack.indexerUrl}   (log: ${stack.indexerLog})`]),
  "",
  "  Wallet: add the network (RPC above, chain id 31337) and import one of these test accounts, which the",
  "  bureau holds a credit file for (Hardhat's public test keys: never use them for anything real):",
  ...stack.dappAccounts.map((a) => `    #${a.index} ${a.address} (${a.profile} file)  key ${a.privateKey}`),
  "",
  "  Ctrl-C stops everything.",
];
console.log(lines.join("\n"));
// The mock feeds republish every 10 minutes, so lending keeps working past the pool's one-hour price age.
const stopKeeper = keepPricesFresh(stack, 10 * 60_000, (error) => console.error(`  price keeper: ${error.message}`));

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  stopKeeper();
  console.log(`\n${signal}: stopping the stack…`);
  stack.stop().then(
    () => {
      console.log("stopped.");
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`✘ ${(error as Error).message}`);
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
