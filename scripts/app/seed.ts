/**
 * Deploys the system to the stack's chain and seeds it through the real flows, so the dApp and the dashboard
 * have something to show: the credit bureau holds files for the seeded borrowers and for the accounts kept for
 * the dApp (`dappAccounts`), three oracle nodes score applications, and
 *
 * - Alice (good file) deposits 10 WETH, applies, and borrows 12,000 vUSD with the quorum's report;
 * - Bob (risky file) applies; his report, posted, is an adverse action with reason codes;
 * - Carol (no score) borrows 7,400 vUSD against 5 WETH in the most conservative tier; after ETH falls from
 *   3,000 to 2,600 USD her health factor is below 1.1 (a position at risk);
 * - Dave, a market maker, borrows against 20 WETH;
 * - an exposure snapshot and a fairness report are published, and the regulator schedules a debt-ceiling change,
 *   pending behind the timelock.
 *
 * Accounts are the node's default ones (Hardhat's public test mnemonic): 0–4 hold the roles, 5–8 the seeded
 * borrowers, and 10–14 are left untouched for the dApp's users (the browser tests' wallets).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { HDNodeWallet, MaxUint256, id, parseEther, parseUnits } from "ethers";
import type { network } from "hardhat";

import { requestCreditFile } from "../../bureau/src/client.js";
import type { RunningBureau } from "../../bureau/src/service.js";
import { loadCreditModel } from "../../oracle/src/model/index.js";
import type { RunningNode } from "../../oracle/src/node/index.js";
import type { AddressBook } from "../../oracle/src/protocol/address-book.js";
import { ruleId } from "../../oracle/src/protocol/rules.js";
import { reportFromJson, type ReportJson } from "../../sdk/src/oracle-nodes.js";
import type { DeployedSystem } from "../deploy/deploy-system.js";
import { pickApplicants, type Applicant } from "../demo/applicants.js";
import { startDemoBureau } from "../demo/bureau.js";
import { deployLocalSystem, mined, MODEL_PATH, registerOperators, startOracleNodes } from "../demo/local-stack.js";
import { DEMO_PROVIDER, signApplication } from "../lib/attested-application.js";

const FEED_DECIMALS = 8;
/** `hardhat node`'s accounts come from this public mnemonic; their keys are no secret (test accounts only). */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The key of `hardhat node`'s account `index` (the injected test wallet signs with it). */
export function hardhatAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

export interface DappAccount {
  index: number;
  address: string;
  privateKey: string;
  /** What the bureau's file for this account scores as: "good" (approved) or "risky" (declined). */
  profile: "good" | "risky";
}

export interface SeededStack {
  addressBook: AddressBook;
  system: DeployedSystem;
  roles: {
    deployer: HardhatEthersSigner;
    governance: HardhatEthersSigner;
    regulator: HardhatEthersSigner;
    guardian: HardhatEthersSigner;
    attester: HardhatEthersSigner;
  };
  borrowers: { alice: string; bob: string; carol: string; dave: string };
  /** Accounts 10–14: untouched, each with a file at the bureau, for the dApp's users. */
  dappAccounts: DappAccount[];
  /** The debt-ceiling change the regulator scheduled (pending behind the timelock). */
  pendingChangeId: string;
}

export interface SeedInput {
  connection: Awaited<ReturnType<typeof network.create>>;
  dir: string;
  logLevel: "silent" | "info" | "debug";
  say: (line: string) => void;
  /** Called as soon as the services are up, so the caller can stop them whatever happens next. */
  onServices: (services: { nodes: RunningNode[]; bureau: RunningBureau }) => void;
}

