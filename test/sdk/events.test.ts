/**
 * The sdk's compliance events reader against the real contracts on the in-process network: decoding by the topic
 * lookup equals ethers' `parseLog` on every catalogued event kind the scenario emits; a provider that refuses
 * large ranges (Infura's and Alchemy's error answers, through ethers' JSON-RPC error path) yields the same events
 * as the unrestricted one; a block refused alone is an error naming it; block times are fetched once per block.
 */
import { expect } from "chai";
import { network } from "hardhat";
import {
  Interface,
  JsonRpcApiProvider,
  Network,
  Result,
  id,
  parseUnits,
  type JsonRpcError,
  type JsonRpcPayload,
  type JsonRpcResult,
} from "ethers";

import { ruleId } from "../../oracle/src/protocol/rules.js";
import {
  EVENTS_BY_CONTRACT,
  isRangeRefusal,
  readComplianceEvents,
  streamComplianceEvents,
  type ComplianceContract,
  type ComplianceEvent,
  type ComplianceTargets,
} from "../../sdk/src/events/index.js";
import { ILendingPool__factory } from "../../types/ethers-contracts/factories/interfaces/ILendingPool__factory.js";
import { ICreditScoreOracle__factory } from "../../types/ethers-contracts/factories/interfaces/ICreditScoreOracle__factory.js";
import { ISavingsVault__factory } from "../../types/ethers-contracts/factories/interfaces/ISavingsVault__factory.js";
import { ISupervisionPolicy__factory } from "../../types/ethers-contracts/factories/interfaces/ISupervisionPolicy__factory.js";
import { IComplianceReportRegistry__factory } from "../../types/ethers-contracts/factories/interfaces/IComplianceReportRegistry__factory.js";
import { IPegStabilityModule__factory } from "../../types/ethers-contracts/factories/interfaces/IPegStabilityModule__factory.js";
import { deployScoredSystem, mined } from "../helpers/scored-system.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const wad = (n: number) => parseUnits(String(n), 18);

/** Every kind of event the reader decodes by hand or by AbiCoder: static data, fixed arrays, strings, dynamic arrays. */
async function scenario() {
  const { system, roles, accounts, score, depositWeth, poolAddress } = await deployScoredSystem(ethers);
  const [alice, bob, saver] = accounts;
  const { oracle, pool, policy, vusd, priceFeed, fallbackPriceFeed, savingsVault } = system;
  await score(alice!.address, 300, [5, 7, 0, 0]);
  await score(bob!.address, 3500, [2, 5, 1, 0]); // adverse action
  for (const who of [alice!, saver!]) await depositWeth(who, "10");
  await mined(pool.connect(alice!).borrow(wad(10_000)));
  await mined(pool.connect(alice!).repay(alice!.address, wad(1_000)));
  await mined(pool.connect(saver!).borrow(wad(2_000)));
  const vaultAddress = await savingsVault.getAddress();
  await mined(vusd.connect(saver!).approve(vaultAddress, ethers.MaxUint256));
  await mined(savingsVault.connect(saver!).deposit(wad(1_000), saver!.address));
  await mined(savingsVault.connect(saver!).withdraw(wad(100), saver!.address, saver!.address));
  await mined(policy.connect(roles.regulator).scheduleRuleChange(ruleId("MAX_SCORE_AGE"), 7 * 86_400));
  await mined(priceFeed.setAnswer(parseUnits("3400", 8))); // the primary alone moves: the asset freezes
  await mined(pool.pokePrice(system.wethAddress));
  await mined(fallbackPriceFeed.setAnswer(parseUnits("3400", 8))); // sources agree again
  await mined(pool.pokePrice(system.wethAddress));
  await mined(policy.connect(roles.guardian).pause());
  await mined(policy.connect(roles.regulator).unpause());
  await mined(system.psm.syncRules());
  const attestedTo = await ethers.provider.getBlockNumber();
  await mined(
    system.complianceReportRegistry
      .connect(roles.regulator)
      .attestReport(id("report.md"), system.deployedAtBlock, attestedTo, "https://reports.example/q1.md"),
  );
  // Bulk: one ExposureSnapshot per block, to have ranges worth refusing.
  for (let i = 0; i < 40; i++) await mined(pool.publishExposureSnapshot());
  const targets: ComplianceTargets = {
    lendingPool: poolAddress,
    supervisionPolicy: await policy.getAddress(),
    creditScoreOracle: await oracle.getAddress(),
    savingsVault: vaultAddress,
    pegStabilityModule: await system.psm.getAddress(),
    complianceReportRegistry: await system.complianceReportRegistry.getAddress(),
  };
  return { targets, fromBlock: system.deployedAtBlock, toBlock: await ethers.provider.getBlockNumber() };
}

