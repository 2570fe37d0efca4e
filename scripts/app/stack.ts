/**
 * The whole local stack behind the dApp, in one call (`npm run app`, and the browser tests in test/app/):
 *
 * - `hardhat node --hostname 127.0.0.1` on a free port (a child process; the wallet and the dashboard talk
 *   JSON-RPC to it as they would to any chain);
 * - the system deployed with the deploy code (scripts/deploy), the shipped model and the demo bureau approved;
 * - the credit bureau and three oracle nodes (k = 2), the real services, in this process, each on real HTTP on
 *   127.0.0.1 (scripts/demo/bureau.ts, scripts/demo/cluster.ts), talking to the node over JSON-RPC;
 * - a few borrowers seeded through the real flows (scripts/app/seed.ts);
 * - the app (app/) served by Vite on 127.0.0.1, either its dev server or a preview of the built bundle, with
 *   `config.json` (the address book and the service URLs) served beside it; the bureau, the nodes and the
 *   JSON-RPC endpoint are reached through the app's own origin (`/svc/...`, a proxy), since these services send
 *   no CORS headers.
 *
 * `stop()` undoes everything that started, in reverse order, and removes the temp dir; a failure while starting
 * stops what had already started before rethrowing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { network } from "hardhat";
import { createServer, preview, type InlineConfig, type Plugin, type PreviewServer, type ViteDevServer } from "vite";

import type { RunningBureau } from "../../bureau/src/service.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import { freePort } from "../lib/free-port.js";
import { startHardhatNode, startIndexer } from "./processes.js";
import { seedStack, type SeededStack } from "./seed.js";

const ROOT = resolve(import.meta.dirname, "../..");
export const APP_ROOT = join(ROOT, "app");

/** What the app reads at start from `config.json` beside its bundle (app/src/config.ts validates it). */
export interface AppConfig {
  /** The deployment's address book (deployments/<network>.json), inline. */
  addressBook: SeededStack["addressBook"];
  /** JSON-RPC endpoint for reads that need no wallet (the dashboard). */
  rpcUrl: string;
  bureauUrl: string;
  oracleNodeUrls: string[];
  indexerUrl?: string;
  /** Seconds between the dashboard's refreshes (a new block is looked for this often). */
  pollIntervalSec?: number;
}

export interface StackOptions {
  /** "dev": Vite's dev server (transforms on request); "preview": build app/dist, then serve it. Default "dev". */
  appMode?: "dev" | "preview";
  /** pino level of the bureau and the nodes (default "silent"). */
  logLevel?: "silent" | "info" | "debug";
  /** Progress lines (default: none). */
  say?: (line: string) => void;
  /**
   * Also run the compliance indexer (Ponder on PGlite, a child process) and point the dashboard at it
   * (`indexerUrl`); it has indexed the seeded history before this resolves. Default false.
   */
  indexer?: boolean;
}

export interface RunningStack extends SeededStack {
  rpcUrl: string;
  appUrl: string;
  bureauUrl: string;
  oracleNodeUrls: string[];
  /** The hardhat node's log file. */
  chainLog: string;
  /** With `indexer`: its URL (the dashboard reads it directly: Ponder answers CORS) and log file. */
  indexerUrl?: string;
  indexerLog?: string;
  /** What `config.json` holds. */
  appConfig: AppConfig;
  /** A Hardhat connection to the node (its unlocked accounts as signers), for tests and scripts. */
  connection: Awaited<ReturnType<typeof network.create>>;
  stop(): Promise<void>;
}

/** Serves `config.json` and proxies `/svc/<name>/…` to the local services (dev server and preview alike). */
function stackPlugin(config: AppConfig): Plugin {
  const body = JSON.stringify(config, null, 2);
  const serveConfig = (server: ViteDevServer | PreviewServer) => {
    server.middlewares.use("/config.json", (_req, res) => {
      res.setHeader("content-type", "application/json");
      res.setHeader("cache-control", "no-store");
      res.end(body);
    });
  };
  return { name: "verity-stack-config", configureServer: serveConfig, configurePreviewServer: serveConfig };
}

