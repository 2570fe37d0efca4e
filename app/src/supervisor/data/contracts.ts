/**
 * Read-only handles on the deployment, over the config's JSON-RPC endpoint: the dashboard needs no wallet and
 * no key. ABIs from TypeChain's interface factories (no bytecode in the bundle).
 */
import { JsonRpcProvider, Network } from "ethers";

import { ICreditScoreOracle__factory } from "../../../../types/ethers-contracts/factories/interfaces/ICreditScoreOracle__factory.js";
import { ILendingPool__factory } from "../../../../types/ethers-contracts/factories/interfaces/ILendingPool__factory.js";
import { ISavingsVault__factory } from "../../../../types/ethers-contracts/factories/interfaces/ISavingsVault__factory.js";
import { ISupervisionPolicy__factory } from "../../../../types/ethers-contracts/factories/interfaces/ISupervisionPolicy__factory.js";
import type { ComplianceTargets } from "../../../../sdk/src/events/index.js";

/**
 * What the dashboard reads of its config: the deployment and the JSON-RPC endpoint (an `AppConfig` fits; so does
 * an SDK address book, which is how the tests drive this data layer in Node).
 */
export interface DashboardDeployment {
  addressBook: {
    chainId: number;
    deployedAtBlock: number;
    contracts: ComplianceTargets & { weth: string };
    model: { modelId: string };
  };
  rpcUrl: string;
}

export type ReadHandles = ReturnType<typeof readHandles>;

export function readHandles(config: DashboardDeployment) {
  const { addressBook } = config;
  const network = Network.from(addressBook.chainId);
  const provider = new JsonRpcProvider(config.rpcUrl, network, { staticNetwork: network, batchMaxCount: 50 });
  const { contracts } = addressBook;
  return {
    provider,
    addressBook,
    pool: ILendingPool__factory.connect(contracts.lendingPool, provider),
    policy: ISupervisionPolicy__factory.connect(contracts.supervisionPolicy, provider),
    oracle: ICreditScoreOracle__factory.connect(contracts.creditScoreOracle, provider),
    savingsVault:
      contracts.savingsVault === undefined
        ? undefined
        : ISavingsVault__factory.connect(contracts.savingsVault, provider),
  };
}
