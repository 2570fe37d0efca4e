/**
 * A deployed Verity system on Hardhat's in-process network, with three operators (threshold 2) whose keys the
 * nodes load from encrypted keystores, and helpers to start in-process nodes on 127.0.0.1 ephemeral ports.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { BrowserProvider, HDNodeWallet, type Eip1193Provider } from "ethers";
import { network } from "hardhat";
import onnxProto from "onnx-proto";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { buildAddressBook } from "../../scripts/deploy/address-book.js";
import { freePort } from "../../scripts/lib/free-port.js";
import {
  approveDataProviders,
  approveModel,
  deploySystem,
  shippedFeatureNames,
  shippedModel,
} from "../../scripts/deploy/deploy-system.js";
import { attestedApplicationBody, type ApplicationOptions } from "../../scripts/lib/attested-application.js";
import { GOOD_FEATURES } from "../../scripts/lib/sample-applicant.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { chainContext, type ChainContext } from "../../oracle/src/chain/index.js";
import { parseConfig, type NodeConfig } from "../../oracle/src/config/index.js";
import { createKeystoreFile } from "../../oracle/src/keystore/index.js";
import { createLogger } from "../../oracle/src/log/index.js";
import { startNode, type RunningNode, type StartNodeOptions } from "../../oracle/src/node/index.js";

const { onnx } = onnxProto;

export const MODEL_PATH = fileURLToPath(new URL("../../oracle/model/credit-model.onnx", import.meta.url));
/** The model's validation report: its sha256 is what the chain records with the model. */
export const MODEL_CARD_PATH = fileURLToPath(new URL("../../oracle/model/MODEL_CARD.json", import.meta.url));
const MNEMONIC = "test test test test test test test test test test test junk";
/** Hardhat's funded default accounts 10..12: the operators. */
export const operatorWallet = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${10 + i}`);
export const PASSWORD_ENV = "VERITY_TEST_KEYSTORE_PASSWORD";
export const TEST_ENV = { [PASSWORD_ENV]: "correct horse battery staple" };

export { GOOD_FEATURES };

export async function deployChain(options: { approve?: boolean; operators?: number; threshold?: number } = {}) {
  // Blocks may share a timestamp, as on a live chain: by default the simulated chain stamps each block at least a
  // second after its parent, so a burst of transactions (the deployment) pushes its clock ahead of real time, and
  // a node measuring its clock against the chain's (/health) would read itself as behind.
  const connection = await network.create({ override: { allowBlocksWithSameTimestamp: true } });
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const [deployer, governance, regulator, guardian, attester] = signers;
  const roles = {
    deployer: deployer!,
    governance: governance!,
    regulator: regulator!,
    guardian: guardian!,
    attester: attester!,
  };
  const operators = Array.from({ length: options.operators ?? 3 }, (_, i) => operatorWallet(i));
  const system = await deploySystem(ethers, roles, {
    ...defaultParameters,
    oracle: { operators: operators.map((o) => o.address), threshold: options.threshold ?? 2 },
  });
  const model = await shippedModel(MODEL_PATH, MODEL_CARD_PATH);
  if (options.approve !== false) await approveModel(system.oracle, roles.regulator, model);
  await approveDataProviders(
    system.oracle,
    roles.regulator,
    defaultParameters.dataProviders,
    await shippedFeatureNames(MODEL_CARD_PATH),
  );
  const oracleAddress = await system.oracle.getAddress();
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const addressBook: AddressBook = await buildAddressBook("in-process", {
    chainId,
    system,
    roles,
    model,
    modelApproved: options.approve !== false,
  });
  /**
   * The nodes' view: a plain ethers provider over the in-process EIP-1193 provider (ethers' own error codes),
   * without ethers' response cache, as `connectChain` builds it.
   * With an `outage` switch, every RPC call hangs while `outage.down` (as a dead RPC behind a firewall does).
   */
  const chain = (rpcTimeoutMs = 10_000, outage?: RpcOutage): ChainContext =>
    chainContext(
      new BrowserProvider(withOutage(connection.provider as unknown as Eip1193Provider, outage), Number(chainId), {
        pollingInterval: 100,
        cacheTimeout: -1,
      }),
      oracleAddress,
      chainId,
      {
        deployedAtBlock: system.deployedAtBlock,
        rpcTimeoutMs,
      },
    );
  return { connection, ethers, signers, roles, system, operators, model, oracleAddress, chainId, addressBook, chain };
}

export type ChainFixture = Awaited<ReturnType<typeof deployChain>>;

/**
 * A simulated RPC outage: while down, every call hangs (as a dead RPC behind a firewall does); `end()` fails the
 * hung calls at once, so a provider that shares one pending call among its callers recovers without waiting.
 */
export class RpcOutage {
  private readonly hung = new Set<(error: Error) => void>();
  down = false;
  /** JSON-RPC requests made while down (each hangs until the caller's timeout or the outage's end). */
  requestsWhileDown = 0;

  begin(): void {
    this.down = true;
  }

  end(): void {
    this.down = false;
    for (const fail of this.hung) fail(new Error("simulated RPC outage"));
    this.hung.clear();
  }

  hang(): Promise<never> {
    this.requestsWhileDown += 1;
    return new Promise((_, reject) => this.hung.add(reject));
  }
}

function withOutage(provider: Eip1193Provider, outage: RpcOutage | undefined): Eip1193Provider {
  if (outage === undefined) return provider;
  return { request: (args) => (outage.down ? outage.hang() : provider.request(args)) };
}

/** Writes keystores and configs for `count` operator nodes in `dir` (scrypt N lowered for test speed). */
export async function clusterConfigs(
  dir: string,
  fixture: ChainFixture,
  count = 3,
  overrides: Partial<NodeConfig> = {},
): Promise<NodeConfig[]> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const ids = ports.map((_, i) => `node-${i}`);
  const configs: NodeConfig[] = [];
  for (let i = 0; i < count; i++) {
    const wallet = fixture.operators[i]!;
    const keystorePath = join(dir, `${ids[i]}.keystore.json`);
    await createKeystoreFile({
      outPath: keystorePath,
      password: TEST_ENV[PASSWORD_ENV],
      privateKey: wallet.privateKey,
      scryptN: 16,
    });
    configs.push(
      parseConfig({
        nodeId: ids[i],
        operatorAddress: wallet.address,
        listen: { host: "127.0.0.1", port: ports[i] },
        keystore: { path: keystorePath, passwordEnv: PASSWORD_ENV },
        model: { path: MODEL_PATH },
        chain: {
          rpcUrl: "http://127.0.0.1:1",
          chainId: Number(fixture.chainId),
          deploymentFile: join(dir, "unused.json"),
          confirmations: 0,
          pollIntervalMs: 150,
        },
        peers: ports.flatMap((port, j) =>
          j === i ? [] : [{ id: ids[j], url: `http://127.0.0.1:${port}`, address: fixture.operators[j]!.address }],
        ),
        quorum: { threshold: 2, tolerancePdBps: 5 },
        report: { validitySec: 86_400 },
        intake: { maxBodyBytes: 16_384, applicationMaxAgeSec: 900 },
        store: { path: join(dir, `${ids[i]}.sqlite`) },
        logLevel: "silent",
        ...overrides,
      }),
    );
  }
  return configs;
}

