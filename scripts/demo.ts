/**
 * The main job: the whole Verity story on Hardhat's in-process network, nothing external to start.
 *
 *   npm run demo
 *
 * Deploys the system, approves the shipped model, registers 3 operators (k = 2) and starts 3 oracle nodes in this
 * process (real HTTP on 127.0.0.1), then plays out: a good applicant (a row of the training data) is scored, borrows
 * on tier terms and repays; a risky applicant gets an adverse action with reason codes; an unscored borrower
 * borrows on the most conservative tier; the regulator changes a rule through the timelock; a price drop leads to
 * a liquidation; a price jump only one source shows freezes ETH (not the protocol) until the fallback confirms it, and
 * the guardian pauses by hand; a saver earns sVUSD yield from interest received. It ends with an exposure snapshot
 * and the regulator's compliance report (scripts/report) in `reports/demo-<timestamp>/`, then the stablecoin scenes
 * (scripts/demo/stablecoin.ts): a swap through the PSM both ways, and a keeper with no capital liquidating through a
 * flash loan. `runDemo` is exported for the test
 * (test/scripts/demo.test.ts).
 *
 * The nodes' clock follows the chain's (the story fast-forwards time), so reports they sign stay current.
 * The risky applicant's report is posted with `submitScore` (pull bundle) rather than the push flow: the node
 * store stamps push requests with wall-clock time, so after a time jump the push loop would give up at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  MaxUint256,
  parseEther,
  parseUnits,
  type BaseContract,
  type ContractTransactionResponse,
  type Interface,
  type LogDescription,
  type TransactionReceipt,
} from "ethers";
import { network } from "hardhat";

import type { AddressBook } from "../oracle/src/protocol/address-book.js";
import { pickApplicants, type Applicant } from "./demo/applicants.js";
import { playStablecoinScenes, type StablecoinScenes } from "./demo/stablecoin.js";
import {
  deployLocalSystem,
  mined as send,
  MODEL_PATH,
  OPERATORS,
  registerOperators,
  startOracleNodes,
} from "./demo/local-stack.js";
import { savingsScene, type SavingsSceneSummary } from "./demo/savings.js";
import { applyWithEditedFile, type EditedFileOutcome } from "./demo/edited-file.js";
import { DEMO_PROVIDER, signApplication } from "./lib/attested-application.js";
import { requestCreditFile } from "../bureau/src/client.js";
import type { RunningBureau } from "../bureau/src/service.js";
import { importDemoFiles, startDemoBureau } from "./demo/bureau.js";
import { buildComplianceReport, writeComplianceReport } from "./report/index.js";
import { formatVusd } from "./report/format.js";
import { describeRevert, fmtBps, fmtEth, fmtHf, fmtTime, fmtUsd, fmtVusd, Narrative, short } from "./demo/narrative.js";
import { parseReasonCodes } from "../oracle/src/explain/reason-codes.js";
import { loadCreditModel } from "../oracle/src/model/index.js";
import type { RunningNode } from "../oracle/src/node/index.js";
import { describeRule, ruleId } from "../oracle/src/protocol/rules.js";
import { tierDisplayName, tierName as tierLetter } from "../oracle/src/protocol/tiers.js";

const REPORTS_DIR = fileURLToPath(new URL("../reports/", import.meta.url));
const FEED_DECIMALS = 8;
const DAY = 24 * 3600;

export interface DemoOptions {
  /** Print nothing (the test). */
  quiet?: boolean;
  /** Where the compliance report goes (a `demo-<timestamp>/` folder inside); default `reports/`. */
  reportsDir?: string;
}

export interface DemoSummary {
  runtimeMs: number;
  addressBook: AddressBook;
  operators: string[];
  good: {
    rowId: number;
    pdBps: number;
    tier: number;
    tierName: string;
    originatedTier: number;
    borrowedWad: bigint;
    interestWad: bigint;
    repaidWad: bigint;
    debtLeftWad: bigint;
    reasons: string[];
  };
  risky: { rowId: number; pdBps: number; reasonCodes: number[]; reasons: string[]; borrowError: string };
  /** The applicant who edited a field of the attested file: every node's refusal. */
  editedFile: EditedFileOutcome;
  /** The credit bureau's own books at the end: files held and consented releases logged. */
  bureau: { creditFiles: number; releases: number };
  unscored: { tier: number; conservativeTier: number; borrowedWad: bigint };
  ruleChange: {
    rule: string;
    oldValue: bigint;
    newValue: bigint;
    scheduled: boolean;
    executed: boolean;
    earlyError: string;
  };
  liquidation: {
    borrower: string;
    healthFactorBefore: bigint;
    healthFactorAfter: bigint;
    repaidWad: bigint;
    seized: bigint;
    bonusWad: bigint;
  };
  /** A jump only the primary feed shows: the asset is frozen (not the protocol) until the fallback confirms it. */
  priceFreeze: {
    reason: string;
    primaryWad: bigint;
    fallbackWad: bigint;
    borrowError: string;
    pausedWhileFrozen: boolean;
    unfrozenAtWad: bigint;
  };
  circuitBreaker: {
    tripped: boolean;
    reason: string;
    by: string;
    borrowError: string;
    repaidWhilePaused: bigint;
    gracePeriodError: string;
  };
  /** A saver's yield in sVUSD (scripts/demo/savings.ts). */
  savings: SavingsSceneSummary;
  exposure: { totalDebtWad: bigint; totalCollateralValueWad: bigint; vusdSupplyWad: bigint; debtByTierWad: bigint[] };
  /** The books read apart from the snapshot, in the snapshot's block: every account that deposited or borrowed,
   *  position by position, and the pool's accounts and vUSD's supply. */
  books: {
    positions: { borrower: string; debtWad: bigint; tier: number; collateralValueWad: bigint; principalWad: bigint }[];
    totalPrincipalWad: bigint;
    surplusWad: bigint;
    deficitWad: bigint;
    vusdTotalSupplyWad: bigint;
  };
  /** Compliance events emitted since deployment, by name. */
  events: Record<string, number>;
  /** The PSM swap and the flash liquidation by a keeper with no capital (scripts/demo/stablecoin.ts). */
  stablecoin: StablecoinScenes;
  /** The regulator's compliance report (scripts/report) over the demo's blocks. */
  report: {
    dir: string;
    markdownPath: string;
    events: number;
    loans: number;
    adverseActions: number;
    ruleChanges: number;
    liquidations: number;
    breakerTrips: number;
  };
}

