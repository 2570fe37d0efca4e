/**
 * Which compliance events the indexer records, from which contract, with the ABIs of the compiled interfaces
 * (`artifacts/contracts/interfaces/I<Contract>.sol`, the one source of the event signatures). The pool, policy and
 * oracle events are the report's vocabulary (`EMITTER` in scripts/report/events.ts); the peg stability module's
 * circuit breaker (frozen / unfrozen on its stablecoin's price) is recorded too, as source "psm".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import type { Abi } from "viem";

import { EMITTER, type EventName } from "../scripts/report/events.js";
import { REPO_ROOT } from "./settings.js";

/** Ponder contract name -> the report's source name, the interface whose ABI decodes it, the address book key. */
export const CONTRACTS = {
  LendingPool: { source: "pool", artifact: "ILendingPool", addressKey: "lendingPool" },
  SupervisionPolicy: { source: "policy", artifact: "ISupervisionPolicy", addressKey: "supervisionPolicy" },
  CreditScoreOracle: { source: "oracle", artifact: "ICreditScoreOracle", addressKey: "creditScoreOracle" },
  PegStabilityModule: { source: "psm", artifact: "IPegStabilityModule", addressKey: "pegStabilityModule" },
} as const;

export type ContractName = keyof typeof CONTRACTS;
export type IndexedSource = (typeof CONTRACTS)[ContractName]["source"];

/** The events indexed per contract. */
export const INDEXED_EVENTS: Record<ContractName, readonly EventName[]> = {
  LendingPool: emittedBy("pool"),
  SupervisionPolicy: emittedBy("policy"),
  CreditScoreOracle: emittedBy("oracle"),
  PegStabilityModule: ["CircuitBreakerTripped", "CircuitBreakerReset"],
};

function emittedBy(source: "pool" | "policy" | "oracle"): EventName[] {
  return (Object.keys(EMITTER) as EventName[]).filter((name) => EMITTER[name] === source);
}

/** The interface's ABI from the compiled artifacts; a missing artifact names the command that builds it. */
export function interfaceAbi(contract: ContractName): Abi {
  const { artifact } = CONTRACTS[contract];
  const path = join(REPO_ROOT, "artifacts/contracts/interfaces", `${artifact}.sol`, `${artifact}.json`);
  let json: { abi?: unknown };
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as { abi?: unknown };
  } catch (error) {
    throw new Error(
      `indexer: cannot read the ABI of ${artifact} (${path}): ${(error as Error).message}; run npx hardhat compile`,
      { cause: error },
    );
  }
  if (!Array.isArray(json.abi)) throw new Error(`indexer: ${path} has no abi array`);
  const abi = json.abi as Abi;
  for (const name of INDEXED_EVENTS[contract]) {
    if (!abi.some((item) => item.type === "event" && item.name === name)) {
      throw new Error(`indexer: ${artifact}'s ABI has no event ${name}; recompile (npx hardhat compile)`);
    }
  }
  return abi;
}
