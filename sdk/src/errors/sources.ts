/**
 * Every Verity contract's custom errors in one interface: core, periphery, the linked libraries, and the
 * OpenZeppelin errors they can bubble (ERC-20, ERC-2612 permit, ERC-4626, ECDSA, AccessControl, SafeERC20,
 * ReentrancyGuard), each as its contract's ABI lists it. `Error(string)` and `Panic(uint256)` are ethers' built-ins.
 */
import { ErrorFragment, Interface, type InterfaceAbi } from "ethers";

import {
  CollateralLogic__factory,
  ComplianceReportRegistry__factory,
  CreditScoreOracle__factory,
  FlashLiquidator__factory,
  LendingPool__factory,
  PegStabilityModule__factory,
  SavingsVault__factory,
  ScoreNoticeLogic__factory,
  SupervisionPolicy__factory,
  VUSD__factory,
  VusdFlashMinter__factory,
} from "../../../types/ethers-contracts/index.js";

/** The ABIs whose errors the decoder knows, by contract name. */
export const ERROR_SOURCES: Readonly<Record<string, InterfaceAbi>> = {
  CreditScoreOracle: CreditScoreOracle__factory.abi,
  SupervisionPolicy: SupervisionPolicy__factory.abi,
  LendingPool: LendingPool__factory.abi,
  CollateralLogic: CollateralLogic__factory.abi,
  ScoreNoticeLogic: ScoreNoticeLogic__factory.abi,
  PegStabilityModule: PegStabilityModule__factory.abi,
  VUSD: VUSD__factory.abi,
  SavingsVault: SavingsVault__factory.abi,
  VusdFlashMinter: VusdFlashMinter__factory.abi,
  FlashLiquidator: FlashLiquidator__factory.abi,
  ComplianceReportRegistry: ComplianceReportRegistry__factory.abi,
};

function mergedErrors(): { iface: Interface; declaredBy: Map<string, string[]> } {
  const fragments = new Map<string, ErrorFragment>();
  const declaredBy = new Map<string, string[]>();
  for (const [contract, abi] of Object.entries(ERROR_SOURCES)) {
    const items = (typeof abi === "string" ? JSON.parse(abi) : abi) as readonly unknown[];
    for (const item of items) {
      if ((item as { type?: unknown }).type !== "error") continue;
      const fragment = ErrorFragment.from(item as never);
      fragments.set(fragment.selector, fragment);
      const list = declaredBy.get(fragment.selector) ?? [];
      if (!list.includes(contract)) list.push(contract);
      declaredBy.set(fragment.selector, list);
    }
  }
  return { iface: new Interface(Array.from(fragments.values())), declaredBy };
}

const merged = mergedErrors();

/** Every Verity contract's custom errors in one interface. */
export const verityErrors: Interface = merged.iface;

/** The contracts whose ABI declares the error with this selector. */
export function errorDeclaredBy(selector: string): readonly string[] {
  return merged.declaredBy.get(selector.toLowerCase()) ?? [];
}
