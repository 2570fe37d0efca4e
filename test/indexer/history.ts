/**
 * A compliance history on a `hardhat node` over JSON-RPC, made with the real contracts: the system deployed with
 * the deploy code (test/helpers/scored-system.ts); a scenario touching every kind of event the report analyses
 * (scores and adverse actions, loans, a repayment, a liquidation, rule changes scheduled / executed / cancelled, a
 * circuit-breaker trip and reset, exposure snapshots); then bulk events to a target count by the cheapest real
 * paths: `LendingPool.publishExposureSnapshot()` (anyone, one `ExposureSnapshot` each) and the regulator's
 * `SupervisionPolicy.scheduleRuleChange` (one `RuleChangeScheduled` each), sent unsigned from the node's unlocked
 * accounts in JSON-RPC batches with automine off, many transactions per mined block.
 */
import { Interface, id, parseUnits } from "ethers";
import { network } from "hardhat";

import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { buildAddressBook } from "../../scripts/deploy/address-book.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { ruleId, tierRuleId } from "../../oracle/src/protocol/rules.js";
import { deployScoredSystem, mined } from "../helpers/scored-system.js";

import { rpc } from "./processes.js";

const wad = (n: number) => BigInt(n) * 10n ** 18n;

export type Connection = Awaited<ReturnType<typeof network.create>>;

/** Deploys the system to the node at `url` and plays the scenario; returns the address book and the connection. */
export async function deployWithScenario(url: string): Promise<{ addressBook: AddressBook; connection: Connection }> {
  const connection = await network.create({ network: "localhost", override: { url } });
  const { ethers } = connection;
  const { system, roles, accounts, model, chainId, score, depositWeth } = await deployScoredSystem(ethers);
  const [alice, bob, carol, dave, liquidator] = accounts;
  const { pool, policy, priceFeed, fallbackPriceFeed } = system;
  await score(alice!.address, 300, [5, 7, 0, 0]);
  await score(bob!.address, 900, [3, 0, 0, 0]);
  await score(carol!.address, 3500, [2, 5, 1, 0]); // adverse action
  await score(dave!.address, 4000, [2, 3, 0, 0]); // adverse action

  await depositWeth(alice!, "10");
  await mined(pool.connect(alice!).borrow(wad(20_000)));
  await depositWeth(bob!, "10");
  await mined(pool.connect(bob!).borrow(wad(15_000)));
  await mined(pool.connect(bob!).repay(bob!.address, wad(5_000)));

  const changeIdOf = (receipt: Awaited<ReturnType<typeof mined>>) =>
    policy.interface.parseLog(receipt.logs[0]!)!.args.changeId as string;
  const ceilingId = changeIdOf(
    await mined(policy.connect(roles.regulator).scheduleRuleChange(ruleId("DEBT_CEILING"), wad(20_000_000))),
  );
  const aprId = changeIdOf(
    await mined(policy.connect(roles.governance).scheduleRuleChange(tierRuleId("TIER_APR", 1), 800)),
  );
  await mined(policy.connect(roles.governance).cancelRuleChange(aprId));
  await ethers.provider.send("evm_increaseTime", [defaultParameters.rules.timelockDelaySec]);
  await mined(policy.executeRuleChange(ceilingId));

  // A fall both price sources show: a real move, so the liquidation goes ahead at it.
  await mined(priceFeed.setAnswer(parseUnits("2200", 8)));
  await mined(fallbackPriceFeed.setAnswer(parseUnits("2200", 8)));
  await mined(pool.pokePrice(system.wethAddress));
  await depositWeth(liquidator!, "20");
  await mined(pool.connect(liquidator!).borrow(wad(12_000)));
  await mined(pool.connect(liquidator!).liquidate(alice!.address, system.wethAddress, wad(10_000)));

  // The guardian pauses by hand (a price no longer can: a jump one source shows freezes its asset instead).
  await mined(policy.connect(roles.guardian).pause());
  await ethers.provider.send("evm_increaseTime", [600]);
  await mined(policy.connect(roles.regulator).unpause());
  await mined(pool.publishExposureSnapshot());
  // The regulator attests a report of the blocks so far (ComplianceReportRegistry).
  const attestedTo = await ethers.provider.getBlockNumber();
  await mined(
    system.complianceReportRegistry
      .connect(roles.regulator)
      .attestReport(id("compliance report, first period"), system.deployedAtBlock, attestedTo, ""),
  );

  const addressBook = await buildAddressBook("localhost", { chainId, system, roles, model, modelApproved: true });
  return { addressBook, connection };
}

const BATCH = 500;

/**
 * Adds `count` compliance events (3 snapshots to 1 scheduled rule change) in batches of 500 transactions, each
 * batch mined into blocks until its last transaction has a receipt. Returns the number of blocks it mined.
 */
export async function bulkEvents(
  url: string,
  book: AddressBook,
  count: number,
  onProgress?: (done: number) => void,
): Promise<number> {
  const pool = new Interface(["function publishExposureSnapshot()"]);
  const policy = new Interface(["function scheduleRuleChange(bytes32 rule, uint256 newValue)"]);
  const accounts = await rpc<string[]>(url, "eth_accounts");
  const senders = accounts.slice(10);
  if (senders.length === 0) throw new Error("the node has no spare unlocked accounts");
  const snapshot = {
    to: book.contracts.lendingPool,
    data: pool.encodeFunctionData("publishExposureSnapshot"),
    gas: "0x20000",
  };
  const startBlock = Number(await rpc<string>(url, "eth_blockNumber"));
  // The node prints every mined transaction with its decoded call; for a bulk history that printing is the bottleneck.
  await rpc(url, "hardhat_setLoggingEnabled", [false]);
  await rpc(url, "evm_setAutomine", [false]);
  try {
    let done = 0;
    while (done < count) {
      const n = Math.min(BATCH, count - done);
      const calls = Array.from({ length: n }, (_, i) => {
        const k = done + i;
        const tx =
          k % 4 === 3
            ? {
                from: book.roles.regulator,
                to: book.contracts.supervisionPolicy,
                data: policy.encodeFunctionData("scheduleRuleChange", [ruleId("DEBT_CEILING"), wad(1_000_000 + k)]),
                gas: "0x20000",
              }
            : { from: senders[k % senders.length], ...snapshot };
        return { jsonrpc: "2.0", id: k, method: "eth_sendTransaction", params: [tx] };
      });
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(calls),
        signal: AbortSignal.timeout(120_000),
      });
      const results = (await response.json()) as { result?: string; error?: { message: string } }[];
      const failed = results.find((r) => r.error !== undefined);
      if (failed !== undefined) throw new Error(`eth_sendTransaction: ${failed.error!.message}`);
      const last = results.at(-1)!.result!;
      for (let blocks = 0; ; blocks++) {
        if (blocks > 1_000) throw new Error(`transaction ${last} not mined after 1,000 blocks`);
        await rpc(url, "evm_mine");
        const receipt = await rpc<{ status: string } | null>(url, "eth_getTransactionReceipt", [last]);
        if (receipt !== null) {
          if (receipt.status !== "0x1") throw new Error(`bulk transaction ${last} reverted`);
          break;
        }
      }
      done += n;
      onProgress?.(done);
    }
  } finally {
    // After a long history the node can take a while to answer again (its logging comes back on): a longer bound.
    await rpc(url, "evm_setAutomine", [true], 300_000);
    await rpc(url, "hardhat_setLoggingEnabled", [true], 300_000);
  }
  return Number(await rpc<string>(url, "eth_blockNumber", [], 300_000)) - startBlock;
}
