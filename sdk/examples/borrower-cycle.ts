/**
 * A borrower's full cycle with the SDK: deposit ETH as collateral, fetch the credit file from the bureau with a
 * signed consent, apply to the oracle quorum, borrow with the k-signed report, repay with a permit, withdraw.
 * With `--flow push` it applies in the push flow instead: the borrower calls `requestScore` on chain and waits
 * (at most `--wait-sec`, default 60) for the request's leader to post the score (`ScorePosted`).
 *
 *   npx tsx sdk/examples/borrower-cycle.ts --rpc http://127.0.0.1:8545 --address-book deployments/localhost.json \
 *     --nodes http://127.0.0.1:8701,http://127.0.0.1:8702,http://127.0.0.1:8703 --bureau http://127.0.0.1:8600 \
 *     --provider 0x… --key 0x…   # the borrower's key; it needs ETH for gas and collateral
 */
import { parseArgs } from "node:util";

import { formatEther, JsonRpcProvider, parseEther, parseUnits, Wallet, type Signer } from "ethers";

import * as sdk from "../src/index.js";
import { readAddressBook } from "../src/node.js";

export interface CycleInput {
  signer: Signer & sdk.AddressedTypedDataSigner;
  addressBook: sdk.AddressBook;
  nodes: readonly string[];
  bureauUrl: string;
  provider: string;
  collateralWei?: bigint;
  borrowWad?: bigint;
  /** Unix seconds (default: the latest block's); the consent and the application are dated from it. */
  nowSec?: number;
  log?: (line: string) => void;
}

export async function borrowerCycle(input: CycleInput) {
  const { signer, addressBook, log = () => {} } = input;
  const contracts = sdk.connectContracts(addressBook, signer);
  const domain = sdk.creditDataDomainOf(addressBook);
  const nowSec = input.nowSec ?? (await signer.provider!.getBlock("latest"))!.timestamp;
  await sdk.depositEth(contracts, signer, input.collateralWei ?? parseEther("10"));
  log(`deposited ${formatEther(input.collateralWei ?? parseEther("10"))} ETH as collateral`);
  const file = await sdk.requestCreditFile({
    url: input.bureauUrl,
    signer,
    provider: input.provider,
    ...domain,
    nowSec,
  });
  const featureNames = sdk.featureNamesOf(file);
  const application = await sdk.signApplication(domain, signer, featureNames, file, {
    nonce: BigInt(nowSec),
    expiry: nowSec + 600,
  });
  const { bundle } = await new sdk.OracleNodesClient({ nodes: input.nodes }).submitApplication(application);
  log(`scored: PD ${sdk.formatBps(bundle.report.pdBps)}, reasons ${bundle.reasons.map((r) => r.text).join("; ")}`);
  const borrowWad = input.borrowWad ?? parseUnits("1000", 18);
  await sdk.borrowWithReport(contracts, signer, borrowWad, bundle);
  const [debtWad, tier] = await contracts.lendingPool.positionOf(signer.address);
  log(`borrowed ${sdk.formatVusd(borrowWad)} in ${sdk.tierLabel(tier)}; debt ${sdk.formatVusd(debtWad)}`);
  // Repaying everything takes the interest accrued since the borrow too; a borrower holding only what they
  // borrowed repays that much and keeps the interest as debt.
  const [debtNowWad] = await contracts.lendingPool.positionOf(signer.address);
  const heldWad = await contracts.vusd.balanceOf(signer.address);
  await sdk.repayWithPermit(contracts, signer, heldWad >= debtNowWad ? "all" : heldWad);
  const [debtAfterWad] = await contracts.lendingPool.positionOf(signer.address);
  log(`repaid with a permit; debt left ${sdk.formatVusd(debtAfterWad)}`);
  return {
    pdBps: bundle.report.pdBps,
    tier: Number(tier),
    borrowedWad: borrowWad,
    debtBeforeRepayWad: debtWad,
    debtAfterWad,
  };
}