function proxyTable(routes: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(routes).map(([prefix, target]) => [
      prefix,
      { target, changeOrigin: true, rewrite: (path: string) => path.slice(prefix.length) || "/" },
    ]),
  );
}

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const say = options.say ?? (() => undefined);
  const logLevel = options.logLevel ?? "silent";
  const dir = mkdtempSync(join(tmpdir(), "verity-app-"));
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [
    { what: "temp dir", run: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) },
  ];
  const stop = async () => {
    const errors: string[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup.run();
      } catch (error) {
        errors.push(`${cleanup.what}: ${(error as Error).message}`);
      }
    }
    if (errors.length > 0) throw new Error(`the stack did not stop cleanly: ${errors.join("; ")}`);
  };
  try {
    const chainLog = join(dir, "hardhat-node.log");
    const chain = await startHardhatNode(await freePort(), chainLog);
    cleanups.push({ what: "hardhat node", run: () => chain.stop() });
    say(`hardhat node at ${chain.url}`);

    const connection = await network.create({ network: "localhost", override: { url: chain.url } });
    cleanups.push({ what: "hardhat connection", run: () => connection.close() });

    const services: { nodes: RunningNode[]; bureau?: RunningBureau } = { nodes: [] };
    cleanups.push({
      what: "oracle nodes",
      run: () => Promise.all(services.nodes.map((node) => node.shutdown("stack stopped"))),
    });
    cleanups.push({ what: "bureau", run: () => Promise.resolve(services.bureau?.shutdown("stack stopped")) });
    const seeded = await seedStack({
      connection,
      dir,
      logLevel,
      say,
      onServices: (started) => Object.assign(services, started),
    });
    if (services.bureau === undefined) throw new Error("the seed started no bureau");
    const bureauUrl = services.bureau.url;
    const oracleNodeUrls = services.nodes.map((node) => node.url);

    const routes: Record<string, string> = { "/svc/rpc": chain.url, "/svc/bureau": bureauUrl };
    oracleNodeUrls.forEach((url, i) => (routes[`/svc/oracle-${i}`] = url));
    let indexer: { url: string; log: string } | undefined;
    if (options.indexer === true) {
      const deploymentPath = join(dir, "localhost.json");
      writeFileSync(deploymentPath, `${JSON.stringify(seeded.addressBook, null, 2)}\n`);
      const log = join(dir, "indexer.log");
      const started = await startIndexer({
        rpcUrl: chain.url,
        deploymentPath,
        pgliteDir: join(dir, "pglite"),
        port: await freePort(),
        log,
      });
      cleanups.push({ what: "indexer", run: () => started.stop() });
      const head = Number(await connection.ethers.provider.getBlockNumber());
      const deadline = Date.now() + 120_000;
      while ((await started.indexedBlock()) < head) {
        if (Date.now() > deadline)
          throw new Error(`the indexer did not reach block ${head} within 120 s (log: ${log})`);
        await new Promise((wake) => setTimeout(wake, 250));
      }
      indexer = { url: started.url, log };
      say(`indexer at ${started.url} (indexed to block ${head})`);
    }
    const appConfig: AppConfig = {
      addressBook: seeded.addressBook,
      rpcUrl: "/svc/rpc",
      bureauUrl: "/svc/bureau",
      oracleNodeUrls: oracleNodeUrls.map((_, i) => `/svc/oracle-${i}`),
      ...(indexer === undefined ? {} : { indexerUrl: indexer.url }),
      pollIntervalSec: 1,
    };
    const appUrl = await serveApp(options.appMode ?? "dev", appConfig, routes, (close) =>
      cleanups.push({ what: "app server", run: close }),
    );
    say(`app at ${appUrl}`);
    return {
      ...seeded,
      rpcUrl: chain.url,
      appUrl,
      bureauUrl,
      oracleNodeUrls,
      chainLog,
      ...(indexer === undefined ? {} : { indexerUrl: indexer.url, indexerLog: indexer.log }),
      appConfig,
      connection,
      stop,
    };
  } catch (error) {
    await stop().catch((stopError: unknown) => {
      throw new Error(`${(error as Error).message}; and then: ${(stopError as Error).message}`, { cause: error });
    });
    throw error;
  }
}

async function serveApp(
  mode: "dev" | "preview",
  config: AppConfig,
  routes: Record<string, string>,
  onClose: (close: () => Promise<void>) => void,
): Promise<string> {
  const port = await freePort();
  const inline: InlineConfig = {
    configFile: join(APP_ROOT, "vite.config.ts"),
    root: APP_ROOT,
    logLevel: "warn",
    clearScreen: false,
    plugins: [stackPlugin(config)],
    server: { host: "127.0.0.1", port, strictPort: true, proxy: proxyTable(routes), hmr: false },
    preview: { host: "127.0.0.1", port, strictPort: true, proxy: proxyTable(routes) },
  };
  if (mode === "dev") {
    const server = await createServer(inline);
    onClose(() => server.close());
    await server.listen();
  } else {
    const { build } = await import("vite");
    // Vite picks React's development or production build by NODE_ENV, which mocha's runs set to "test": build for
    // production whatever the caller's NODE_ENV, then put it back.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await build(inline);
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    const server = await preview(inline);
    onClose(() => server.close());
  }
  return `http://127.0.0.1:${port}`;
}

/**
 * The local feeds are mocks that publish only when told; the pool refuses a price older than its maximum age (an
 * hour by default), so a stack left running would stop lending. Every `intervalMs` both feeds republish their
 * latest answer (a fresh round, same price) and the pool is poked, from the deployer's account. Returns `stop`.
 * For `npm run app` only: tests that move prices themselves should not race a keeper.
 */
export function keepPricesFresh(stack: RunningStack, intervalMs: number, onError: (error: Error) => void): () => void {
  const { priceFeed, fallbackPriceFeed, pool, wethAddress } = stack.system;
  if (priceFeed === undefined || fallbackPriceFeed === undefined) throw new Error("the stack's feeds are not mocks");
  const deployer = stack.roles.deployer;
  let running = false;
  let stopped = false;
  const refresh = async () => {
    if (running) return;
    running = true;
    try {
      for (const feed of [priceFeed, fallbackPriceFeed]) {
        const [, answer] = await feed.latestRoundData();
        await (await feed.connect(deployer).setAnswer(answer)).wait();
      }
      await (await pool.connect(deployer).pokePrice(wethAddress)).wait();
    } catch (error) {
      // A round in flight when the stack stops fails with it: not worth reporting.
      if (!stopped) onError(error as Error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void refresh(), intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
