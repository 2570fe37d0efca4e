/**
 * What the indexer records: every compliance event of the SDK's catalogue (sdk/src/events/catalogue.ts, the one
 * list the chain reader, the report and the dashboard use), from each contract of the deployment that emits
 * them, decoded with that catalogue's ABIs (the compiled interfaces' TypeChain output). Each row's `source` is the
 * SDK's short name of its contract (`INDEXER_SOURCES`), which the HTTP API filters by.
 */
import type { Abi } from "viem";

import {
  COMPLIANCE_ABIS,
  COMPLIANCE_CONTRACTS,
  EVENTS_BY_CONTRACT,
  INDEXER_SOURCES,
  type ComplianceContract,
} from "../sdk/src/events/index.js";

/** Ponder's name of each contract (the `Contract:Event` keys of its handlers). */
export const PONDER_NAMES = {
  lendingPool: "LendingPool",
  supervisionPolicy: "SupervisionPolicy",
  creditScoreOracle: "CreditScoreOracle",
  savingsVault: "SavingsVault",
  pegStabilityModule: "PegStabilityModule",
  complianceReportRegistry: "ComplianceReportRegistry",
} as const satisfies Record<ComplianceContract, string>;

export { COMPLIANCE_CONTRACTS, EVENTS_BY_CONTRACT, INDEXER_SOURCES, type ComplianceContract };

/** The contracts every deployment has: the others (savings vault, PSM, registry) are indexed when the book names them. */
export const REQUIRED_CONTRACTS: readonly ComplianceContract[] = [
  "lendingPool",
  "supervisionPolicy",
  "creditScoreOracle",
];

/** The contract's ABI, as Ponder (viem) takes it; throws if it lacks a catalogued event (stale types: recompile). */
export function interfaceAbi(contract: ComplianceContract): Abi {
  const abi = COMPLIANCE_ABIS[contract] as unknown as Abi;
  for (const name of EVENTS_BY_CONTRACT[contract]) {
    if (!abi.some((item) => item.type === "event" && item.name === name))
      throw new Error(`indexer: the ${contract} ABI has no event ${name}; recompile (npx hardhat compile)`);
  }
  return abi;
}
