/**
 * One stress run on Hardhat's in-process network: deploys the real system (scripts/deploy/deploy-system.ts), opens
 * the PSM, seeds the DEX pool, opens every borrower's position through the real paths (a bureau-signed credit file,
 * operators' EIP-712 ScoreReport signatures, k of n, posted with `borrowWithReport`; declined or unscored borrowers
 * use `borrow`), then plays the scenario step by step: the exogenous path with fire-sale impact, Chainlink-like
 * publication on both ETH/USD sources (and the PSM's stablecoin feed), a poke, the arbitrageur, the keepers.
 */
import { MaxUint256, Wallet, id, parseEther, parseUnits, type Interface } from "ethers";
import { network } from "hardhat";

import { hashCreditFile } from "../../oracle/src/protocol/credit-file.js";
import { ruleId } from "../../oracle/src/protocol/rules.js";
import {
  packSignatures,
  scoreReportDomain,
  signScoreReport,
  type ScoreReport,
} from "../../oracle/src/signing/index.js";
import {
  approveDataProviders,
  approveModel,
  deploySystem,
  openPsm,
  type ShippedModel,
} from "../deploy/deploy-system.js";
import { defaultParameters, type DeploymentParameters } from "../deploy/parameters.js";
import { DEMO_PROVIDER, attestCreditFile } from "../lib/attested-application.js";
import type { LendingPool } from "../../types/ethers-contracts/index.js";
import { keeperStep, type LiquidationRecord, seizurePriceWad } from "./keeper.js";
import { FireSaleMarket } from "./market.js";
import { HF_BUCKETS, UNDERWATER_HF, WaitTracker, bucketOf, type StepSample } from "./metrics.js";
import { plannedDebtVusd, type Borrower } from "./population.js";
import {
  FALLBACK_FEED,
  FEED_TO_WAD,
  FeedPublisher,
  laggedPrice,
  PRIMARY_FEED,
  STABLECOIN_FEED,
  TX,
} from "./publication.js";
import type { Scenario } from "./scenarios.js";

const YEAR = 365 * 24 * 3600;
const OPERATORS = 3;
const THRESHOLD = 2;
const fromWad = (x: bigint) => Number(x) / 1e18;

export type TermsMode = "scored" | "unscored";

export interface RunOptions {
  scenario: Scenario;
  borrowers: Borrower[];
  featureNames: readonly string[];
  model: ShippedModel;
  /** "unscored": every borrower on the conservative tier's terms (no score posted). */
  mode: TermsMode;
  depthWeth: number;
  resilienceHalfLifeSec: number;
  keepers: boolean;
  /** The fallback source's latency, seconds (it observes the market price this long ago). */
  fallbackLagSec: number;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  /** Called at the end, before the network closes: the test reads the chain's own record through it. */
  inspect?: (chain: ChainView) => Promise<void>;
}

/** The chain at the end of a run, for an independent check of what the run reports. */
export interface ChainView {
  scenario: string;
  mode: TermsMode;
  pool: LendingPool;
  /** First block of the scenario (after the positions were opened). */
  fromBlock: number;
  deficitBeforeWad: bigint;
}

export interface BorrowerOutcome {
  index: number;
  tier: number;
  startDebtVusd: number;
  liquidations: number;
  repaidVusd: number;
  badDebtVusd: number;
}

export interface RunResult {
  scenario: string;
  mode: TermsMode;
  keepers: boolean;
  depthWeth: number;
  startPriceUsd: number;
  positions: number;
  startDebtVusd: number;
  startCollateralUsd: number;
  debtByTierVusd: number[];
  badDebtVusd: number;
  badDebtPctOfStartDebt: number;
  /** The pool's deficit after minus before (`accounts()`), and its surplus before and after. */
  deficitChangeVusd: number;
  deficitChangeWad: string;
  badDebtWad: string;
  surplusBeforeVusd: number;
  surplusAfterVusd: number;
  maxUnderwaterWaitSec: number;
  worstWait: { borrower: number; atSec: number } | undefined;
  positionsStillUnderwater: number;
  /** Debt left on positions below HF 1 at the end, less their collateral at the market price (not yet realised). */
  unrealisedShortfallVusd: number;
  hoursFrozen: number;
  hoursPaused: number;
  hoursNotLive: number;
  hoursPsmFrozen: number;
  liquidations: number;
  liquidatedVusd: number;
  failedLiquidations: Record<string, number>;
  minVusdDexUsd: number;
  maxVusdDexUsd: number;
  minMarketUsd: number;
  finalImpact: number;
  feedRounds: { primary: number; fallback: number };
  samples: StepSample[];
  outcomes: BorrowerOutcome[];
  setupSec: number;
  simulateSec: number;
  runtimeSec: number;
}