export function startTestNode(
  config: NodeConfig,
  fixture: ChainFixture,
  options: StartNodeOptions = {},
): Promise<RunningNode> {
  return startNode(config, {
    env: TEST_ENV,
    logger: createLogger({
      nodeId: config.nodeId,
      level: (process.env.VERITY_TEST_LOG as NodeConfig["logLevel"]) ?? "silent",
    }),
    chain: fixture.chain(),
    addressBook: fixture.addressBook,
    timing: { peerTimeoutMs: 3_000, coordinateTimeoutMs: 8_000, leaderTimeoutSec: 8, operatorSetTtlMs: 1_000 },
    drainTimeoutMs: 2_000,
    defaultMetrics: false,
    ...options,
  });
}

/** Copies the model to `dir` and changes one character inside its metadata: still a valid model, another sha256. */
export function tamperedModelCopy(dir: string): string {
  const bytes = readFileSync(MODEL_PATH);
  const at = bytes.indexOf("Reason codes of the Verity credit model");
  if (at < 0) throw new Error("marker text not found in the model's metadata");
  bytes[at] = "S".charCodeAt(0); // "Reason" → "Season": one byte flipped
  const path = join(dir, "tampered.onnx");
  writeFileSync(path, bytes);
  return path;
}

let nonceCounter = 1n;

/**
 * A borrower-signed application body for `fixture`'s oracle, carrying the demo provider's file of `fields`
 * (default: the features, or GOOD_FEATURES), with a fresh nonce unless one is given.
 */
export async function signedBody(
  fixture: Pick<ChainFixture, "chainId" | "oracleAddress">,
  borrower: HardhatEthersSigner,
  options: Partial<Omit<ApplicationOptions, "signer">> & {
    fields?: Record<string, number>;
    signer?: HardhatEthersSigner;
  } = {},
) {
  const fields = options.fields ?? (options.features as Record<string, number> | undefined) ?? GOOD_FEATURES;
  return attestedApplicationBody(
    { chainId: fixture.chainId, verifyingContract: fixture.oracleAddress },
    borrower,
    Object.keys(GOOD_FEATURES),
    fields,
    {
      ...options,
      nonce: options.nonce ?? nonceCounter++,
      expiry: options.expiry ?? Math.floor(Date.now() / 1000) + 600,
    },
  );
}

/** POSTs `body` as JSON (or `body` as is when `raw`) and returns the status and parsed answer. */
export async function postJson(url: string, body: unknown, raw = false) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (body as string) : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, json: (await response.json()) as any };
}

/**
 * Copies the model to `dir` with its metadata `feature_names` reordered by `reorder` (default: reversed): the
 * same graph, which still reads its inputs in the original order, under another sha256. Returns the copy's path.
 */
export function reorderedFeatureNamesModelCopy(
  dir: string,
  reorder: (names: string[]) => string[] = (names) => [...names].reverse(),
): string {
  const proto = onnx.ModelProto.decode(readFileSync(MODEL_PATH));
  const entry = proto.metadataProps.find((prop) => prop.key === "feature_names");
  if (entry === undefined) throw new Error("the model has no feature_names metadata");
  entry.value = JSON.stringify(reorder(JSON.parse(entry.value ?? "[]") as string[]));
  const path = join(dir, "reordered.onnx");
  writeFileSync(path, onnx.ModelProto.encode(proto).finish());
  return path;
}

/** Writes a copy of the shipped model card edited by `edit` to `dir/name`; returns its path and sha256. */
export function editedModelCard(
  dir: string,
  name: string,
  edit: (card: Record<string, any>) => void,
): { path: string; sha256: string } {
  const card = JSON.parse(readFileSync(MODEL_CARD_PATH, "utf8")) as Record<string, any>;
  edit(card);
  const path = join(dir, name);
  const text = `${JSON.stringify(card, null, 2)}\n`;
  writeFileSync(path, text);
  return { path, sha256: `0x${createHash("sha256").update(text).digest("hex")}` };
}
