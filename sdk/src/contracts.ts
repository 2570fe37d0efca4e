/** Typed contract handles (TypeChain, `types/ethers-contracts`) for one deployment, from its address book. */
import type { ContractRunner } from "ethers";

import {
  AggregatorV3Interface__factory,
  ComplianceReportRegistry__factory,
  CreditScoreOracle__factory,
  LendingPool__factory,
  PegStabilityModule__factory,
  SavingsVault__factory,
  SupervisionPolicy__factory,
  VUSD__factory,
  VusdFlashMinter__factory,
  WETH9__factory,
  type AggregatorV3Interface,
  type ComplianceReportRegistry,
  type CreditScoreOracle,
  type LendingPool,
  type PegStabilityModule,
  type SavingsVault,
  type SupervisionPolicy,
  type VUSD,
  type VusdFlashMinter,
  type WETH9,
} from "../../types/ethers-contracts/index.js";
import type { AddressBook } from "./address-book.js";

export type {
  AggregatorV3Interface,
  ComplianceReportRegistry,
  CreditScoreOracle,
  LendingPool,
  PegStabilityModule,
  SavingsVault,
  SupervisionPolicy,
  VUSD,
  VusdFlashMinter,
  WETH9,
} from "../../types/ethers-contracts/index.js";

export interface VerityContracts {
  vusd: VUSD;
  creditScoreOracle: CreditScoreOracle;
  supervisionPolicy: SupervisionPolicy;
  lendingPool: LendingPool;
  weth: WETH9;
  wethUsdPriceFeed: AggregatorV3Interface;
  wethUsdFallbackPriceFeed?: AggregatorV3Interface;
  pegStabilityModule?: PegStabilityModule;
  savingsVault?: SavingsVault;
  vusdFlashMinter?: VusdFlashMinter;
  complianceReportRegistry?: ComplianceReportRegistry;
}

/**
 * The deployment's contracts connected to `runner` (a provider to read, a signer to send). Optional contracts are
 * present when the address book lists them.
 */
export function connectContracts(addressBook: AddressBook, runner: ContractRunner): VerityContracts {
  const c = addressBook.contracts;
  return {
    vusd: VUSD__factory.connect(c.vusd, runner),
    creditScoreOracle: CreditScoreOracle__factory.connect(c.creditScoreOracle, runner),
    supervisionPolicy: SupervisionPolicy__factory.connect(c.supervisionPolicy, runner),
    lendingPool: LendingPool__factory.connect(c.lendingPool, runner),
    weth: WETH9__factory.connect(c.weth, runner),
    wethUsdPriceFeed: AggregatorV3Interface__factory.connect(c.wethUsdPriceFeed, runner),
    ...(c.wethUsdFallbackPriceFeed === undefined
      ? {}
      : { wethUsdFallbackPriceFeed: AggregatorV3Interface__factory.connect(c.wethUsdFallbackPriceFeed, runner) }),
    ...(c.pegStabilityModule === undefined
      ? {}
      : { pegStabilityModule: PegStabilityModule__factory.connect(c.pegStabilityModule, runner) }),
    ...(c.savingsVault === undefined ? {} : { savingsVault: SavingsVault__factory.connect(c.savingsVault, runner) }),
    ...(c.vusdFlashMinter === undefined
      ? {}
      : { vusdFlashMinter: VusdFlashMinter__factory.connect(c.vusdFlashMinter, runner) }),
    ...(c.complianceReportRegistry === undefined
      ? {}
      : { complianceReportRegistry: ComplianceReportRegistry__factory.connect(c.complianceReportRegistry, runner) }),
  };
}

/** The domain every EIP-712 struct of this deployment is bound to: its chain and its CreditScoreOracle. */
export function creditDataDomainOf(addressBook: AddressBook): { chainId: bigint; verifyingContract: string } {
  return { chainId: BigInt(addressBook.chainId), verifyingContract: addressBook.contracts.creditScoreOracle };
}
