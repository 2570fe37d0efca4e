import { readFile } from "node:fs/promises";

import { z } from "zod";

import { DEMO_PROVIDER } from "../lib/attested-application.js";
import { tierName } from "../../oracle/src/protocol/tiers.js";

/**
 * Deployment parameters: the rulebook the system starts with, and where external dependencies live.
 * Defaults suit a local chain; a network's file `deployments/params/<network>.json` overrides any of them
 * (validated here, at the door, so a bad file fails before a single transaction is sent).
 */

const wad = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "a decimal vUSD amount, e.g. \"250000\"")
  .describe("vUSD amount (converted to wad)");
/** The policy stores its global wad limits in 96 bits: at most 2^96 - 1 wad (about 79.2 billion vUSD). */
const MAX_RULE_WAD = 2n ** 96n - 1n;
const ruleWad = wad.refine((amount) => {
  const [whole = "0", fraction = ""] = amount.split(".");
  return BigInt(whole) * 10n ** 18n + BigInt((fraction + "0".repeat(18)).slice(0, 18)) <= MAX_RULE_WAD;
}, "at most 79228162514.264337593543950335 vUSD (the policy stores global wad limits in 96 bits)");
const bps = z.number().int().min(0).max(10_000);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x-prefixed 20-byte address");
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 0x-prefixed 32-byte hash");

const tierSchema = z.strictObject({
  name: z.string().min(1),
  maxPdBps: bps,
  maxLtvBps: bps,
  liquidationThresholdBps: bps,
  aprBps: bps,
  creditLimit: wad,
  caps: z.strictObject({
    maxLtvBps: bps,
    liquidationThresholdBps: bps,
    aprBps: bps,
    creditLimit: wad,
  }),
});

export const deploymentParametersSchema = z.strictObject({
  tiers: z.array(tierSchema).min(1).max(16),
  rules: z.strictObject({
    debtCeiling: ruleWad,
    borrowerCap: ruleWad,
    concentrationFloor: ruleWad,
    concentrationCapBps: bps,
    dailyOriginationLimit: ruleWad,
    maxScoreAgeSec: z.number().int().positive(),
    maxPriceDeviationBps: bps.min(1),
    liquidationGracePeriodSec: z.number().int().min(0),
    timelockDelaySec: z.number().int().min(0),
    attestationRequired: z.boolean(),
    /** A pull-flow report must be used within this many seconds of its issue (the policy allows 60..3600). */
    pullReportMaxAgeSec: z.number().int().min(60).max(3600),
    /** After a score expires, existing debt keeps its tier this many seconds (the policy allows up to 90 days). */
    scoreNoticePeriodSec: z.number().int().min(0).max(90 * 24 * 3600),
  }),
  pool: z.strictObject({
    closeFactorBps: bps.min(1),
    liquidationBonusBps: bps,
    minDebt: wad,
    minterCap: wad,
  }),
  collateral: z.strictObject({
    /** Existing WETH and Chainlink ETH/USD feed; when absent (local chains) mocks are deployed. */
    weth: address.optional(),
    priceFeed: address.optional(),
    /** WETH's second, independent ETH/USD source (a mock on local chains when absent). */
    fallbackPriceFeed: address.optional(),
    maxPriceAgeSec: z.number().int().positive(),
    /** The fallback feed's staleness threshold (its heartbeat plus a margin); `maxPriceAgeSec` when absent. */
    fallbackMaxPriceAgeSec: z.number().int().positive().optional(),
    /** Initial mock price (USD, feed has 8 decimals) on local chains. */
    mockEthUsd: z.number().positive(),
  }),
  /** The peg stability module: vUSD <-> a USD stablecoin (mocks on local chains when the addresses are absent). */
  psm: z.strictObject({
    stablecoin: address.optional(),
    priceFeed: address.optional(),
    /** The stablecoin feed's staleness threshold (its heartbeat plus a margin), at most a week. */
    maxPriceAgeSec: z.number().int().positive().max(7 * 24 * 3600),
    /** vUSD's cap for the PSM (governance). */
    minterCap: wad,
    /** PSM_EXPOSURE_LIMIT for the regulator to schedule (the policy starts it at 0: closed); `openPsm` locally. */
    exposureLimit: wad,
  }),
  /** The savings vault (sVUSD). */
  savings: z.strictObject({
    /** SAVINGS_SHARE at deployment: bps of the interest that becomes surplus paid to savers (policy bound: 9000). */
    shareBps: z.number().int().min(0).max(9000),
  }),
  /** The ERC-3156 vUSD flash minter: vUSD's cap for it (governance), the most one flash loan can be. */
  flash: z.strictObject({ minterCap: wad }),
  /**
   * The DEX the FlashLiquidator sells seized collateral on: `router` a Uniswap V2-style router (required for the
   * liquidator off a local chain; without it none is deployed there); on a local chain, when absent, a
   * MockConstantProductDex is deployed and `seedLocalDex` seeds its WETH/vUSD pool `seedWeth` WETH deep at the ETH
   * feed's price. Absent: the mock and 200 WETH on a local chain.
   */
  dex: z.strictObject({ router: address.optional(), seedWeth: z.number().positive().max(1_000_000) }).optional(),
  /** Where the PSM's and the flash minter's fees go (`sweepFees`, flash fees); governance's address when absent. */
  treasury: address.optional(),
  oracle: z.strictObject({
    operators: z.array(address),
    threshold: z.number().int().min(0).max(255),
  }),
  /**
   * Data providers the regulator approves on a local chain (elsewhere the regulator does it with its own key).
   * `schemaHash` absent: the shipped model's feature schema (`featureSchemaHash` of its feature names).
   */
  dataProviders: z.array(
    z.strictObject({
      id: address,
      name: z.string().min(1),
      signingKeys: z.array(address).min(1),
      schemaHash: bytes32.optional(),
      dataQualityHash: bytes32,
    }),
  ),
  roles: z
    .strictObject({ governance: address, regulator: address, guardian: address, attester: address })
    .partial(),
});

