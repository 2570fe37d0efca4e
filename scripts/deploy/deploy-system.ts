import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { encodeBytes32String, parseUnits } from "ethers";

import type {
  CreditScoreOracle,
  FlashLiquidator,
  LendingPool,
  MockAggregatorV3,
  MockConstantProductDex,
  MockUSDC,
  PegStabilityModule,
  SavingsVault,
  SupervisionPolicy,
  VUSD,
  VusdFlashMinter,
  WETH9,
} from "../../types/ethers-contracts/index.js";
import { featureSchemaHash } from "../../oracle/src/protocol/credit-file.js";
import { Roles } from "../../oracle/src/protocol/roles.js";
import type { DeploymentParameters } from "./parameters.js";

/** Who holds which role. Separate keys: no role can do another's job. */
export interface RoleHolders {
  deployer: HardhatEthersSigner;
  governance: HardhatEthersSigner;
  regulator: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  attester: HardhatEthersSigner;
}

export interface DeployedSystem {
  vusd: VUSD;
  oracle: CreditScoreOracle;
  policy: SupervisionPolicy;
  pool: LendingPool;
  weth: WETH9 | undefined;
  priceFeed: MockAggregatorV3 | undefined;
  wethAddress: string;
  priceFeedAddress: string;
  /** WETH's second price source (`LendingPool.setFallbackFeed`); a mock on a local chain. */
  fallbackPriceFeed?: MockAggregatorV3;
  fallbackPriceFeedAddress: string;
  psm: PegStabilityModule;
  /** The mock stablecoin and its feed on a local chain (undefined when the parameters name real ones). */
  psmStablecoin: MockUSDC | undefined;
  psmPriceFeed: MockAggregatorV3 | undefined;
  psmStablecoinAddress: string;
  psmPriceFeedAddress: string;
  /** sVUSD: savers' share of the interest received, paid from surplus. */
  savingsVault: SavingsVault;
  /** The ERC-3156 vUSD flash minter (a capped vUSD minter). */
  flashMinter: VusdFlashMinter;
  /** The local chain's constant-product DEX (undefined when the parameters name a real router). */
  dex: MockConstantProductDex | undefined;
  /** The router the flash liquidator sells on: `params.dex.router`, else the local mock; undefined off a local chain
   * without a router. */
  dexRouterAddress: string | undefined;
  /** The no-capital liquidation helper, deployed wherever there is a router. */
  flashLiquidator: FlashLiquidator | undefined;
  deployedAtBlock: number;
}

export interface ShippedModel {
  modelId: string;
  validationReportHash: string;
}

const FEED_DECIMALS = 8;
const toWad = (amount: string): bigint => parseUnits(amount, 18);

/** sha256 of a file as 0x-hex: a model's on-chain id, or its validation report's hash. */
export async function sha256File(path: string): Promise<string> {
  return `0x${createHash("sha256").update(await readFile(path)).digest("hex")}`;
}

/** The shipped model's id (sha256 of the ONNX file) and the hash of its validation report (the model card). */
export async function shippedModel(
  modelPath = "oracle/model/credit-model.onnx",
  reportPath = "oracle/model/MODEL_CARD.json",
): Promise<ShippedModel> {
  return { modelId: await sha256File(modelPath), validationReportHash: await sha256File(reportPath) };
}

/**
 * The feature names the shipped model reads, in order, from its validation report (the model card records the
 * ONNX metadata's `feature_names`): what the local deployment's data providers are approved to attest.
 */
export async function shippedFeatureNames(reportPath = "oracle/model/MODEL_CARD.json"): Promise<string[]> {
  const card = JSON.parse(await readFile(reportPath, "utf8")) as { features?: { inputs?: unknown } };
  const inputs = card.features?.inputs;
  if (!Array.isArray(inputs) || !inputs.every((name) => typeof name === "string")) {
    throw new Error(`${reportPath}: features.inputs must be the model's feature names`);
  }
  return inputs;
}

/** What `LendingPool`'s constructor takes (`PoolConfig`). */
export interface PoolConfigInput {
  vusd: string;
  oracle: string;
  policy: string;
  closeFactorBps: number | bigint;
  liquidationBonusBps: number | bigint;
  minDebtWad: bigint;
}

