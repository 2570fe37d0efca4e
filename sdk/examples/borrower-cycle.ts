/**
 * A borrower's full cycle with the SDK: deposit ETH as collateral, fetch the credit file from the bureau with a
 * signed consent, apply to the oracle quorum, borrow with the k-signed report, repay with a permit, withdraw.
 *
 *   npx tsx sdk/examples/borrower-cycle.ts --rpc http://127.0.0.1:8545 --address-book deployments/localhost.json \
 *     --nodes http://127.0.0.1:8701,http://127.0.0.1:8702,http://127.0.0.1:8703 --bureau http://127.0.0.1:8600 \
 *     --provider 0x… --key 0x…   # the borrower's key; it needs ETH for gas and collateral
 */
import { parseArgs } from "node:util";

import { formatEther, JsonRpcProvider, parseEther, parseUnits, Wallet, type Signer } from "ethers";

import * as sdk from "../src/index.js";
import { readAddressBook } from "../src/node.js";

export interface CycleInput {
  signer: Signer & sdk.AddressedTypedDataSigner;
  addressBook: sdk.AddressBook;
  nodes: readonly string[];
  bureauUrl: string;
  provider: string;
  collateralWei?: bigint;
  borrowWad?: bigint;
  /** Unix seconds (default: the latest block's); the consent and the application are dated from it. */
  nowSec?: number;
  log?: (line: string) => void;
}

export async function borrowerCycle(input: CycleInput) {
  const { signer, addressBook, log = () => {} } = input;
  const contracts = sdk.connectContracts(addressBook, signer);
  const domain = sdk.creditDataDomainOf(addressBook);
  const nowSec = input.nowSec ?? (await signer.provider!.getBlock("latest"))!.timestamp;
  await sdk.depositEth(contracts, signer, input.collateralWei ?? parseEther("10"));
  log(`deposited ${formatEther(input.collateralWei ?? parseEther("10"))} ETH as collateral`);
  const file = await sdk.requestCreditFile({
    url: input.bureauUrl,
    signer,
    provider: input.provider,
    ...domain,
    nowSec,
  });
  const featureNames = sdk.featureNamesOf(file);
  const application = await sdk.signApplication(domain, signer, featureNames, file, {
    nonce: BigInt(nowSec),
    expiry: nowSec + 600,
  });
  const { bundle } = await new sdk.OracleNodesClient({ nodes: input.nodes }).submitApplication(application);
  log(`scored: PD ${sdk.formatBps(bundle.report.pdBps)}, reasons ${bundle.reasons.map((r) => r.text).join("; ")}`);
  const borrowWad = input.borrowWad ?? parseUnits("1000", 18);
  await sdk.borrowWithReport(contracts, signer, borrowWad, bundle);
  const [debtWad, tier] = await contracts.lendingPool.positionOf(signer.address);
  log(`borrowed ${sdk.formatVusd(borrowWad)} in ${sdk.tierLabel(tier)}; debt ${sdk.formatVusd(debtWad)}`);
  await sdk.repayWithPermit(contracts, signer, "all");
  const [debtAfterWad] = await contracts.lendingPool.positionOf(signer.address);
  log(`repaid with a permit; debt left ${sdk.formatVusd(debtAfterWad)}`);
  return {
    pdBps: bundle.report.pdBps,
    tier: Number(tier),
    borrowedWad: borrowWad,
    debtBeforeRepayWad: debtWad,
    debtAfterWad,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: Object.fromEntries(
      ["rpc", "address-book", "nodes", "bureau", "provider", "key"].map((name) => [name, { type: "string" as const }]),
    ),
  });
  const missing = ["rpc", "address-book", "nodes", "bureau", "provider", "key"].filter(
    (name) => values[name] === undefined,
  );
  if (missing.length > 0) throw new Error(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
  const signer = new Wallet(values.key!, new JsonRpcProvider(values.rpc));
  const addressBook = await readAddressBook(values["address-book"]!);
  await borrowerCycle({
    signer,
    addressBook,
    nodes: values.nodes!.split(","),
    bureauUrl: values.bureau!,
    provider: values.provider!,
    log: (line) => console.log(line),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(`borrower-cycle: ${sdk.describeRevert(error)}`);
    process.exitCode = 1;
  });
}
