/**
 * Posts a drift window's summary on chain: `CreditScoreOracle.publishMonitoringReport`, signed by the operator
 * key, bounded by the RPC timeout, waiting for one confirmation. Rare by construction (critical windows only, at
 * most once per window), so it takes the key's pending nonce rather than the submitter's stored-nonce machinery.
 */
import type { OperatorWallet } from "../keystore/index.js";
import type { ChainContext } from "./connect.js";
import { withTimeout } from "./rpc.js";

export interface MonitoringReportFields {
  modelId: string;
  windowStart: number;
  windowEnd: number;
  applications: number;
  maxPsiBps: number;
  summaryHash: string;
}

/** Sends the report and resolves with the transaction hash once it is mined. */
export async function publishMonitoringReport(
  chain: ChainContext,
  wallet: OperatorWallet,
  report: MonitoringReportFields,
): Promise<string> {
  const oracle = chain.oracle.connect(wallet.connect(chain.provider));
  const { modelId, windowStart, windowEnd, applications, maxPsiBps, summaryHash } = report;
  const tx = await withTimeout(
    oracle.publishMonitoringReport(modelId, windowStart, windowEnd, applications, maxPsiBps, summaryHash),
    chain.rpcTimeoutMs,
    "publishMonitoringReport",
  );
  const receipt = await withTimeout(tx.wait(1), chain.rpcTimeoutMs * 4, "publishMonitoringReport receipt");
  if (receipt?.status !== 1) throw new Error(`publishMonitoringReport ${tx.hash} reverted`);
  return tx.hash;
}