/**
 * The `LendingPool` factory with its linked libraries, deployed first by `deployer`: `CollateralLogic` (listing,
 * price pokes and the two-source price check) and `ScoreNoticeLogic` (the `ScoreExpiring` notice); the pool reaches
 * these cold paths by DELEGATECALL (see contracts/libraries/).
 */
export async function lendingPoolFactory(ethers: HardhatEthers, deployer: HardhatEthersSigner) {
  const collateralLogic = await ethers.deployContract("CollateralLogic", [], deployer);
  const scoreNoticeLogic = await ethers.deployContract("ScoreNoticeLogic", [], deployer);
  return ethers.getContractFactory("LendingPool", {
    signer: deployer,
    libraries: { CollateralLogic: await collateralLogic.getAddress(), ScoreNoticeLogic: await scoreNoticeLogic.getAddress() },
  });
}

/** Deploys the pool's libraries, then a `LendingPool` linked to them. */
export async function deployLendingPool(
  ethers: HardhatEthers,
  deployer: HardhatEthersSigner,
  config: PoolConfigInput,
): Promise<LendingPool> {
  const factory = await lendingPoolFactory(ethers, deployer);
  const pool = await factory.deploy(config);
  await pool.waitForDeployment();
  return pool;
}

/**
 * Deploys vUSD, the oracle, the policy and the pool, and wires them: the pool may mint vUSD (capped), holds
 * the policy's POOL role, the policy and the oracle are linked both ways (policy.setScoreOracle by the regulator,
 * then oracle.setPolicy by governance), and the pool lists WETH with its price feed (mocks on a local chain, addresses from the
 * parameters elsewhere). Every step waits for its receipt so a failure stops the deployment where it happened.
 */
