/**
 * Which contract emits which compliance event, and each event's ABI fragment, from the TypeChain interface
 * factories (plain ABI arrays importing only ethers: the same module loads in Node and in a Vite bundle).
 * `DebtRebased` (ILendingPool) is part of the record because it is the only trace of a debt moving to another
 * tier; the savings vault's ERC-4626 `Deposit`/`Withdraw` because they are the savers' side of the identity; the
 * PSM's swaps, buffer and fee sweeps because they move vUSD's supply; the registry's attestations because they are
 * the regulator's own record of which reports it vouched for.
 */
import { EventFragment, Interface, type InterfaceAbi } from "ethers";

import { IComplianceReportRegistry__factory } from "../../../types/ethers-contracts/factories/interfaces/IComplianceReportRegistry__factory.js";
import { ICreditScoreOracle__factory } from "../../../types/ethers-contracts/factories/interfaces/ICreditScoreOracle__factory.js";
import { ILendingPool__factory } from "../../../types/ethers-contracts/factories/interfaces/ILendingPool__factory.js";
import { IPegStabilityModule__factory } from "../../../types/ethers-contracts/factories/interfaces/IPegStabilityModule__factory.js";
import { ISavingsVault__factory } from "../../../types/ethers-contracts/factories/interfaces/ISavingsVault__factory.js";
import { ISupervisionPolicy__factory } from "../../../types/ethers-contracts/factories/interfaces/ISupervisionPolicy__factory.js";

/** The address book's names of the contracts that emit compliance events. */
export type ComplianceContract =
  | "lendingPool"
  | "supervisionPolicy"
  | "creditScoreOracle"
  | "savingsVault"
  | "pegStabilityModule"
  | "complianceReportRegistry";

/** The events read from each contract: a log of a known name from another contract is not part of the record. */
export const EVENTS_BY_CONTRACT = {
  lendingPool: [
    "LoanOriginated",
    "LoanRepaid",
    "PositionLiquidated",
    "DebtRebased",
    "ExposureSnapshot",
    "AssetFrozen",
    "AssetUnfrozen",
    "ScoreExpiring",
  ],
  supervisionPolicy: [
    "RuleChangeScheduled",
    "RuleChangeCancelled",
    "RuleChanged",
    "CircuitBreakerTripped",
    "CircuitBreakerReset",
  ],
  creditScoreOracle: [
    "ScorePosted",
    "AdverseAction",
    "ModelProposed",
    "ModelApproved",
    "ModelRetired",
    "DataProviderApproved",
    "DataProviderRetired",
    "OperatorSetChanged",
    "FairnessReportPublished",
    "MonitoringReportPublished",
  ],
  savingsVault: ["SavingsYieldPaid", "Deposit", "Withdraw"],
  pegStabilityModule: [
    "PsmSwappedIn",
    "PsmSwappedOut",
    "PsmFeesSwept",
    "PsmVusdFeesSwept",
    "PsmBufferFilled",
    "PsmBufferTrimmed",
    "PsmRulesSynced",
    "CircuitBreakerTripped",
    "CircuitBreakerReset",
  ],
  complianceReportRegistry: ["ComplianceReportAttested"],
} as const satisfies Record<ComplianceContract, readonly string[]>;

export const COMPLIANCE_CONTRACTS = Object.keys(EVENTS_BY_CONTRACT) as ComplianceContract[];

/** Each contract's ABI (its interface's, which lists every event it emits). */
export const COMPLIANCE_ABIS = {
  lendingPool: ILendingPool__factory.abi,
  supervisionPolicy: ISupervisionPolicy__factory.abi,
  creditScoreOracle: ICreditScoreOracle__factory.abi,
  savingsVault: ISavingsVault__factory.abi,
  pegStabilityModule: IPegStabilityModule__factory.abi,
  complianceReportRegistry: IComplianceReportRegistry__factory.abi,
} as const satisfies Record<ComplianceContract, InterfaceAbi>;

/** The fragment of each event a contract emits, from its ABI; throws if the ABI lacks one (a stale catalogue). */
export function eventFragments(contract: ComplianceContract): EventFragment[] {
  const iface = new Interface(COMPLIANCE_ABIS[contract]);
  return EVENTS_BY_CONTRACT[contract].map((name) => {
    const fragment = iface.getEvent(name);
    if (fragment === null) throw new Error(`the ${contract} ABI has no event ${name}`);
    return fragment;
  });
}