export interface PushInput extends Omit<CycleInput, "collateralWei" | "borrowWad"> {
  /** How long to wait for `ScorePosted` after `requestScore` (default 60 s). */
  waitMs?: number;
  /** Between two looks for `ScorePosted` (default 500 ms). */
  pollMs?: number;
}

/** Push flow: fetch the file, apply with `flow: "push"`, `requestScore` on chain, wait for the posted score. */
export async function pushScore(input: PushInput) {
  const { signer, addressBook, log = () => {} } = input;
  const contracts = sdk.connectContracts(addressBook, signer);
  const domain = sdk.creditDataDomainOf(addressBook);
  const provider = signer.provider!;
  const nowSec = input.nowSec ?? (await provider.getBlock("latest"))!.timestamp;
  const file = await sdk.requestCreditFile({
    url: input.bureauUrl,
    signer,
    provider: input.provider,
    ...domain,
    nowSec,
  });
  const application = await sdk.signApplication(domain, signer, sdk.featureNamesOf(file), file, {
    nonce: BigInt(nowSec),
    expiry: nowSec + 600,
  });
  const { node, accepted } = await new sdk.OracleNodesClient({ nodes: input.nodes }).requestPush(application);
  log(`push application ${accepted.applicationHash} accepted by ${node}`);
  const fromBlock = await provider.getBlockNumber();
  const requested = await sdk.requestPushScore(contracts, signer, accepted.applicationHash);
  log(`requestScore sent in block ${requested.blockNumber}; waiting for the score`);
  const posted = contracts.creditScoreOracle.filters.ScorePosted(signer.address);
  const deadline = Date.now() + (input.waitMs ?? 60_000);
  for (;;) {
    const [event] = await contracts.creditScoreOracle.queryFilter(posted, fromBlock);
    if (event !== undefined) {
      const [pdBps] = await contracts.creditScoreOracle.scoreOf(signer.address);
      log(`score posted in block ${event.blockNumber}: PD ${sdk.formatBps(pdBps)}`);
      return { applicationHash: accepted.applicationHash, pdBps: Number(pdBps), blockNumber: event.blockNumber };
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `no ScorePosted for ${signer.address} within ${(input.waitMs ?? 60_000) / 1000} s of requestScore`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 500));
  }
}

const REQUIRED = ["rpc", "address-book", "nodes", "bureau", "provider", "key"] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rpc: { type: "string" },
      "address-book": { type: "string" },
      nodes: { type: "string" },
      bureau: { type: "string" },
      provider: { type: "string" },
      key: { type: "string" },
      flow: { type: "string", default: "pull" },
      "wait-sec": { type: "string", default: "60" },
    },
  });
  if (values.flow !== "pull" && values.flow !== "push")
    throw new Error(`--flow: "${values.flow}" is neither pull nor push`);
  const waitSec = Number(values["wait-sec"]);
  if (!Number.isInteger(waitSec) || waitSec <= 0)
    throw new Error(`--wait-sec: "${values["wait-sec"]}" is not a whole number of seconds`);
  const missing = REQUIRED.filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
  // No response cache: ethers otherwise answers a second nonce lookup within 250 ms from the first, and the
  // borrower's back-to-back transactions (wrap, approve, deposit) would reuse a nonce on an automining chain.
  const signer = new Wallet(values.key!, new JsonRpcProvider(values.rpc, undefined, { cacheTimeout: -1 }));
  const addressBook = await readAddressBook(values["address-book"]!);
  const input = {
    signer,
    addressBook,
    nodes: values.nodes!.split(","),
    bureauUrl: values.bureau!,
    provider: values.provider!,
    log: (line: string) => console.log(line),
  };
  if (values.flow === "push") await pushScore({ ...input, waitMs: waitSec * 1000 });
  else await borrowerCycle(input);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(`borrower-cycle: ${sdk.describeRevert(error)}`);
    process.exitCode = 1;
  });
}