export async function deploySystem(
  ethers: HardhatEthers,
  roles: RoleHolders,
  params: DeploymentParameters,
): Promise<DeployedSystem> {
  const deployedAtBlock = await ethers.provider.getBlockNumber();
  const { deployer, governance, regulator, guardian, attester } = roles;

  const vusd = await ethers.deployContract("VUSD", [governance.address], deployer);
  const oracle = await ethers.deployContract(
    "CreditScoreOracle",
    [governance.address, regulator.address],
    deployer,
  );
  const policy = await ethers.deployContract(
    "SupervisionPolicy",
    [
      {
        governance: governance.address,
        regulator: regulator.address,
        guardian: guardian.address,
        attester: attester.address,
        terms: params.tiers.map((tier) => ({
          maxPdBps: tier.maxPdBps,
          maxLtvBps: tier.maxLtvBps,
          liquidationThresholdBps: tier.liquidationThresholdBps,
          aprBps: tier.aprBps,
          creditLimitWad: toWad(tier.creditLimit),
        })),
        caps: params.tiers.map((tier) => ({
          maxLtvBps: tier.caps.maxLtvBps,
          liquidationThresholdBps: tier.caps.liquidationThresholdBps,
          aprBps: tier.caps.aprBps,
          creditLimitWad: toWad(tier.caps.creditLimit),
        })),
        rules: {
          debtCeilingWad: toWad(params.rules.debtCeiling),
          borrowerCapWad: toWad(params.rules.borrowerCap),
          concentrationFloorWad: toWad(params.rules.concentrationFloor),
          dailyOriginationLimitWad: toWad(params.rules.dailyOriginationLimit),
          concentrationCapBps: params.rules.concentrationCapBps,
          maxPriceDeviationBps: params.rules.maxPriceDeviationBps,
          maxScoreAgeSec: params.rules.maxScoreAgeSec,
          liquidationGracePeriodSec: params.rules.liquidationGracePeriodSec,
          timelockDelaySec: params.rules.timelockDelaySec,
          attestationRequired: params.rules.attestationRequired,
          pullReportMaxAgeSec: params.rules.pullReportMaxAgeSec,
          scoreNoticePeriodSec: params.rules.scoreNoticePeriodSec,
        },
        savingsShareBps: params.savings.shareBps,
      },
    ],
    deployer,
  );
  const pool = await deployLendingPool(ethers, deployer, {
    vusd: await vusd.getAddress(),
    oracle: await oracle.getAddress(),
    policy: await policy.getAddress(),
    closeFactorBps: params.pool.closeFactorBps,
    liquidationBonusBps: params.pool.liquidationBonusBps,
    minDebtWad: toWad(params.pool.minDebt),
  });
  const poolAddress = await pool.getAddress();

  let weth: WETH9 | undefined;
  let priceFeed: MockAggregatorV3 | undefined;
  let fallbackPriceFeed: MockAggregatorV3 | undefined;
  let wethAddress = params.collateral.weth;
  let priceFeedAddress = params.collateral.priceFeed;
  let fallbackPriceFeedAddress = params.collateral.fallbackPriceFeed;
  if (wethAddress === undefined) {
    weth = await ethers.deployContract("WETH9", [], deployer);
    wethAddress = await weth.getAddress();
  }
  if (priceFeedAddress === undefined) {
    priceFeed = await ethers.deployContract(
      "MockAggregatorV3",
      [FEED_DECIMALS, "ETH / USD", parseUnits(String(params.collateral.mockEthUsd), FEED_DECIMALS)],
      deployer,
    );
    priceFeedAddress = await priceFeed.getAddress();
  }
  if (fallbackPriceFeedAddress === undefined) {
    // The second, independent source (on a real chain: another provider's ETH/USD feed, e.g. a Chronicle, Redstone
    // or Pyth adapter exposing AggregatorV3Interface).
    fallbackPriceFeed = await ethers.deployContract(
      "MockAggregatorV3",
      [FEED_DECIMALS, "ETH / USD (fallback)", parseUnits(String(params.collateral.mockEthUsd), FEED_DECIMALS)],
      deployer,
    );
    fallbackPriceFeedAddress = await fallbackPriceFeed.getAddress();
  }

  await (await vusd.connect(governance).setMinterCap(poolAddress, toWad(params.pool.minterCap))).wait();
  await (await policy.connect(regulator).grantRole(Roles.POOL, poolAddress)).wait();
  // The oracle keeps a copy of the policy's approval threshold, pushed by the policy: the regulator links the
  // policy to the oracle (once), then governance points the oracle at the policy, which checks the link and reads
  // the threshold. This order is required (setPolicy reverts OraclePolicyNotLinked otherwise).
  await (await policy.connect(regulator).setScoreOracle(await oracle.getAddress())).wait();
  await (await oracle.connect(governance).setPolicy(await policy.getAddress())).wait();
  await (
    await pool.connect(governance).listCollateral(wethAddress, priceFeedAddress, params.collateral.maxPriceAgeSec)
  ).wait();
  await (
    await pool
      .connect(governance)
      .setFallbackFeed(wethAddress, fallbackPriceFeedAddress, params.collateral.fallbackMaxPriceAgeSec ?? params.collateral.maxPriceAgeSec)
  ).wait();
  const psmDeployment = await deployPsm(ethers, roles, params, { vusd, policy });
  const savingsVault = await deploySavingsVault(ethers, roles, { vusd, pool, policy });
  const flashMinter = await ethers.deployContract(
    "VusdFlashMinter",
    [await vusd.getAddress(), await policy.getAddress(), params.treasury ?? governance.address],
    deployer,
  );
  await (await vusd.connect(governance).setMinterCap(await flashMinter.getAddress(), toWad(params.flash.minterCap))).wait();
  // The DEX only where WETH is a mock (a local chain); the liquidator wherever there is a router to sell on.
  let dex: MockConstantProductDex | undefined;
  let dexRouterAddress = params.dex?.router;
  if (dexRouterAddress === undefined && weth !== undefined) {
    dex = await ethers.deployContract("MockConstantProductDex", [], deployer);
    dexRouterAddress = await dex.getAddress();
  }
  const flashLiquidator =
    dexRouterAddress === undefined
      ? undefined
      : await ethers.deployContract(
          "FlashLiquidator",
          [poolAddress, await flashMinter.getAddress(), dexRouterAddress, await vusd.getAddress()],
          deployer,
        );
  if (params.oracle.operators.length > 0) {
    await (await oracle.connect(governance).setOperators(params.oracle.operators, params.oracle.threshold)).wait();
  }

  return {
    vusd,
    oracle,
    policy,
    pool,
    weth,
    priceFeed,
    fallbackPriceFeed,
    wethAddress,
    priceFeedAddress,
    fallbackPriceFeedAddress,
    ...psmDeployment,
    savingsVault,
    flashMinter,
    dex,
    dexRouterAddress,
    flashLiquidator,
    deployedAtBlock,
  };
}