const IFACES: Record<ComplianceContract, Interface> = {
  lendingPool: ILendingPool__factory.createInterface(),
  supervisionPolicy: ISupervisionPolicy__factory.createInterface(),
  creditScoreOracle: ICreditScoreOracle__factory.createInterface(),
  savingsVault: ISavingsVault__factory.createInterface(),
  pegStabilityModule: IPegStabilityModule__factory.createInterface(),
  complianceReportRegistry: IComplianceReportRegistry__factory.createInterface(),
};

/** The reference: every log of the targets through ethers' `parseLog`, kept when its contract emits it. */
async function reference(targets: ComplianceTargets, fromBlock: number, toBlock: number) {
  const out: { name: string; contract: string; blockNumber: number; logIndex: number; args: unknown }[] = [];
  const byAddress = new Map(
    (Object.keys(EVENTS_BY_CONTRACT) as ComplianceContract[])
      .filter((c) => targets[c] !== undefined)
      .map((c) => [targets[c]!.toLowerCase(), c] as const),
  );
  const logs = await ethers.provider.getLogs({ address: [...byAddress.keys()], fromBlock, toBlock });
  for (const log of logs) {
    const contract = byAddress.get(log.address.toLowerCase())!;
    const parsed = IFACES[contract].parseLog(log);
    if (parsed === null || !(EVENTS_BY_CONTRACT[contract] as readonly string[]).includes(parsed.name)) continue;
    const args: Record<string, unknown> = {};
    parsed.fragment.inputs.forEach((input, i) => {
      const value: unknown = parsed.args[i];
      args[input.name] = value instanceof Result ? value.toArray(true) : value;
    });
    out.push({ name: parsed.name, contract, blockNumber: log.blockNumber, logIndex: log.index, args });
  }
  return out;
}

const shape = (events: ComplianceEvent[]) =>
  events.map((e) => ({
    name: e.name,
    contract: e.contract,
    blockNumber: e.blockNumber,
    logIndex: e.logIndex,
    args: e.args,
  }));

/**
 * A JSON-RPC provider in front of the in-process node that answers `eth_getLogs` as a capped hosted provider does:
 * an error object in the JSON-RPC response, which ethers turns into its own error.
 */
class CappedProvider extends JsonRpcApiProvider {
  calls: { method: string; params: unknown }[] = [];
  constructor(
    chainId: bigint,
    private readonly refuse: (from: number, to: number, results: number) => JsonRpcError["error"] | null,
  ) {
    super(Network.from(chainId), { staticNetwork: Network.from(chainId), batchMaxCount: 1 });
  }
  async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<(JsonRpcResult | JsonRpcError)[]> {
    const payloads = Array.isArray(payload) ? payload : [payload];
    const answers: (JsonRpcResult | JsonRpcError)[] = [];
    for (const p of payloads) {
      this.calls.push({ method: p.method, params: p.params });
      try {
        const result: unknown = await connection.provider.request({ method: p.method, params: p.params as unknown[] });
        if (p.method === "eth_getLogs") {
          const [filter] = p.params as [{ fromBlock: string; toBlock: string }];
          const error = this.refuse(Number(filter.fromBlock), Number(filter.toBlock), (result as unknown[]).length);
          if (error !== null) {
            answers.push({ id: p.id, error });
            continue;
          }
        }
        answers.push({ id: p.id, result });
      } catch (error) {
        answers.push({ id: p.id, error: { code: -32603, message: (error as Error).message } });
      }
    }
    return answers;
  }
}

