/**
 * Read-only handles on the deployment, over the config's JSON-RPC endpoint: the dashboard needs no wallet and
 * no key. ABIs from TypeChain's interface factories (no bytecode in the bundle).
 */
import { JsonRpcProvider, Network } from "ethers";

import { ICreditScoreOracle__factory } from "../../../../types/ethers-contracts/factories/interfaces/ICreditScoreOracle__factory.js";
import { ILendingPool__factory } from "../../../../types/ethers-contracts/factories/interfaces/ILendingPool__factory.js";
import { ISavingsVault__factory } from "../../../../types/ethers-contracts/factories/interfaces/ISavingsVault__factory.js";
import { ISupervisionPolicy__factory } from "../../../../types/ethers-contracts/factories/interfaces/ISupervisionPolicy__factory.js";
import type { AppConfig } from "../../config.js";

export type ReadHandles = ReturnType<typeof readHandles>;

export function readHandles(config: AppConfig) {
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