/**
 * Deploys the peg stability module (with a mock 6-decimal stablecoin and its $1 feed on a local chain), makes it a
 * vUSD minter with its own cap (governance). The PSM takes no reserves until the regulator sets PSM_EXPOSURE_LIMIT
 * through the policy's timelock (it starts at 0): `openPsm` does that on a local chain.
 */
async function deployPsm(
  ethers: HardhatEthers,
  roles: RoleHolders,
  params: DeploymentParameters,
  core: { vusd: VUSD; policy: SupervisionPolicy },
) {
  const { deployer, governance, regulator } = roles;
  let psmStablecoin: MockUSDC | undefined;
  let psmPriceFeed: MockAggregatorV3 | undefined;
  let psmStablecoinAddress = params.psm.stablecoin;
  let psmPriceFeedAddress = params.psm.priceFeed;
  if (psmStablecoinAddress === undefined) {
    psmStablecoin = await ethers.deployContract("MockUSDC", [], deployer);
    psmStablecoinAddress = await psmStablecoin.getAddress();
  }
  if (psmPriceFeedAddress === undefined) {
    psmPriceFeed = await ethers.deployContract("MockAggregatorV3", [FEED_DECIMALS, "USDC / USD", parseUnits("1", FEED_DECIMALS)], deployer);
    psmPriceFeedAddress = await psmPriceFeed.getAddress();
  }
  const psm = await ethers.deployContract(
    "PegStabilityModule",
    [
      await core.vusd.getAddress(),
      psmStablecoinAddress,
      psmPriceFeedAddress,
      await core.policy.getAddress(),
      params.psm.maxPriceAgeSec,
      params.treasury ?? governance.address,
    ],
    deployer,
  );
  await (await core.vusd.connect(governance).setMinterCap(await psm.getAddress(), toWad(params.psm.minterCap))).wait();
  // The PSM keeps a copy of the PSM rules; the link makes every executed PSM rule refresh it in the same transaction.
  await (await core.policy.connect(regulator).setPsm(await psm.getAddress())).wait();
  return { psm, psmStablecoin, psmPriceFeed, psmStablecoinAddress, psmPriceFeedAddress };
}

/**
 * Deploys the savings vault (sVUSD over vUSD) and gives it the policy's SAVINGS role, its own right to be paid from
 * surplus (granted by governance, the role's admin; governance keeps no payout right of the vault's). SAVINGS_SHARE
 * is in the policy from its deployment (`params.savings.shareBps`) and changes only through the timelock.
 */
async function deploySavingsVault(
  ethers: HardhatEthers,
  roles: RoleHolders,
  core: { vusd: VUSD; pool: LendingPool; policy: SupervisionPolicy },
): Promise<SavingsVault> {
  const vault = await ethers.deployContract(
    "SavingsVault",
    [await core.vusd.getAddress(), await core.pool.getAddress(), await core.policy.getAddress()],
    roles.deployer,
  );
  await (await core.policy.connect(roles.governance).grantRole(Roles.SAVINGS, await vault.getAddress())).wait();
  return vault;
}

/** PSM_EXPOSURE_LIMIT as the policy spells it (ASCII in a bytes32). */
const PSM_EXPOSURE_LIMIT = encodeBytes32String("PSM_EXPOSURE_LIMIT");

/**
 * Local chains only: the regulator schedules PSM_EXPOSURE_LIMIT (`params.psm.exposureLimit`), the chain's clock waits
 * out the timelock, the change is executed, and the mock stablecoin feed is refreshed so it is not stale after the jump.
 */
export async function openPsm(
  system: DeployedSystem,
  regulator: HardhatEthersSigner,
  params: DeploymentParameters,
  time: { increase(seconds: number | bigint): Promise<unknown> },
): Promise<void> {
  const { policy } = system;
  const receipt = await (
    await policy.connect(regulator).scheduleRuleChange(PSM_EXPOSURE_LIMIT, toWad(params.psm.exposureLimit))
  ).wait();
  const event = receipt?.logs
    .map((log) => policy.interface.parseLog(log))
    .find((parsed) => parsed?.name === "RuleChangeScheduled");
  if (event === undefined || event === null) throw new Error("PSM_EXPOSURE_LIMIT was not scheduled");
  const changeId = event.args.changeId as string;
  const [, , executableAt] = await policy.pendingChange(changeId);
  const now = BigInt((await policy.runner!.provider!.getBlock("latest"))!.timestamp);
  if (executableAt > now) await time.increase(executableAt - now);
  await (await policy.executeRuleChange(changeId)).wait();
  if (system.psmPriceFeed !== undefined) {
    await (await system.psmPriceFeed.setAnswer(parseUnits("1", FEED_DECIMALS))).wait();
  }
}