/** Runs the whole story; shuts the nodes down and removes its temp dir whatever happens. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const startedAt = Date.now();
  const say = new Narrative(options.quiet === true);
  const dir = mkdtempSync(join(tmpdir(), "verity-demo-"));
  let nodes: RunningNode[] = [];
  let bureau: RunningBureau | undefined;
  let connection: Awaited<ReturnType<typeof network.create>> | undefined;
  try {
    say.title("Verity — credit from a neural score, rules enforced on chain (in-process demo)");

    // ---------------------------------------------------------------- setup
    say.section("Setup: deploy, approve the model, register 3 operators (k = 2), start 3 oracle nodes");
    connection = await network.create();
    const { ethers, networkHelpers } = connection;
    const signers = await ethers.getSigners();
    if (signers.length < 10) throw new Error("the in-process network needs at least 10 accounts");
    const [deployer, governance, regulator, guardian, attester, alice, bob, carol, dave, erin] = signers as [
      HardhatEthersSigner,
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
    const roles = {
      deployer: deployer,
      governance: governance,
      regulator: regulator,
      guardian: guardian,
      attester: attester,
    };
    const { system, params, model, chainId, addressBook } = await deployLocalSystem(ethers, roles, "in-process");
    const { vusd, oracle, policy, pool, weth, priceFeed, fallbackPriceFeed, wethAddress } = system;
    const poolAddress = await pool.getAddress();
    const { savingsVault } = system;
    const interfaces: Interface[] = [
      pool.interface,
      policy.interface,
      oracle.interface,
      vusd.interface,
      savingsVault.interface,
    ];
    const contracts: BaseContract[] = [pool, policy, oracle, vusd, savingsVault];
    say.ok(
      `deployed on chain ${chainId}: pool ${short(poolAddress)}, policy ${short(addressBook.contracts.supervisionPolicy)}, oracle ${short(addressBook.contracts.creditScoreOracle)}, vUSD ${short(addressBook.contracts.vusd)}`,
    );
    say.ok(`regulator approved the shipped model ${model.modelId.slice(0, 18)}… (sha256 of credit-model.onnx)`);
    say.ok(
      `regulator approved data provider "${DEMO_PROVIDER.name}" ${short(DEMO_PROVIDER.id)} (signing key ${short(DEMO_PROVIDER.signer.address)}) for the model's feature schema`,
    );

    // ---- helpers over the deployed system
    const eventsIn = (receipt: TransactionReceipt, name: string): LogDescription[] =>
      receipt.logs.flatMap((log) => {
        for (const contract of contracts) {
          try {
            const parsed = contract.interface.parseLog(log);
            if (parsed?.name === name) return [parsed];
          } catch {
            // another contract's event
          }
        }
        return [];
      });
    const eventIn = (receipt: TransactionReceipt, name: string): LogDescription => {
      const found = eventsIn(receipt, name)[0];
      if (found === undefined) throw new Error(`expected a ${name} event in transaction ${receipt.hash}`);
      return found;
    };
    const expectRevert = async (what: string, action: () => Promise<unknown>, expected: string): Promise<string> => {
      try {
        const result = await action();
        if (result !== null && typeof result === "object" && "wait" in result)
          await (result as ContractTransactionResponse).wait();
      } catch (error) {
        const decoded = describeRevert(interfaces, error);
        if (decoded?.name !== expected)
          throw new Error(`${what}: expected a ${expected} revert, got ${decoded?.text ?? (error as Error).message}`, {
            cause: error,
          });
        return decoded.text;
      }
      throw new Error(`${what}: expected a ${expected} revert, but it succeeded`);
    };
    const wallTime = () => Math.floor(Date.now() / 1000);
    let clockOffset = (await networkHelpers.time.latest()) - wallTime();
    /** The chain's time; the nodes' clock too (the demo fast-forwards the chain). */
    const chainNow = () => wallTime() + clockOffset;
    const advance = async (seconds: number) => {
      await networkHelpers.time.increase(seconds);
      clockOffset = (await networkHelpers.time.latest()) - wallTime();
    };
    let ethUsd = params.collateral.mockEthUsd;
    /** Both price sources publish `usd` (fresh rounds) and a keeper pokes the pool. */
    const publishPrice = async (usd: number) => {
      ethUsd = usd;
      await send(priceFeed.setAnswer(parseUnits(String(usd), FEED_DECIMALS)));
      await send(fallbackPriceFeed.setAnswer(parseUnits(String(usd), FEED_DECIMALS)));
      return send(pool.connect(deployer).pokePrice(wethAddress));
    };
    const tierName = (tier: number | bigint) => tierDisplayName(Number(tier), params.tiers.length);
    const tierShort = (tier: number | bigint) => tierLetter(Number(tier));
    const depositWeth = async (who: HardhatEthersSigner, ether: string) => {
      const amount = parseEther(ether);
      await send(weth.connect(who).deposit({ value: amount }));
      await send(weth.connect(who).approve(poolAddress, amount));
      await send(pool.connect(who).deposit(wethAddress, amount, who.address));
    };
    const position = async (who: string) => {
      const [debtWad, tier, collateralValueWad, healthFactorWad] = await pool.positionOf(who);
      return { debtWad, tier: Number(tier), collateralValueWad, healthFactorWad };
    };

    // ---- operators and nodes
    const operators = await registerOperators({ dir, oracle, deployer, governance });
    const { keystores, env, addresses: operatorAddresses } = operators;
    const setEvent = eventIn(operators.receipt, "OperatorSetChanged");
    say.ok(
      `governance registered operators ${operatorAddresses.map(short).join(", ")} with k = ${setEvent.args.threshold} (operator set v${setEvent.args.version}); keystores encrypted in a temp dir`,
    );
    nodes = await startOracleNodes({
      dir,
      keystores,
      env,
      provider: connection.provider,
      addressBook,
      now: chainNow,
      logLevel: (process.env.VERITY_DEMO_LOG as never) ?? "silent",
    });
    say.ok(`3 oracle nodes up (model checked against the chain): ${nodes.map((n) => n.url).join(", ")}`);

    const creditModel = await loadCreditModel(MODEL_PATH);
    const reasonTexts = new Map(
      parseReasonCodes(JSON.parse(creditModel.metadata.reason_codes ?? "{}"), creditModel.featureNames).map((r) => [
        r.code,
        r.text,
      ]),
    );
    const reasonText = (code: number) => reasonTexts.get(code) ?? `reason code ${code}`;
    const { good, risky, scanned } = await pickApplicants(creditModel);
    say.ok(
      `applicants picked from the training data by scoring ${scanned} rows: good = row ${good.rowId} (PD ${(good.pd * 100).toFixed(2)} %), risky = row ${risky.rowId} (PD ${(risky.pd * 100).toFixed(2)} %)`,
    );

    // A market maker brings vUSD liquidity (borrowed against ETH), so others can buy vUSD for interest and liquidations.
    await depositWeth(dave, "40");
    await send(pool.connect(dave).borrow(parseUnits("20000", 18)));
    say.ok(
      `market maker ${short(dave.address)} deposits 40 WETH and borrows 20,000.00 vUSD: vUSD liquidity for the story`,
    );

    // The credit bureau (the real service, with the key the deployment approved) holds each applicant's row.
    const bureauFiles = {
      featureNames: creditModel.featureNames,
      nowSec: chainNow,
      files: [
        { borrower: alice.address, fields: good.features },
        { borrower: bob.address, fields: risky.features },
      ],
    };
    bureau = await startDemoBureau({
      dir,
      chainId,
      oracle: addressBook.contracts.creditScoreOracle,
      ...bureauFiles,
      logLevel: (process.env.VERITY_DEMO_LOG as never) ?? "silent",
    });
    say.ok(
      `credit bureau ${DEMO_PROVIDER.name} up at ${bureau.url} (provider ${short(DEMO_PROVIDER.id)}, approved on chain), holding the applicants' files`,
    );

    /**
     * The borrower's dApp: signs an EIP-712 consent, fetches the file the bureau attests for the borrower over
     * HTTP, signs the application over its fields with the wallet and posts it to a node.
     */
    let nonce = 1n;
    const creditDataDomain = { chainId, verifyingContract: addressBook.contracts.creditScoreOracle };
    const runningBureau = bureau;
    const fetchCreditFile = (who: HardhatEthersSigner, _applicant: Applicant) =>
      requestCreditFile({
        url: runningBureau.url,
        signer: who,
        provider: DEMO_PROVIDER.id,
        ...creditDataDomain,
        nowSec: chainNow(),
      });
    const apply = async (who: HardhatEthersSigner, applicant: Applicant, node: RunningNode) => {
      const attested = await fetchCreditFile(who, applicant);
      const body = await signApplication(creditDataDomain, who, creditModel.featureNames, attested, {
        nonce: nonce++,
        expiry: chainNow() + 600,
      });
      const response = await fetch(`${node.url}/v1/applications`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const json = (await response.json()) as any;
      if (response.status >= 300)
        throw new Error(
          `node ${node.url} refused the application: ${response.status} ${JSON.stringify(json.error ?? json)}`,
        );
      return json;
    };

    // ---------------------------------------------------------------- 1. good borrower
    say.section("1. A good borrower applies, is scored by the quorum, borrows on tier terms and repays");
    say.step(
      `Alice ${short(alice.address)} wraps and deposits 10 WETH (at ${fmtUsd(parseUnits(String(ethUsd), 18))} per ETH)`,
    );
    await depositWeth(alice, "10");
    say.step(
      `Alice's wallet signs an EIP-712 Application over training row ${good.rowId} (19 raw fields, hashed) and posts it to node-0 (pull flow)`,
    );
    const bundle = await apply(alice, good, nodes[0]!);
    const goodPd = Number(bundle.report.pdBps);
    const [goodTier] = await policy.tierOf(goodPd);
    say.ok(
      `scored: PD ${fmtBps(goodPd)} → tier ${tierName(goodTier)}; co-signed by ${bundle.signers.length} of ${OPERATORS} operators (${bundle.signers.map(short).join(", ")}), leader ${short(bundle.leader)}`,
    );
    for (const reason of bundle.reasons as { code: number; text: string }[])
      say.detail(`reason ${reason.code}: ${reason.text}`);
    const goodTerms = await policy.termsOf(goodTier);
    say.step(
      `tier ${tierShort(goodTier)} terms: max LTV ${fmtBps(goodTerms.maxLtvBps)}, liquidation threshold ${fmtBps(goodTerms.liquidationThresholdBps)}, APR ${fmtBps(goodTerms.aprBps)}, credit limit ${fmtVusd(goodTerms.creditLimitWad)}`,
    );
    const goodBorrow = parseUnits("15000", 18);
    const report = {
      ...bundle.report,
      operatorSetVersion: BigInt(bundle.report.operatorSetVersion),
      issuedAt: BigInt(bundle.report.issuedAt),
      validUntil: BigInt(bundle.report.validUntil),
    };
    const originated = eventIn(
      await send(pool.connect(alice).borrowWithReport(goodBorrow, report, bundle.signatures)),
      "LoanOriginated",
    );
    say.ok(
      `borrowWithReport: score posted and LoanOriginated ${fmtVusd(originated.args.amountWad)} in tier ${tierShort(originated.args.tier)} at PD ${fmtBps(originated.args.pdBps)}, LTV ${fmtBps(originated.args.ltvBps)}`,
    );
    say.step("30 days pass…");
    await advance(30 * DAY);
    await publishPrice(ethUsd);
    const aliceBefore = await position(alice.address);
    const interest = aliceBefore.debtWad - goodBorrow;
    say.step(
      `Alice owes ${fmtVusd(aliceBefore.debtWad)} (interest ${fmtVusd(interest)} at ${fmtBps(goodTerms.aprBps)} APR); she buys 100.00 vUSD from the market maker`,
    );
    await send(vusd.connect(dave).transfer(alice.address, parseUnits("100", 18)));
    await send(vusd.connect(alice).approve(poolAddress, MaxUint256));
    const repaidEvent = eventIn(await send(pool.connect(alice).repay(alice.address, MaxUint256)), "LoanRepaid");
    say.ok(
      `LoanRepaid ${fmtVusd(repaidEvent.args.amountWad)} (interest ${fmtVusd(repaidEvent.args.interestWad)} to the protocol's surplus), debt left ${fmtVusd(repaidEvent.args.debtLeftWad)}`,
    );
    await send(pool.connect(alice).withdraw(wethAddress, parseEther("10"), alice.address));
    say.ok(`Alice withdraws her 10 WETH; position closed`);

    // ---------------------------------------------------------------- 2. an edited credit file
    say.section("2. An applicant edits one field of the attested credit file: every node refuses it");
    importDemoFiles(bureau, bureauFiles);
    say.step(
      "the bureau refreshes its files: a month has passed, and nodes refuse data older than their maximum age (intake.creditFileMaxAgeSec)",
    );
    say.step(
      `Bob ${short(bob.address)} fetches his file from ${DEMO_PROVIDER.name} (training row ${risky.rowId}), changes one field and signs an application over the edited values`,
    );
    const editedFile = await applyWithEditedFile({
      params: creditDataDomain,
      applicant: bob,
      featureNames: creditModel.featureNames,
      attested: await fetchCreditFile(bob, risky),
      nodes: nodes.map((node, i) => ({ id: `node-${i}`, url: node.url })),
      nonce: nonce++,
      expiry: chainNow() + 600,
    });
    say.detail(`${editedFile.field}: attested ${editedFile.attested}, claimed ${editedFile.claimed}`);
    for (const refusal of editedFile.refusals)
      say.denied(`${refusal.node} → ${refusal.status} ${refusal.code}: ${refusal.message}`);

    // ---------------------------------------------------------------- 3. risky applicant
    say.section("3. A risky applicant: adverse action with reason codes");
    say.step(`Bob signs an application over his file as attested and posts it to node-1`);
    const riskyBundle = await apply(bob, risky, nodes[1]!);
    say.ok(
      `scored: PD ${fmtBps(riskyBundle.report.pdBps)}, co-signed by ${riskyBundle.signers.length} operators; Bob's dApp posts the report on chain (submitScore)`,
    );
    const riskyReport = {
      ...riskyBundle.report,
      operatorSetVersion: BigInt(riskyBundle.report.operatorSetVersion),
      issuedAt: BigInt(riskyBundle.report.issuedAt),
      validUntil: BigInt(riskyBundle.report.validUntil),
    };
    const submitted = await send(oracle.connect(bob).submitScore(riskyReport, riskyBundle.signatures));
    eventIn(submitted, "ScorePosted");
    const adverse = eventIn(submitted, "AdverseAction");
    const riskyPd = Number(adverse.args.pdBps);
    const riskyCodes = [...adverse.args.reasonCodes].map(Number).filter((code) => code !== 0);
    const threshold = await policy.approvalThresholdBps();
    say.ok(`ScorePosted and AdverseAction on chain — PD ${fmtBps(riskyPd)} > approval threshold ${fmtBps(threshold)}`);
    say.step("principal reasons (codes from the chain event, texts from the model's reason-code table):");
    for (const code of riskyCodes) say.detail(`${code}: ${reasonText(code)}`);
    await depositWeth(bob, "2");
    const declined = await expectRevert(
      "Bob's borrow",
      () => pool.connect(bob).borrow(parseUnits("500", 18)),
      "SupervisionRuleViolated",
    );
    say.denied(`Bob deposits 2 WETH and tries to borrow 500.00 vUSD → reverted ${declined}`);

    // ---------------------------------------------------------------- 3. unscored borrower
    say.section("4. An unscored borrower borrows on the most conservative tier");
    const carolScore = await oracle.scoreOf(carol.address);
    say.step(`Carol ${short(carol.address)} has no score (valid = ${carolScore.valid}); she deposits 5 WETH`);
    await depositWeth(carol, "5");
    const conservativeTier = params.tiers.length - 1;
    const dTerms = await policy.termsOf(conservativeTier);
    const carolBorrow = parseUnits("7300", 18);
    const carolLoan = eventIn(await send(pool.connect(carol).borrow(carolBorrow)), "LoanOriginated");
    say.ok(
      `LoanOriginated ${fmtVusd(carolLoan.args.amountWad)} in tier ${tierName(carolLoan.args.tier)}: max LTV ${fmtBps(dTerms.maxLtvBps)}, APR ${fmtBps(dTerms.aprBps)}, credit limit ${fmtVusd(dTerms.creditLimitWad)}; her LTV ${fmtBps(carolLoan.args.ltvBps)}`,
    );

    // ---------------------------------------------------------------- 4. regulator changes a rule
    say.section("5. The regulator changes a rule through the timelock");
    const rule = "DEBT_CEILING";
    const newCeiling = parseUnits("5000000", 18);
    const scheduled = eventIn(
      await send(policy.connect(regulator).scheduleRuleChange(ruleId(rule), newCeiling)),
      "RuleChangeScheduled",
    );
    const changeId: string = scheduled.args.changeId;
    say.ok(
      `RuleChangeScheduled ${describeRule(scheduled.args.rule).name}: ${fmtVusd(scheduled.args.oldValue)} → ${fmtVusd(scheduled.args.newValue)}, executable at ${fmtTime(scheduled.args.executableAt)} (visible on chain before it applies)`,
    );
    const early = await expectRevert(
      "executing early",
      () => policy.connect(regulator).executeRuleChange(changeId),
      "SupervisionChangeNotReady",
    );
    say.denied(`executing it now → reverted ${early}`);
    const delay = Number(await policy.ruleValue(ruleId("TIMELOCK_DELAY")));
    say.step(`${delay / DAY} days (the timelock delay) pass…; the price feed publishes a fresh round`);
    await advance(delay);
    await publishPrice(ethUsd);
    const changed = eventIn(await send(policy.connect(regulator).executeRuleChange(changeId)), "RuleChanged");
    say.ok(
      `RuleChanged ${describeRule(changed.args.rule).name}: ${fmtVusd(changed.args.oldValue)} → ${fmtVusd(changed.args.newValue)}; policy now reads ${fmtVusd(await policy.ruleValue(ruleId(rule)))}`,
    );

    // ---------------------------------------------------------------- 5. price drop → liquidation
    say.section("6. A price drop makes a leveraged position unhealthy; a liquidator steps in");
    const dropTo = Math.round(ethUsd * 0.75);
    const dropped = eventIn(await publishPrice(dropTo), "PriceAccepted");
    say.ok(
      `ETH/USD ${fmtUsd(parseUnits("3000", 18))} → ${fmtUsd(dropped.args.priceWad)} (−25 %, within the ${fmtBps(await policy.ruleValue(ruleId("MAX_PRICE_DEVIATION")))} deviation bound): PriceAccepted`,
    );
    const carolBefore = await position(carol.address);
    say.step(
      `Carol: debt ${fmtVusd(carolBefore.debtWad)}, collateral ${fmtUsd(carolBefore.collateralValueWad)}, health factor ${fmtHf(carolBefore.healthFactorWad)} (< 1: liquidatable at the ${fmtBps(dTerms.liquidationThresholdBps)} threshold)`,
    );
    if (carolBefore.healthFactorWad >= 10n ** 18n)
      throw new Error("Carol's position should be unhealthy after the price drop");
    await send(vusd.connect(dave).transfer(erin.address, parseUnits("5000", 18)));
    await send(vusd.connect(erin).approve(poolAddress, MaxUint256));
    const liquidated = eventIn(
      await send(pool.connect(erin).liquidate(carol.address, wethAddress, carolBefore.debtWad / 2n)),
      "PositionLiquidated",
    );
    const seizedValue: bigint = (BigInt(liquidated.args.collateralSeized) * BigInt(dropped.args.priceWad)) / 10n ** 18n;
    const bonus: bigint = seizedValue - BigInt(liquidated.args.debtRepaidWad);
    const carolAfter = await position(carol.address);
    say.ok(
      `Erin ${short(erin.address)} liquidates: PositionLiquidated — repaid ${fmtVusd(liquidated.args.debtRepaidWad)}, seized ${fmtEth(liquidated.args.collateralSeized)} (${fmtUsd(seizedValue)}, bonus ${fmtUsd(bonus)}), bad debt ${fmtVusd(liquidated.args.badDebtWad)}`,
    );
    say.step(`Carol after: debt ${fmtVusd(carolAfter.debtWad)}, health factor ${fmtHf(carolAfter.healthFactorWad)}`);

    // ---------------------------------------------------------------- 7. one-source jump → asset freeze; pause
    say.section("7. A jump only one price source shows freezes ETH, not the protocol; pausing is the guardian's call");
    const jumpTo = Math.round(ethUsd * 1.5);
    await send(priceFeed.setAnswer(parseUnits(String(jumpTo), FEED_DECIMALS)));
    const frozen = eventIn(await send(pool.connect(deployer).pokePrice(wethAddress)), "AssetFrozen");
    const pausedWhileFrozen = await policy.paused();
    say.ok(
      `the primary feed jumps to ${fmtUsd(parseUnits(String(jumpTo), 18))}, the fallback still reads ${fmtUsd(frozen.args.fallbackPriceWad)}; pokePrice → AssetFrozen(${describeRule(frozen.args.reason).name}); paused = ${pausedWhileFrozen}`,
    );
    const frozenBorrow = await expectRevert(
      "borrowing against a frozen asset",
      () => pool.connect(dave).borrow(parseUnits("100", 18)),
      "LendingPoolAssetFrozen",
    );
    say.denied(`the market maker tries to borrow 100.00 vUSD against ETH → reverted ${frozenBorrow}`);
    say.step("the fallback source confirms the new level; the next check lifts the freeze");
    const unfrozen = eventIn(await publishPrice(jumpTo), "AssetUnfrozen");
    say.ok(
      `AssetUnfrozen at ${fmtUsd(unfrozen.args.priceWad)}: both sources agree within ${fmtBps(await policy.ruleValue(ruleId("PRICE_SOURCE_TOLERANCE")))}`,
    );
    const tripped = eventIn(await send(policy.connect(guardian).pause()), "CircuitBreakerTripped");
    say.ok(
      `the guardian pauses the protocol by hand: CircuitBreakerTripped(${describeRule(tripped.args.reason).name}); paused = ${await policy.paused()}`,
    );
    const pausedBorrow = await expectRevert(
      "borrowing while paused",
      () => pool.connect(dave).borrow(parseUnits("100", 18)),
      "SupervisionPaused",
    );
    say.denied(`the market maker tries to borrow 100.00 vUSD → reverted ${pausedBorrow}`);
    const repaidPaused = eventIn(
      await send(vusd.connect(dave).approve(poolAddress, MaxUint256)).then(() =>
        send(pool.connect(dave).repay(dave.address, parseUnits("1000", 18))),
      ),
      "LoanRepaid",
    );
    say.ok(`repaying still works while paused: LoanRepaid ${fmtVusd(repaidPaused.args.amountWad)}`);
    const reset = eventIn(await send(policy.connect(regulator).unpause()), "CircuitBreakerReset");
    say.ok(
      `the regulator resets the breaker: CircuitBreakerReset, liquidations resume at ${fmtTime(reset.args.liquidationsResumeAt)}`,
    );
    const grace = await expectRevert(
      "liquidations in the grace period",
      () => policy.requireLiquidationsAllowed(),
      "SupervisionLiquidationGracePeriod",
    );
    say.denied(`a liquidation now would revert ${grace}: borrowers get time to top up`);
    const resumed = eventIn(await send(pool.connect(dave).borrow(parseUnits("100", 18))), "LoanOriginated");
    say.ok(
      `borrowing works again: LoanOriginated ${fmtVusd(resumed.args.amountWad)} (tier ${tierShort(resumed.args.tier)})`,
    );

    // ---------------------------------------------------------------- 8. a saver's yield
    say.section("8. A saver's yield: sVUSD earns its share of the interest borrowers actually pay");
    const saver = signers[10];
    if (saver === undefined) throw new Error("the in-process network needs at least 11 accounts");
    const savings = await savingsScene({
      say,
      vusd,
      pool,
      policy,
      vault: savingsVault,
      saver,
      borrower: dave,
      send,
      advanceDays: async (days) => {
        await advance(days * DAY);
        await publishPrice(ethUsd);
      },
    });

    // ---------------------------------------------------------------- 9. the regulator's view
    say.section("9. The regulator's view: exposure snapshot and compliance events");
    const snapshotReceipt = await send(pool.publishExposureSnapshot());
    const snapshot = eventIn(snapshotReceipt, "ExposureSnapshot");
    const exposure = {
      totalDebtWad: snapshot.args.totalDebtWad as bigint,
      totalCollateralValueWad: snapshot.args.totalCollateralValueWad as bigint,
      vusdSupplyWad: snapshot.args.vusdSupplyWad as bigint,
      debtByTierWad: [...snapshot.args.debtByTierWad] as bigint[],
    };
    say.ok(
      `ExposureSnapshot: total debt ${fmtVusd(exposure.totalDebtWad)}, collateral ${fmtUsd(exposure.totalCollateralValueWad)}, vUSD supply ${fmtVusd(exposure.vusdSupplyWad)}`,
    );
    exposure.debtByTierWad.forEach((debt, tier) => say.detail(`tier ${tierShort(tier)}: ${fmtVusd(debt)}`));
    const [totalPrincipal, surplus, deficit] = await pool.accounts();
    say.step(
      `accounts: principal ${fmtVusd(totalPrincipal)}, surplus ${fmtVusd(surplus)}, deficit ${fmtVusd(deficit)} (supply + surplus = principal + deficit: ${exposure.vusdSupplyWad + surplus === totalPrincipal + deficit ? "holds" : "BROKEN"})`,
    );

    const head = await ethers.provider.getBlockNumber();
    const logs = await ethers.provider.getLogs({
      fromBlock: system.deployedAtBlock,
      toBlock: head,
      address: contracts.map((c) => c.target as string),
    });
    const events: Record<string, number> = {};
    const accountsWithPositions = new Set<string>();
    for (const log of logs) {
      for (const iface of interfaces) {
        try {
          const parsed = iface.parseLog(log);
          if (parsed !== null) {
            events[parsed.name] = (events[parsed.name] ?? 0) + 1;
            if (parsed.name === "CollateralDeposited" || parsed.name === "LoanOriginated")
              accountsWithPositions.add(parsed.args.borrower as string);
            break;
          }
        } catch {
          // not this contract's event
        }
      }
    }
    const COMPLIANCE = [
      "LoanOriginated",
      "LoanRepaid",
      "PositionLiquidated",
      "ScorePosted",
      "AdverseAction",
      "RuleChangeScheduled",
      "RuleChanged",
      "ModelProposed",
      "ModelApproved",
      "DataProviderApproved",
      "CircuitBreakerTripped",
      "CircuitBreakerReset",
      "AssetFrozen",
      "AssetUnfrozen",
      "OperatorSetChanged",
      "SavingsYieldPaid",
      "ExposureSnapshot",
    ];
    say.step(`compliance events on chain, blocks ${system.deployedAtBlock}..${head}:`);
    say.detail(COMPLIANCE.map((name) => `${name} ${events[name] ?? 0}`).join(" · "));

    // The same books read another way, in the snapshot's block: position by position, and the pool's accounts.
    const atSnapshot = { blockTag: snapshotReceipt.blockNumber };
    const positions = await Promise.all(
      [...accountsWithPositions].map(async (borrower) => {
        const [debtWad, tier, collateralValueWad] = await pool.positionOf(borrower, atSnapshot);
        return {
          borrower,
          debtWad,
          tier: Number(tier),
          collateralValueWad,
          principalWad: await pool.principalOf(borrower, atSnapshot),
        };
      }),
    );
    const [booksPrincipal, booksSurplus, booksDeficit] = await pool.accounts(atSnapshot);
    const books = {
      positions,
      totalPrincipalWad: booksPrincipal,
      surplusWad: booksSurplus,
      deficitWad: booksDeficit,
      vusdTotalSupplyWad: await vusd.totalSupply(atSnapshot),
    };

    say.step("the regulator's compliance report over the whole run (scripts/report)…");
    const complianceReport = await buildComplianceReport({
      provider: ethers.provider,
      addressBook,
      fromBlock: system.deployedAtBlock,
      toBlock: head,
    });
    const reportDir = join(options.reportsDir ?? REPORTS_DIR, `demo-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    const written = await writeComplianceReport(complianceReport, reportDir);
    const analysis = complianceReport.analysis;
    const reportSummary = {
      dir: reportDir,
      markdownPath: written.markdownPath,
      events: complianceReport.events.length,
      loans: analysis.exposure.totals.loans,
      adverseActions: analysis.adverseActions.count,
      ruleChanges: analysis.ruleChanges.length,
      liquidations: analysis.liquidations.count,
      breakerTrips: analysis.circuitBreaker.trips,
    };
    say.ok(
      `compliance report written to ${relative(process.cwd(), written.markdownPath)} (${written.csvPaths.length} CSV files, ${written.chartPaths.length} charts)`,
    );
    say.detail(
      `blocks ${complianceReport.meta.fromBlock}–${complianceReport.meta.toBlock}: ${reportSummary.events} compliance events`,
    );
    say.detail(
      `loans originated: ${reportSummary.loans} (${formatVusd(analysis.exposure.totals.originatedWad)} vUSD); principal outstanding ${formatVusd(complianceReport.state.totalPrincipalWad)} vUSD`,
    );
    say.detail(
      `scores: ${analysis.scores.models.reduce((sum, m) => sum + m.scores, 0)}; adverse actions: ${reportSummary.adverseActions}; rule changes: ${reportSummary.ruleChanges}; liquidations: ${reportSummary.liquidations}; circuit-breaker trips: ${reportSummary.breakerTrips}${complianceReport.state.paused ? " (PAUSED now)" : ""}`,
    );

    const [user, maker, victim] = signers.slice(10, 13);
    if (user === undefined || maker === undefined || victim === undefined)
      throw new Error("the in-process network needs at least 13 accounts");
    const stablecoin = await playStablecoinScenes({
      ethers,
      time: networkHelpers.time,
      system,
      params,
      regulator,
      funder: deployer,
      user,
      maker,
      victim,
      say,
    });

    const summary: DemoSummary = {
      runtimeMs: Date.now() - startedAt,
      addressBook,
      operators: operatorAddresses,
      good: {
        rowId: good.rowId,
        pdBps: goodPd,
        tier: Number(goodTier),
        tierName: tierName(goodTier),
        originatedTier: Number(originated.args.tier),
        borrowedWad: goodBorrow,
        interestWad: repaidEvent.args.interestWad,
        repaidWad: repaidEvent.args.amountWad,
        debtLeftWad: repaidEvent.args.debtLeftWad,
        reasons: (bundle.reasons as { text: string }[]).map((r) => r.text),
      },
      risky: {
        rowId: risky.rowId,
        pdBps: riskyPd,
        reasonCodes: riskyCodes,
        reasons: riskyCodes.map(reasonText),
        borrowError: declined,
      },
      editedFile,
      bureau: bureau.store.counts(),
      unscored: { tier: Number(carolLoan.args.tier), conservativeTier, borrowedWad: carolBorrow },
      ruleChange: {
        rule,
        oldValue: changed.args.oldValue,
        newValue: changed.args.newValue,
        scheduled: true,
        executed: true,
        earlyError: early,
      },
      liquidation: {
        borrower: carol.address,
        healthFactorBefore: carolBefore.healthFactorWad,
        healthFactorAfter: carolAfter.healthFactorWad,
        repaidWad: liquidated.args.debtRepaidWad,
        seized: liquidated.args.collateralSeized,
        bonusWad: bonus,
      },
      priceFreeze: {
        reason: describeRule(frozen.args.reason).name,
        primaryWad: frozen.args.primaryPriceWad,
        fallbackWad: frozen.args.fallbackPriceWad,
        borrowError: frozenBorrow,
        pausedWhileFrozen,
        unfrozenAtWad: unfrozen.args.priceWad,
      },
      circuitBreaker: {
        tripped: true,
        reason: describeRule(tripped.args.reason).name,
        by: tripped.args.by,
        borrowError: pausedBorrow,
        repaidWhilePaused: repaidPaused.args.amountWad,
        gracePeriodError: grace,
      },
      savings,
      exposure,
      books,
      events,
      stablecoin,
      report: reportSummary,
    };
    say.section("Done");
    say.ok(`the whole story ran in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    return summary;
  } finally {
    const results = await Promise.allSettled(nodes.map((node) => node.shutdown("demo finished")));
    if (bureau !== undefined) await bureau.shutdown("demo finished");
    rmSync(dir, { recursive: true, force: true });
    await connection?.close();
    const failed = results.filter((r) => r.status === "rejected").length;
    if (nodes.length > 0)
      say.line(`  (${nodes.length - failed} of ${nodes.length} oracle nodes shut down cleanly; temp dir removed)`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runDemo();
    process.exit(0);
  } catch (error) {
    console.error(`\n✘ demo failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack !== undefined)
      console.error(error.stack.split("\n").slice(1, 6).join("\n"));
    process.exit(1);
  }
}