export async function seedStack(input: SeedInput): Promise<SeededStack> {
  const { connection, say } = input;
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  if (signers.length < 15) throw new Error(`the node has ${signers.length} accounts; the stack needs 15`);
  const signer = (index: number): HardhatEthersSigner => {
    const found = signers[index];
    if (found === undefined) throw new Error(`the node has no account ${index}`);
    return found;
  };
  const [deployer, governance, regulator, guardian, attester, alice, bob, carol, dave] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8,
  ].map(signer) as [
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
    HardhatEthersSigner,
  ];
  const roles = { deployer, governance, regulator, guardian, attester };
  const { system, model, featureNames, chainId, addressBook } = await deployLocalSystem(ethers, roles, "localhost");
  const { oracle, pool, policy, weth, priceFeed, fallbackPriceFeed, wethAddress } = system;
  say(`deployed on chain ${chainId}: pool ${addressBook.contracts.lendingPool}`);

  // Operators and their nodes; the bureau with files for the seeded borrowers and the dApp's accounts.
  const { keystores, env } = await registerOperators({ dir: input.dir, oracle, deployer, governance });
  const nowSec = () => Math.floor(Date.now() / 1000);
  const creditModel = await loadCreditModel(MODEL_PATH);
  const { good, risky } = await pickApplicants(creditModel);
  const dappAccounts: DappAccount[] = [10, 11, 12, 13, 14].map((index) => {
    const privateKey = hardhatAccountKey(index);
    return { index, address: signer(index).address, privateKey, profile: index === 11 ? "risky" : "good" };
  });
  const fileOf = (profile: "good" | "risky"): Applicant => (profile === "good" ? good : risky);
  const bureau = await startDemoBureau({
    dir: input.dir,
    chainId,
    oracle: addressBook.contracts.creditScoreOracle,
    featureNames,
    nowSec,
    files: [
      { borrower: alice.address, fields: good.features },
      { borrower: bob.address, fields: risky.features },
      ...dappAccounts.map((account) => ({ borrower: account.address, fields: fileOf(account.profile).features })),
    ],
    logLevel: input.logLevel,
  });
  let nodes: RunningNode[] = [];
  input.onServices({ nodes, bureau });
  nodes = await startOracleNodes({
    dir: input.dir,
    keystores,
    env,
    provider: connection.provider,
    addressBook,
    now: nowSec,
    logLevel: input.logLevel,
  });
  input.onServices({ nodes, bureau });
  say(`bureau at ${bureau.url}; oracle nodes at ${nodes.map((n) => n.url).join(", ")}`);

  // The seeded borrowers, through the real flows.
  const poolAddress = await pool.getAddress();
  const depositWeth = async (who: HardhatEthersSigner, ether: string) => {
    await mined(weth.connect(who).deposit({ value: parseEther(ether) }));
    await mined(weth.connect(who).approve(poolAddress, MaxUint256));
    await mined(pool.connect(who).deposit(wethAddress, parseEther(ether), who.address));
  };
  const domain = { chainId, verifyingContract: addressBook.contracts.creditScoreOracle };
  let nonce = 1n;
  const apply = async (who: HardhatEthersSigner) => {
    const attested = await requestCreditFile({
      url: bureau.url,
      signer: who,
      provider: DEMO_PROVIDER.id,
      ...domain,
      nowSec: nowSec(),
    });
    const body = await signApplication(domain, who, featureNames, attested, { nonce: nonce++, expiry: nowSec() + 600 });
    const response = await fetch(`${nodes[0]!.url}/v1/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await response.json()) as { report: ReportJson; signatures: string };
    if (response.status >= 300)
      throw new Error(`node-0 refused ${who.address}'s application: ${response.status} ${JSON.stringify(json)}`);
    return { report: reportFromJson(json.report), signatures: json.signatures };
  };

  await depositWeth(alice, "10");
  const aliceBundle = await apply(alice);
  await mined(
    pool.connect(alice).borrowWithReport(parseUnits("12000", 18), aliceBundle.report, aliceBundle.signatures),
  );
  say(`Alice ${alice.address}: scored PD ${aliceBundle.report.pdBps} bps, borrowed 12,000 vUSD`);
  const bobBundle = await apply(bob);
  await mined(oracle.submitScore(bobBundle.report, bobBundle.signatures));
  say(`Bob ${bob.address}: scored PD ${bobBundle.report.pdBps} bps, declined (adverse action)`);
  await depositWeth(carol, "5");
  await mined(pool.connect(carol).borrow(parseUnits("7400", 18)));
  await depositWeth(dave, "20");
  await mined(pool.connect(dave).borrow(parseUnits("10000", 18)));

  // ETH falls (both sources show it): Carol's position comes within 10 % of liquidation.
  const priceUsd = "2600";
  await mined(priceFeed.setAnswer(parseUnits(priceUsd, FEED_DECIMALS)));
  await mined(fallbackPriceFeed.setAnswer(parseUnits(priceUsd, FEED_DECIMALS)));
  await mined(pool.pokePrice(wethAddress));
  say(`ETH/USD now ${priceUsd}: Carol ${carol.address} is at risk (unscored, most conservative tier)`);

  await mined(pool.publishExposureSnapshot());
  const head = await ethers.provider.getBlock("latest");
  const periodEnd = BigInt(head!.timestamp);
  await mined(
    oracle
      .connect(regulator)
      .publishFairnessReport(
        model.modelId,
        periodEnd - 30n * 86_400n,
        periodEnd,
        420,
        8700,
        id("verity:app-stack:fairness-report"),
      ),
  );
  const ceiling = await policy.ruleValue(ruleId("DEBT_CEILING"));
  const scheduled = await mined(
    policy.connect(regulator).scheduleRuleChange(ruleId("DEBT_CEILING"), ceiling + ceiling / 2n),
  );
  const pendingChangeId = policy.interface.parseLog(scheduled.logs[0]!)!.args.changeId as string;
  say("exposure snapshot and fairness report published; a debt-ceiling change is pending behind the timelock");

  return {
    addressBook,
    system,
    roles,
    borrowers: { alice: alice.address, bob: bob.address, carol: carol.address, dave: dave.address },
    dappAccounts,
    pendingChangeId,
  };
}