/** WETH/vUSD depth of the local DEX's pool when the parameters do not say (`dex.seedWeth`). */
export const DEFAULT_DEX_SEED_WETH = 200;

/**
 * Local chains only, once the PSM is open (`openPsm`): seeds the mock DEX's WETH/vUSD pool `params.dex.seedWeth` WETH
 * deep (200 by default) at the ETH feed's current price, so its price starts at the oracle's. The seeder mints mock
 * USDC and swaps it in at the PSM for the vUSD side (no minter of its own) and wraps ETH for the WETH side.
 * @returns the depth added, in WETH and vUSD wei.
 */
export async function seedLocalDex(
  system: DeployedSystem,
  seeder: HardhatEthersSigner,
  params: DeploymentParameters,
): Promise<{ wethWei: bigint; vusdWad: bigint }> {
  const { dex, weth, priceFeed, psm, psmStablecoin, vusd } = system;
  if (dex === undefined || weth === undefined || priceFeed === undefined || psmStablecoin === undefined) {
    throw new Error("seedLocalDex: only on a local chain (the mock DEX, WETH, ETH feed and USDC)");
  }
  const [, , , exposureLimitWad] = await psm.rules();
  if (exposureLimitWad === 0n) {
    throw new Error("seedLocalDex: the PSM is closed (PSM_EXPOSURE_LIMIT is 0): open it first (openPsm)");
  }
  const wethWei = parseUnits(String(params.dex?.seedWeth ?? DEFAULT_DEX_SEED_WETH), 18);
  const [, answer] = await priceFeed.latestRoundData();
  const vusdWad = (wethWei * answer * 10n ** BigInt(18 - FEED_DECIMALS)) / 10n ** 18n;
  const scale = await psm.SCALE();
  const [feeInBps] = await psm.rules();
  // Enough stablecoin for `vusdWad` after the PSM's fee in (rounded up by one unit).
  const usdcUnits = (vusdWad * 10_000n) / ((10_000n - feeInBps) * scale) + 1n;
  const dexAddress = await dex.getAddress();
  const psmAddress = await psm.getAddress();
  await (await psmStablecoin.connect(seeder).mint(seeder.address, usdcUnits)).wait();
  await (await psmStablecoin.connect(seeder).approve(psmAddress, usdcUnits)).wait();
  await (await psm.connect(seeder).swapIn(usdcUnits, seeder.address)).wait();
  await (await weth.connect(seeder).deposit({ value: wethWei })).wait();
  await (await weth.connect(seeder).approve(dexAddress, wethWei)).wait();
  await (await vusd.connect(seeder).approve(dexAddress, vusdWad)).wait();
  await (await dex.connect(seeder).addLiquidity(system.wethAddress, await vusd.getAddress(), wethWei, vusdWad)).wait();
  return { wethWei, vusdWad };
}

/** The regulator proposes and approves a model (on a local chain the regulator's key is at hand). */
export async function approveModel(
  oracle: CreditScoreOracle,
  regulator: HardhatEthersSigner,
  model: ShippedModel,
): Promise<void> {
  await (await oracle.connect(regulator).proposeModel(model.modelId, model.validationReportHash)).wait();
  await (await oracle.connect(regulator).approveModel(model.modelId)).wait();
}

/**
 * The regulator approves each data provider of `params.dataProviders` (on a local chain the regulator's key is at
 * hand); a provider without a `schemaHash` is approved for `featureNames`' schema.
 */
export async function approveDataProviders(
  oracle: CreditScoreOracle,
  regulator: HardhatEthersSigner,
  providers: DeploymentParameters["dataProviders"],
  featureNames: readonly string[],
): Promise<void> {
  for (const provider of providers) {
    const schemaHash = provider.schemaHash ?? featureSchemaHash(featureNames);
    await (
      await oracle
        .connect(regulator)
        .approveProvider(provider.id, provider.name, provider.signingKeys, schemaHash, provider.dataQualityHash)
    ).wait();
  }
}
