/**
 * Three oracle operator nodes for the demo, in this process: encrypted keystores in a temp dir (scrypt N lowered
 * for speed; the password comes from an env map handed to the node, never the real environment), configs
 * validated by `parseConfig`, and `startNode` on 127.0.0.1 ephemeral ports sharing Hardhat's in-process provider.
 * Peers talk real HTTP. The nodes' clock follows the chain's (the demo fast-forwards time).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";

import { BrowserProvider, type Eip1193Provider } from "ethers";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { chainContext } from "../../oracle/src/chain/index.js";
import { parseConfig, type NodeConfig } from "../../oracle/src/config/index.js";
import { createKeystoreFile } from "../../oracle/src/keystore/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import { startNode, type RunningNode } from "../../oracle/src/node/index.js";
import { freePort } from "../lib/free-port.js";

const PASSWORD_ENV = "VERITY_DEMO_KEYSTORE_PASSWORD";

/** Creates `count` operator keystores (fresh random keys) in `dir`; returns their addresses and the password env. */
export async function createOperatorKeystores(dir: string, count: number) {
  const env = { [PASSWORD_ENV]: randomBytes(24).toString("base64url") };
  const keystores: { path: string; address: string }[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `node-${i}.keystore.json`);
    const address = await createKeystoreFile({ outPath: path, password: env[PASSWORD_ENV], scryptN: 1 << 10 });
    keystores.push({ path, address });
  }
  return { keystores, env };
}

export interface ClusterOptions {
  dir: string;
  keystores: { path: string; address: string }[];
  env: NodeJS.ProcessEnv;
  modelPath: string;
  threshold: number;
  /** EIP-1193 provider of Hardhat's in-process network. */
  provider: unknown;
  addressBook: AddressBook;
  /** The nodes' clock (unix seconds): the chain's time. */
  now: () => number;
  logLevel?: NodeConfig["logLevel"];
}

/** Starts one node per keystore; on a failure, stops the ones already started. */
export async function startCluster(options: ClusterOptions): Promise<RunningNode[]> {
  const { dir, keystores, addressBook } = options;
  const ports = await Promise.all(keystores.map(() => freePort()));
  const ids = keystores.map((_, i) => `node-${i}`);
  const configs = keystores.map((keystore, i) =>
    parseConfig(
      {
        nodeId: ids[i],
        operatorAddress: keystore.address,
        listen: { host: "127.0.0.1", port: ports[i] },
        keystore: { path: keystore.path, passwordEnv: PASSWORD_ENV },
        model: { path: options.modelPath },
        // The chain connection is handed over in-process; rpcUrl and deploymentFile are not used.
        chain: {
          rpcUrl: "http://127.0.0.1:1",
          chainId: addressBook.chainId,
          deploymentFile: join(dir, "unused.json"),
          confirmations: 0,
          pollIntervalMs: 100,
        },
        peers: ports.flatMap((port, j) =>
          j === i ? [] : [{ id: ids[j], url: `http://127.0.0.1:${port}`, address: keystores[j]!.address }],
        ),
        quorum: { threshold: options.threshold, tolerancePdBps: 5 },
        report: { validitySec: 86_400 },
        intake: { maxBodyBytes: 16_384, applicationMaxAgeSec: 900 },
        store: { path: join(dir, `${ids[i]}.sqlite`) },
        logLevel: options.logLevel ?? "silent",
      },
      `demo ${ids[i]}`,
    ),
  );
  const chain = () =>
    chainContext(
      new BrowserProvider(options.provider as Eip1193Provider, addressBook.chainId, { pollingInterval: 100 }),
      addressBook.contracts.creditScoreOracle,
      BigInt(addressBook.chainId),
      { deployedAtBlock: addressBook.deployedAtBlock, rpcTimeoutMs: 10_000 },
    );
  const started = await Promise.allSettled(
    configs.map((config) =>
      startNode(config, {
        env: options.env,
        logger: createLogger({ nodeId: config.nodeId, level: config.logLevel }),
        chain: chain(),
        addressBook,
        timing: {
          peerTimeoutMs: 3_000,
          coordinateTimeoutMs: 8_000,
          leaderTimeoutSec: 8,
          operatorSetTtlMs: 1_000,
          now: options.now,
        },
        drainTimeoutMs: 2_000,
        defaultMetrics: false,
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(nodes.map((node) => node.shutdown("cluster start failed")));
    throw new Error(`an oracle node failed to start: ${(failed.reason as Error).message}`, { cause: failed.reason });
  }
  return nodes;
}
