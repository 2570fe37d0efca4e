// Shared deployment fixtures for the policy and pool tests.
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

export const WAD = 10n ** 18n;
export const RAY = 10n ** 27n;
export const BPS = 10_000n;
export const DAY = 86_400n;
export const YEAR = 365n * DAY;

/** Rule ids exactly as `contracts/libraries/Rules.sol` spells them (ASCII in a bytes32). */
export function rule(name: string, tier?: number): string {
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode(name));
  if (tier !== undefined) bytes[31] = tier;
  return "0x" + Buffer.from(bytes).toString("hex");
}

export interface Terms {
  maxPdBps: number;
  maxLtvBps: number;
  liquidationThresholdBps: number;
  aprBps: number;
  creditLimitWad: bigint;
}
export interface Caps {
  maxLtvBps: number;
  liquidationThresholdBps: number;
  aprBps: number;
  creditLimitWad: bigint;
}

export const TERMS: readonly [Terms, Terms, Terms, Terms] = [
  { maxPdBps: 200, maxLtvBps: 8000, liquidationThresholdBps: 8500, aprBps: 500, creditLimitWad: 1_000_000n * WAD },
  { maxPdBps: 500, maxLtvBps: 7000, liquidationThresholdBps: 7800, aprBps: 900, creditLimitWad: 500_000n * WAD },
  { maxPdBps: 1000, maxLtvBps: 6000, liquidationThresholdBps: 7000, aprBps: 1500, creditLimitWad: 200_000n * WAD },
  { maxPdBps: 2000, maxLtvBps: 5000, liquidationThresholdBps: 6000, aprBps: 2500, creditLimitWad: 100_000n * WAD },
];
export const CAPS: readonly [Caps, Caps, Caps, Caps] = [
  { maxLtvBps: 8500, liquidationThresholdBps: 9000, aprBps: 1000, creditLimitWad: 2_000_000n * WAD },
  { maxLtvBps: 8000, liquidationThresholdBps: 8500, aprBps: 1500, creditLimitWad: 1_000_000n * WAD },
  { maxLtvBps: 7000, liquidationThresholdBps: 8000, aprBps: 2000, creditLimitWad: 500_000n * WAD },
  { maxLtvBps: 6000, liquidationThresholdBps: 7000, aprBps: 3600, creditLimitWad: 200_000n * WAD },
];
export const GLOBAL = {
  debtCeilingWad: 10_000_000n * WAD,
  borrowerCapWad: 1_000_000n * WAD,
  concentrationFloorWad: 1_000_000n * WAD,
  dailyOriginationLimitWad: 5_000_000n * WAD,
  concentrationCapBps: 2500,
  maxPriceDeviationBps: 1000,
  maxScoreAgeSec: 30 * 86_400,
  liquidationGracePeriodSec: 3600,
  timelockDelaySec: 2 * 86_400,
  attestationRequired: false,
  pullReportMaxAgeSec: 300,
  scoreNoticePeriodSec: 7 * 86_400,
};

/** SAVINGS_SHARE at deployment: half of the interest that becomes surplus goes to sVUSD savers. */
export const SAVINGS_SHARE_BPS = 5000;

export const POOL_PARAMS = { closeFactorBps: 5000, liquidationBonusBps: 500, minDebtWad: 100n * WAD };
export const WETH_PRICE = 2000n; // USD, feed has 8 decimals
export const FEED_DECIMALS = 8n;
export const MAX_PRICE_AGE = 3600;
export const MODEL_ID = "0x" + "ab".repeat(32);

export interface Actors {
  governance: HardhatEthersSigner;
  regulator: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  attester: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  liquidator: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
}

export async function actors(ethers: HardhatEthers): Promise<Actors> {
  const s = await ethers.getSigners();
  const at = (i: number) => {
    const signer = s[i];
    if (signer === undefined) throw new Error(`no signer ${i}`);
    return signer;
  };
  return {
    governance: at(0),
    regulator: at(1),
    guardian: at(2),
    attester: at(3),
    alice: at(4),
    bob: at(5),
    carol: at(6),
    liquidator: at(7),
    outsider: at(8),
  };
}

export function policyConfig(
  a: Actors,
  overrides: Partial<typeof GLOBAL> = {},
  terms: readonly Terms[] = TERMS,
  caps: readonly Caps[] = CAPS,
) {
  return {
    governance: a.governance.address,
    regulator: a.regulator.address,
    guardian: a.guardian.address,
    attester: a.attester.address,
    terms,
    caps,
    rules: { ...GLOBAL, ...overrides },
    savingsShareBps: SAVINGS_SHARE_BPS,
  };
}

export async function deployPolicy(ethers: HardhatEthers, overrides: Partial<typeof GLOBAL> = {}) {
  const a = await actors(ethers);
  const policy = await ethers.deployContract("SupervisionPolicy", [policyConfig(a, overrides)]);
  return { policy, ...a };
}

export const roleId = (ethers: HardhatEthers, name: string) => ethers.id(`verity.role.${name}`);