export type DeploymentParameters = z.infer<typeof deploymentParametersSchema>;

/** The default rulebook: four tiers whose PD bounds end at the model's approval threshold (28 %). */
export const defaultParameters: DeploymentParameters = {
  tiers: [
    {
      name: tierName(0),
      maxPdBps: 500,
      maxLtvBps: 8000,
      liquidationThresholdBps: 8500,
      aprBps: 400,
      creditLimit: "1000000",
      caps: { maxLtvBps: 8500, liquidationThresholdBps: 9000, aprBps: 800, creditLimit: "2000000" },
    },
    {
      name: tierName(1),
      maxPdBps: 1200,
      maxLtvBps: 7000,
      liquidationThresholdBps: 7800,
      aprBps: 700,
      creditLimit: "250000",
      caps: { maxLtvBps: 7500, liquidationThresholdBps: 8300, aprBps: 1200, creditLimit: "500000" },
    },
    {
      name: tierName(2),
      maxPdBps: 2000,
      maxLtvBps: 6000,
      liquidationThresholdBps: 7000,
      aprBps: 1100,
      creditLimit: "100000",
      caps: { maxLtvBps: 6500, liquidationThresholdBps: 7500, aprBps: 1800, creditLimit: "200000" },
    },
    {
      name: tierName(3),
      maxPdBps: 2800,
      maxLtvBps: 5000,
      liquidationThresholdBps: 6200,
      aprBps: 1600,
      creditLimit: "25000",
      caps: { maxLtvBps: 5500, liquidationThresholdBps: 6800, aprBps: 2400, creditLimit: "50000" },
    },
  ],
  rules: {
    debtCeiling: "10000000",
    borrowerCap: "1000000",
    concentrationFloor: "1000000",
    concentrationCapBps: 2500,
    dailyOriginationLimit: "2000000",
    maxScoreAgeSec: 30 * 24 * 3600,
    maxPriceDeviationBps: 3000,
    liquidationGracePeriodSec: 3600,
    timelockDelaySec: 2 * 24 * 3600,
    attestationRequired: false,
    pullReportMaxAgeSec: 300,
    scoreNoticePeriodSec: 7 * 24 * 3600,
  },
  pool: { closeFactorBps: 5000, liquidationBonusBps: 500, minDebt: "100", minterCap: "10000000" },
  collateral: { maxPriceAgeSec: 3600, mockEthUsd: 3000 },
  psm: { maxPriceAgeSec: 25 * 3600, minterCap: "5000000", exposureLimit: "5000000" },
  savings: { shareBps: 5000 },
  flash: { minterCap: "10000000" },
  dex: { seedWeth: 200 },
  oracle: { operators: [], threshold: 0 },
  dataProviders: [
    {
      id: DEMO_PROVIDER.id,
      name: DEMO_PROVIDER.name,
      signingKeys: [DEMO_PROVIDER.signer.address],
      dataQualityHash: DEMO_PROVIDER.dataQualityHash,
    },
  ],
  roles: {},
};

/** Reads `path` (JSON) over the defaults; a missing file means "defaults". Errors name the file and field. */
export async function loadDeploymentParameters(path: string | undefined): Promise<DeploymentParameters> {
  if (path === undefined) return defaultParameters;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return defaultParameters;
    throw new Error(`cannot read deployment parameters ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`deployment parameters ${path} are not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const merged = { ...defaultParameters, ...(json as object) };
  const parsed = deploymentParametersSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`deployment parameters ${path}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}