/** The rulebook the stress test runs on: the defaults, with the PSM's limits raised so market makers can seed the pool. */
export function stressParameters(operators: string[]): DeploymentParameters {
  return {
    ...defaultParameters,
    psm: { ...defaultParameters.psm, minterCap: "1000000000", exposureLimit: "1000000000" },
    oracle: { operators, threshold: THRESHOLD },
  };
}

interface Mirror {
  borrower: Borrower;
  tier: number;
  ltBps: number;
  aprBps: number;
  collateral: number;
  debt: number;
  startDebt: number;
  liquidations: number;
  repaid: number;
  badDebt: number;
}

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const say = options.progress ?? (() => {});
  const { scenario, borrowers, mode } = options;
  const connection = await network.create();
  try {
    const { ethers, networkHelpers } = connection;
    const signers = await ethers.getSigners();
    const [deployer, governance, regulator, guardian, attester, maker, arb, keeper, funder] = signers;
    if (funder === undefined) throw new Error("the in-process network needs at least 9 accounts");
    const operators = Array.from({ length: OPERATORS }, (_, i) => new Wallet(id(`verity:stress:operator:${i}`)));
    const params = stressParameters(operators.map((o) => o.address));
    const roles = {
      deployer: deployer!,
      governance: governance!,
      regulator: regulator!,
      guardian: guardian!,
      attester: attester!,
    };
    const system = await deploySystem(ethers, roles, params);
    const {
      pool,
      oracle,
      policy,
      vusd,
      weth,
      priceFeed,
      fallbackPriceFeed,
      psm,
      psmStablecoin,
      psmPriceFeed,
      flashMinter,
      wethAddress,
    } = system;
    if (
      weth === undefined ||
      priceFeed === undefined ||
      fallbackPriceFeed === undefined ||
      psmStablecoin === undefined ||
      psmPriceFeed === undefined
    ) {
      throw new Error(
        "the stress test needs the local mocks (WETH, both ETH/USD feeds, the PSM's stablecoin and feed)",
      );
    }
    await approveModel(oracle, regulator!, options.model);
    await approveDataProviders(oracle, regulator!, params.dataProviders, options.featureNames);
    await openPsm(system, regulator!, params, networkHelpers.time);

    const startPrice = params.collateral.mockEthUsd;
    const latest = async () => networkHelpers.time.latest();
    const primary = new FeedPublisher(PRIMARY_FEED, priceFeed, startPrice, await latest());
    const fallback = new FeedPublisher(FALLBACK_FEED, fallbackPriceFeed, startPrice, await latest());
    const stable = new FeedPublisher(STABLECOIN_FEED, psmPriceFeed, 1, await latest());
    const refreshFeeds = async (ethUsd: number) => {
      const now = await latest();
      await primary.publish(now, ethUsd);
      await fallback.publish(now, ethUsd);
      await stable.publish(now, stable.lastAnswerUsd);
      await (await pool.pokePrice(wethAddress, TX)).wait();
    };
    await refreshFeeds(startPrice);

    await networkHelpers.setBalance(arb!.address, parseEther("1000000"));
    await networkHelpers.setBalance(maker!.address, parseEther(String(options.depthWeth + 1000)));
    const market = await FireSaleMarket.open(
      ethers,
      { weth, vusd, psm, usdc: psmStablecoin, maker: maker!, arb: arb! },
      startPrice,
      {
        depthWeth: options.depthWeth,
        resilienceHalfLifeSec: options.resilienceHalfLifeSec,
      },
    );
    const vusdAddress = await vusd.getAddress();
    const liquidator = await ethers.deployContract(
      "FlashLiquidator",
      [await pool.getAddress(), await flashMinter.getAddress(), market.dexAddress, vusdAddress],
      deployer,
    );
    await networkHelpers.setBalance(keeper!.address, parseEther("1000000"));

    // ---- positions
    const poolAddress = await pool.getAddress();
    const conservative = params.tiers.length - 1;
    const totalCollateral = borrowers.reduce((sum, b) => sum + parseEther(b.collateralWeth.toFixed(6)), 0n);
    await networkHelpers.setBalance(funder.address, totalCollateral + parseEther("1000000"));
    await (await weth.connect(funder).deposit({ value: totalCollateral })).wait();
    await (await weth.connect(funder).approve(poolAddress, MaxUint256)).wait();
    const chainId = (await ethers.provider.getNetwork()).chainId;
    const oracleAddress = await oracle.getAddress();
    const domain = scoreReportDomain(chainId, oracleAddress);
    const creditDomain = { chainId, verifyingContract: oracleAddress };
    const operatorSetVersion = (await oracle.operatorSet()).version;
    const dailyLimit = Number(params.rules.dailyOriginationLimit) * 0.95;
    let originatedToday = 0;
    const mirrors: Mirror[] = [];
    for (const b of borrowers) {
      const tier = mode === "scored" ? b.tier : conservative;
      const amount = plannedDebtVusd(params, b, tier, startPrice);
      if (originatedToday + amount > dailyLimit) {
        // DAILY_ORIGINATION_LIMIT: the book is built over several days, prices refreshed each morning.
        await networkHelpers.time.increase(24 * 3600);
        await refreshFeeds(startPrice);
        originatedToday = 0;
      }
      originatedToday += amount;
      await (
        await pool.connect(funder).deposit(wethAddress, parseEther(b.collateralWeth.toFixed(6)), b.address, TX)
      ).wait();
      await networkHelpers.setBalance(b.address, parseEther("10"));
      const signer = await ethers.getImpersonatedSigner(b.address);
      const amountWad = parseUnits(amount.toFixed(2), 18);
      if (mode === "scored" && b.approved) {
        const now = await latest();
        const attested = await attestCreditFile(creditDomain, b.address, options.featureNames, b.features, {
          nowSec: now,
        });
        const report: ScoreReport = {
          borrower: b.address,
          pdBps: b.pdBps,
          reasonCodes: b.reasonCodes,
          modelId: options.model.modelId,
          operatorSetVersion,
          issuedAt: BigInt(now),
          validUntil: BigInt(now + 90 * 24 * 3600),
          creditFileHash: hashCreditFile(creditDomain, attested.creditFile),
          provider: DEMO_PROVIDER.id,
        };
        const signatures = packSignatures(
          await Promise.all(operators.slice(0, THRESHOLD).map((o) => signScoreReport(o, domain, report))),
        );
        await (await pool.connect(signer).borrowWithReport(amountWad, report, signatures, TX)).wait();
      } else {
        await (await pool.connect(signer).borrow(amountWad, TX)).wait();
      }
      const [debtWad, onChainTier] = await pool.positionOf(b.address);
      const terms = params.tiers[Number(onChainTier)]!;
      const debt = fromWad(debtWad);
      mirrors.push({
        borrower: b,
        tier: Number(onChainTier),
        ltBps: terms.liquidationThresholdBps,
        aprBps: terms.aprBps,
        collateral: b.collateralWeth,
        debt,
        startDebt: debt,
        liquidations: 0,
        repaid: 0,
        badDebt: 0,
      });
      if ((b.index + 1) % 100 === 0)
        say(`  [${scenario.name}/${mode}] opened ${b.index + 1}/${borrowers.length} positions`);
    }
    const byAddress = new Map(mirrors.map((m) => [m.borrower.address, m]));
    const [, surplusBefore, deficitBefore] = await pool.accounts();
    const frozenLimitWad = (await policy.ruleValue(ruleId("FROZEN_LIQUIDATION_HEALTH"))) * 10n ** 14n;
    const maxPriceAge = params.collateral.maxPriceAgeSec;
    const setupSec = (performance.now() - started) / 1000;

    // ---- the scenario
    const interfaces: Interface[] = [
      pool.interface,
      liquidator.interface,
      flashMinter.interface,
      market.dex.interface,
      policy.interface,
      vusd.interface,
    ];
    const keeperContext = {
      pool,
      dex: market.dex,
      closeFactorBps: BigInt(params.pool.closeFactorBps),
      liquidationBonusBps: BigInt(params.pool.liquidationBonusBps),
      minDebtWad: parseUnits(params.pool.minDebt, 18),
      liquidator,
      keeper: keeper!,
      wethAddress,
      vusdAddress,
      interfaces,
    };
    const fromBlock = (await ethers.provider.getBlockNumber()) + 1;
    const t0 = (await latest()) + 60;
    const waits = new WaitTracker();
    const samples: StepSample[] = [];
    const failures: Record<string, number> = {};
    const marketHistory: number[] = [];
    let badDebtWad = 0n;
    let liquidationCount = 0;
    let liquidatedVusd = 0;
    let prevLive = true;
    const steps = scenario.path.length - 1;
    const simStarted = performance.now();
    for (let i = 0; i <= steps; i++) {
      const t = t0 + i * scenario.stepSec;
      if (t > (await latest())) await networkHelpers.time.setNextBlockTimestamp(t);
      const rel = i * scenario.stepSec;
      const exo = startPrice * scenario.path[i]!;
      const marketUsd = market.marketPrice(exo);
      marketHistory.push(marketUsd);
      if (i > 0) for (const m of mirrors) m.debt *= Math.exp((m.aprBps / 10_000) * (scenario.stepSec / YEAR));

      // Publication: primary (unless in an outage), fallback one step late, the PSM's stablecoin.
      const down = scenario.primaryOutages.some((o) => rel >= o.fromSec && rel < o.toSec);
      await primary.maybePublish(t, marketUsd, down);
      await fallback.maybePublish(t, laggedPrice(marketHistory, i, scenario.stepSec, options.fallbackLagSec), false);
      await stable.maybePublish(t, scenario.stablecoinUsd?.[i] ?? 1, false);
      await (await pool.pokePrice(wethAddress, TX)).wait();
      const [agreedWad, frozen] = await pool.priceStatusOf(wethAddress);
      const paused = await policy.paused();
      const now = await latest();
      const live = primary.isFresh(now, maxPriceAge) && fallback.isFresh(now, maxPriceAge);
      const priceWad = seizurePriceWad(
        agreedWad,
        frozen,
        primary.isFresh(now, maxPriceAge) ? (await priceFeed.latestRoundData())[1] * FEED_TO_WAD : null,
        fallback.isFresh(now, maxPriceAge) ? (await fallbackPriceFeed.latestRoundData())[1] * FEED_TO_WAD : null,
      );
      const agreedUsd = fromWad(agreedWad);
      const seizureUsd = fromWad(priceWad);

      // The arbitrageur, then the keepers.
      await market.realign(marketUsd, now + 3600);
      const underwater = mirrors
        .filter((m) => m.debt > 0 && (m.collateral * marketUsd * m.ltBps) / 10_000 / m.debt < UNDERWATER_HF)
        .map((m) => m.borrower.index);
      waits.observe(underwater, prevLive && live ? scenario.stepSec : 0, rel);
      prevLive = live;
      let stepLiquidations: LiquidationRecord[] = [];
      let stepFailures = 0;
      if (options.keepers) {
        const limit = frozen ? fromWad(frozenLimitWad) : 1;
        const candidates = mirrors
          .map((m) => ({
            m,
            hf: m.debt > 0 && m.collateral > 0 ? (m.collateral * seizureUsd * m.ltBps) / 10_000 / m.debt : Infinity,
          }))
          .filter((c) => c.hf < limit * 1.02)
          .sort((a, b) => a.hf - b.hf)
          .map((c) => c.m.borrower.address);
        const result = await keeperStep(
          keeperContext,
          candidates,
          frozenLimitWad,
          frozen,
          agreedWad,
          priceWad,
          now + 3600,
        );
        stepLiquidations = result.liquidations;
        for (const [name, count] of result.failures) {
          failures[name] = (failures[name] ?? 0) + count;
          stepFailures += count;
        }
        for (const address of new Set(candidates)) {
          const m = byAddress.get(address)!;
          const [debtWad] = await pool.positionOf(address);
          m.debt = fromWad(debtWad);
        }
      }
      for (const l of stepLiquidations) {
        const m = byAddress.get(l.borrower)!;
        m.collateral = Math.max(0, m.collateral - fromWad(l.seized));
        m.liquidations++;
        m.repaid += fromWad(l.repaidWad);
        m.badDebt += fromWad(l.badDebtWad);
        badDebtWad += l.badDebtWad;
        waits.liquidated(m.borrower.index);
      }
      liquidationCount += stepLiquidations.length;
      const stepVolume = stepLiquidations.reduce((s, l) => s + fromWad(l.repaidWad), 0);
      liquidatedVusd += stepVolume;
      const poolAfter = await market.afterSales(scenario.stepSec);
      const hfCounts = HF_BUCKETS.map(() => 0);
      for (const m of mirrors)
        if (m.debt > 0) hfCounts[bucketOf((m.collateral * marketUsd * m.ltBps) / 10_000 / m.debt)]!++;
      samples.push({
        t: rel,
        exogenousUsd: exo,
        marketUsd,
        agreedUsd,
        frozen,
        paused,
        live,
        psmFrozen: await market.psmFrozen(),
        impact: market.impact,
        vusdDexUsd: marketUsd / poolAfter,
        liquidations: stepLiquidations.length,
        liquidatedVusd: stepVolume,
        badDebtVusd: stepLiquidations.reduce((s, l) => s + fromWad(l.badDebtWad), 0),
        failedLiquidations: stepFailures,
        hfCounts,
        underwater: underwater.length,
      });
      if (i % Math.max(1, Math.floor(steps / 10)) === 0 || i === steps) {
        say(
          `  [${scenario.name}/${mode}] step ${i}/${steps}: ETH $${marketUsd.toFixed(0)} (impact ${((1 - market.impact) * 100).toFixed(2)} %), ${frozen ? "FROZEN, " : ""}liquidations ${liquidationCount}, bad debt ${fromWad(badDebtWad).toFixed(0)} vUSD`,
        );
      }
    }
    const simulateSec = (performance.now() - simStarted) / 1000;
    if (options.inspect !== undefined)
      await options.inspect({ scenario: scenario.name, mode, pool, fromBlock, deficitBeforeWad: deficitBefore });
    const [, surplusAfter, deficitAfter] = await pool.accounts();
    const finalMarket = marketHistory[marketHistory.length - 1]!;
    const startDebt = mirrors.reduce((s, m) => s + m.startDebt, 0);
    const hours = (pred: (s: StepSample) => boolean) => (samples.filter(pred).length * scenario.stepSec) / 3600;
    const stillUnder = mirrors.filter(
      (m) => m.debt > 0 && (m.collateral * finalMarket * m.ltBps) / 10_000 / m.debt < 1,
    );
    const badDebt = fromWad(badDebtWad);
    const debtByTier = params.tiers.map((_, tier) =>
      mirrors.filter((m) => m.tier === tier).reduce((s, m) => s + m.startDebt, 0),
    );
    let minDex = Infinity;
    let maxDex = -Infinity;
    let minMarket = Infinity;
    for (const s of samples) {
      minDex = Math.min(minDex, s.vusdDexUsd);
      maxDex = Math.max(maxDex, s.vusdDexUsd);
      minMarket = Math.min(minMarket, s.marketUsd);
    }
    return {
      scenario: scenario.name,
      mode,
      keepers: options.keepers,
      depthWeth: options.depthWeth,
      startPriceUsd: startPrice,
      positions: mirrors.length,
      startDebtVusd: startDebt,
      startCollateralUsd: borrowers.reduce((s, b) => s + b.collateralWeth, 0) * startPrice,
      debtByTierVusd: debtByTier,
      badDebtVusd: badDebt,
      badDebtPctOfStartDebt: startDebt > 0 ? (badDebt / startDebt) * 100 : 0,
      deficitChangeVusd: fromWad(deficitAfter - deficitBefore),
      deficitChangeWad: (deficitAfter - deficitBefore).toString(),
      badDebtWad: badDebtWad.toString(),
      surplusBeforeVusd: fromWad(surplusBefore),
      surplusAfterVusd: fromWad(surplusAfter),
      maxUnderwaterWaitSec: waits.maxWaitSec,
      worstWait: waits.worst,
      positionsStillUnderwater: stillUnder.length,
      unrealisedShortfallVusd: stillUnder.reduce((s, m) => s + Math.max(0, m.debt - m.collateral * finalMarket), 0),
      hoursFrozen: hours((s) => s.frozen),
      hoursPaused: hours((s) => s.paused),
      hoursNotLive: hours((s) => !s.live),
      hoursPsmFrozen: hours((s) => s.psmFrozen),
      liquidations: liquidationCount,
      liquidatedVusd,
      failedLiquidations: failures,
      minVusdDexUsd: minDex,
      maxVusdDexUsd: maxDex,
      minMarketUsd: minMarket,
      finalImpact: market.impact,
      feedRounds: { primary: primary.rounds, fallback: fallback.rounds },
      samples,
      outcomes: mirrors.map((m) => ({
        index: m.borrower.index,
        tier: m.tier,
        startDebtVusd: m.startDebt,
        liquidations: m.liquidations,
        repaidVusd: m.repaid,
        badDebtVusd: m.badDebt,
      })),
      setupSec,
      simulateSec,
      runtimeSec: (performance.now() - started) / 1000,
    };
  } finally {
    await connection.close();
  }
}