describe("sdk events: the compliance events reader", function () {
  this.timeout(180_000);
  let s: Awaited<ReturnType<typeof scenario>>;
  let chainId: bigint;
  before(async () => {
    s = await networkHelpers.loadFixture(scenario);
    chainId = (await ethers.provider.getNetwork()).chainId;
  });

  it("decodes every catalogued event as ethers' parseLog does, with block times, in chain order", async () => {
    const events = await readComplianceEvents(ethers.provider, s.targets, {
      fromBlock: s.fromBlock,
      toBlock: s.toBlock,
    });
    const expected = await reference(s.targets, s.fromBlock, s.toBlock);
    expect(shape(events)).to.deep.equal(expected);
    const names = new Set(events.map((e) => e.name));
    for (const name of [
      "ScorePosted",
      "AdverseAction",
      "LoanOriginated",
      "LoanRepaid",
      "RuleChangeScheduled",
      "CircuitBreakerTripped",
      "CircuitBreakerReset",
      "ExposureSnapshot",
      "AssetFrozen",
      "AssetUnfrozen",
      "DataProviderApproved",
      "OperatorSetChanged",
      "ModelApproved",
      "Deposit",
      "Withdraw",
      "PsmRulesSynced",
      "ComplianceReportAttested",
    ]) {
      expect(names, name).to.include(name);
    }
    for (const e of events.slice(0, 20)) {
      expect(e.timestamp).to.equal((await ethers.provider.getBlock(e.blockNumber))!.timestamp);
      expect(e.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
    }
    const score = events.find((e) => e.name === "ScorePosted")!;
    if (score.name !== "ScorePosted") throw new Error("narrowing");
    expect(score.args.pdBps).to.be.a("bigint");
    expect(score.args.reasonCodes).to.deep.equal([5n, 7n, 0n, 0n]);
  });

  it("reads the same through getLogs/getBlock (a provider without send) and in chunks of any size", async () => {
    const expected = shape(
      await readComplianceEvents(ethers.provider, s.targets, { fromBlock: s.fromBlock, toBlock: s.toBlock }),
    );
    const plain = {
      getLogs: ethers.provider.getLogs.bind(ethers.provider),
      getBlock: ethers.provider.getBlock.bind(ethers.provider),
    };
    for (const chunkBlocks of [1, 3, 17, 100_000]) {
      const chunks: ComplianceEvent[][] = [];
      for await (const chunk of streamComplianceEvents(plain, s.targets, {
        fromBlock: s.fromBlock,
        toBlock: s.toBlock,
        chunkBlocks,
      })) {
        expect(chunk.length).to.be.greaterThan(0);
        chunks.push(chunk);
      }
      expect(shape(chunks.flat()), `chunkBlocks ${chunkBlocks}`).to.deep.equal(expected);
    }
  });

  it("a provider refusing large ranges (Infura's -32005) yields the same events, halving then growing back", async () => {
    const expected = shape(
      await readComplianceEvents(ethers.provider, s.targets, { fromBlock: s.fromBlock, toBlock: s.toBlock }),
    );
    const capped = new CappedProvider(chainId, (from, to) =>
      to - from + 1 > 8
        ? {
            code: -32005,
            message: "query returned more than 10000 results",
            data: { from: `0x${from.toString(16)}`, to: `0x${to.toString(16)}`, limit: 10000 },
          }
        : null,
    );
    const sizes: number[] = [];
    const events = await readComplianceEvents(capped, s.targets, {
      fromBlock: s.fromBlock,
      toBlock: s.toBlock,
      chunkBlocks: 64,
      backoffMs: 1,
      onChunk: (p) => sizes.push(p.toBlock - p.fromBlock + 1),
    });
    expect(shape(events)).to.deep.equal(expected);
    expect(sizes.reduce((a, b) => Math.max(a, b), 0)).to.be.at.most(8);
    expect(sizes.filter((n) => n >= 6).length, "grows back after halving").to.be.greaterThan(1);
  });

  it("a provider capping results (Alchemy's 'Log response size exceeded') yields the same events", async () => {
    const expected = shape(
      await readComplianceEvents(ethers.provider, s.targets, { fromBlock: s.fromBlock, toBlock: s.toBlock }),
    );
    const capped = new CappedProvider(chainId, (_from, _to, results) =>
      results > 12
        ? {
            code: -32602,
            message:
              "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response.",
          }
        : null,
    );
    const events = await readComplianceEvents(capped, s.targets, {
      fromBlock: s.fromBlock,
      toBlock: s.toBlock,
      backoffMs: 1,
    });
    expect(shape(events)).to.deep.equal(expected);
  });

  it("a block refused even alone is an error naming it; another error is retried then named with its range", async () => {
    const always = new CappedProvider(chainId, () => ({
      code: -32005,
      message: "query returned more than 10000 results",
    }));
    let error: Error | undefined;
    try {
      await readComplianceEvents(always, s.targets, { fromBlock: s.fromBlock, toBlock: s.fromBlock + 5, backoffMs: 1 });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(new RegExp(`refused block ${s.fromBlock} even alone.*more than 10000 results`));

    const broken = new CappedProvider(chainId, () => ({ code: -32000, message: "header not found" }));
    error = undefined;
    try {
      await readComplianceEvents(broken, s.targets, {
        fromBlock: s.fromBlock,
        toBlock: s.fromBlock + 5,
        retries: 2,
        backoffMs: 1,
      });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(
      new RegExp(`eth_getLogs blocks ${s.fromBlock}–${s.fromBlock + 5} failed after 3 attempts.*header not found`),
    );
    expect(broken.calls.filter((c) => c.method === "eth_getLogs")).to.have.length(3);
  });

  it("recognises refusals by their error, not other failures", () => {
    expect(isRangeRefusal(new Error("query returned more than 10000 results"))).to.equal(true);
    expect(
      isRangeRefusal({
        message: "could not coalesce error",
        info: { error: { code: -32005, message: "limit exceeded" } },
      }),
    ).to.equal(true);
    expect(isRangeRefusal(new Error("eth_getLogs block range is too large, max 2000"))).to.equal(true);
    expect(isRangeRefusal(new Error("header not found"))).to.equal(false);
    expect(isRangeRefusal(new Error("invalid argument 0: hex string without 0x prefix"))).to.equal(false);
  });

  it("fetches each block's time once, only for blocks with events", async () => {
    const counting = new CappedProvider(chainId, () => null);
    const events = await readComplianceEvents(counting, s.targets, {
      fromBlock: s.fromBlock,
      toBlock: s.toBlock,
      chunkBlocks: 5,
    });
    const asked = counting.calls
      .filter((c) => c.method === "eth_getBlockByNumber")
      .map((c) => (c.params as [string])[0]);
    expect(new Set(asked).size).to.equal(asked.length);
    expect(asked.map(Number).sort((a, b) => a - b)).to.deep.equal(
      [...new Set(events.map((e) => e.blockNumber))].sort((a, b) => a - b),
    );
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const stream = streamComplianceEvents(ethers.provider, s.targets, {
      fromBlock: s.fromBlock,
      toBlock: s.toBlock,
      chunkBlocks: 2,
      signal: controller.signal,
    });
    await stream.next();
    controller.abort(new Error("enough"));
    let error: Error | undefined;
    try {
      await stream.next();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.equal("enough");
  });
});

describe("sdk events: browser-safe", () => {
  it("imports only ethers, zod, its own files and the generated TypeChain interfaces (no node:, no scripts/)", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const dir = new URL("../../sdk/src/events/", import.meta.url);
    const files = (await readdir(dir)).filter((f) => f.endsWith(".ts"));
    expect(files).to.include("stream.ts");
    for (const file of files) {
      const source = await readFile(new URL(file, dir), "utf8");
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        expect(
          specifier === "ethers" ||
            specifier === "zod" ||
            /^\.\/[\w-]+\.js$/.test(specifier!) ||
            /^\.\.\/\.\.\/\.\.\/types\/ethers-contracts\/(factories\/)?interfaces\//.test(specifier!),
          `${file} imports ${specifier}`,
        ).to.equal(true);
      }
    }
  });
});
