/**
 * Starts the credit bureau: schema, key, store, routes, server. Composes only; each piece lives in its folder.
 * Refuses to start (throws, naming the reason) on a bad schema, a wrong or unreadable keystore, or a store it
 * cannot open.
 */
import type { AddressInfo } from "node:net";

import { explainingBureauPaths } from "./config/paths.js";
import type { BureauConfig } from "./config/index.js";
import { loadOperatorWallet } from "../../oracle/src/keystore/index.js";
import type { Logger } from "../../oracle/src/log/index.js";
import {
  createOracleServer,
  installGracefulShutdown,
  type OracleHttpServer,
  type Route,
  type ShutdownResult,
} from "../../oracle/src/server/index.js";
import { digestSigner } from "../../oracle/src/signing/index.js";
import { bureauRoutes } from "./http/routes.js";
import { createBureauMetrics, type BureauMetrics } from "./http/metrics.js";
import { RateLimiter } from "./release/index.js";
import { loadFeatureSchema, type FeatureSchema } from "./schema/feature-schema.js";
import { openBureauStore, type BureauStore } from "./store/index.js";

export interface RunningBureau {
  /** http://host:port of the API. */
  url: string;
  address: AddressInfo;
  providerId: string;
  /** The key that signs released files. */
  signerAddress: string;
  schema: FeatureSchema;
  store: BureauStore;
  metrics: BureauMetrics;
  server: OracleHttpServer;
  /** The routes the bureau serves (method and path as routed), e.g. to check them against its OpenAPI document. */
  routes: readonly Pick<Route, "method" | "path">[];
  /** Drains in-flight requests (config http.drainTimeoutMs), then closes the store; runs once. */
  shutdown(reason: string): Promise<ShutdownResult>;
}

export interface StartBureauOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Unix seconds (tests move the clock). */
  nowSec?: () => number;
  /** Install SIGTERM/SIGINT handlers (the CLI does; tests call `shutdown`). */
  handleSignals?: boolean;
}

export async function startBureau(config: BureauConfig, options: StartBureauOptions): Promise<RunningBureau> {
  const log = options.logger;
  const schema = await explainingBureauPaths(config, () => loadFeatureSchema(config.schema));
  const wallet = await explainingBureauPaths(config, () =>
    loadOperatorWallet(config.keystore, {
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(config.provider.signerAddress === undefined
        ? {}
        : { expectedAddress: config.provider.signerAddress, expectedAddressField: "provider.signerAddress" }),
    }),
  );
  const store = await explainingBureauPaths(config, async () => openBureauStore(config.store.path));
  try {
    const metrics = createBureauMetrics({ counts: () => store.counts(), defaultMetrics: true });
    const routes = bureauRoutes({
      policy: {
        chainId: config.chain.chainId,
        verifyingContract: config.chain.oracle,
        providerId: config.provider.id,
        maxLifetimeSec: config.consent.maxLifetimeSec,
      },
      store,
      signer: digestSigner(wallet),
      schema,
      validitySec: config.files.validitySec,
      rateLimiter: new RateLimiter(config.rateLimit.requests, config.rateLimit.windowSec),
      nowSec: options.nowSec ?? (() => Math.floor(Date.now() / 1000)),
      metrics,
      storeProblem: () => {
        try {
          store.counts();
          return {};
        } catch (error) {
          return { problem: `store: ${(error as Error).message}` };
        }
      },
    });
    const server = createOracleServer({
      routes,
      logger: log,
      metrics,
      maxBodyBytes: config.http.maxBodyBytes,
      allowedHosts: config.listen.allowedHosts,
    });
    const address = await server.listen(config.listen.port, config.listen.host);
    const { shutdown } = installGracefulShutdown({
      server,
      log,
      drainTimeoutMs: config.http.drainTimeoutMs,
      closers: [{ name: "store", close: () => store.close() }],
      ...(options.handleSignals === true ? {} : { signals: [] }),
    });
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const counts = store.counts();
    log.info(
      {
        url: `http://${host}:${address.port}`,
        providerId: config.provider.id,
        signer: wallet.address,
        schemaHash: schema.schemaHash,
        features: schema.featureNames.length,
        ...counts,
      },
      "credit bureau listening",
    );
    return {
      url: `http://${host}:${address.port}`,
      address,
      providerId: config.provider.id,
      signerAddress: wallet.address,
      schema,
      store,
      metrics,
      server,
      routes: routes.map(({ method, path }) => ({ method, path })),
      shutdown,
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
