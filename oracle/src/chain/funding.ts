/**
 * The operator key pays for `submitScore` in the push flow. The node checks its balance at start and now and then
 * against what a submission may cost (a gas bound × the current max fee × headroom), warns with the amount it needs,
 * exports the balance as a metric, and reports a low balance on /health.
 */
import { formatEther } from "ethers";

import type { Logger } from "../log/index.js";
import type { OracleMetrics } from "../metrics/index.js";
import type { ChainContext } from "./connect.js";
import { withTimeout } from "./rpc.js";

/**
 * Gas one `submitScore` may use: an upper bound, checked against a real submission with the quorum's signatures
 * by the submitter tests (the call cannot be estimated without a co-signed report at hand).
 */
export const SUBMIT_SCORE_GAS_BOUND = 300_000n;

/** Submissions' worth of gas the balance should cover; also room for the base fee to rise. */
export const DEFAULT_FUNDING_HEADROOM = 5n;

/** What an operator key should hold to post reports at `maxFeePerGas`: `headroom` submissions' worth of gas. */
export function fundingNeededWei(maxFeePerGas: bigint, headroom: bigint = DEFAULT_FUNDING_HEADROOM): bigint {
  return SUBMIT_SCORE_GAS_BOUND * maxFeePerGas * headroom;
}

export interface FundingStatus {
  balanceWei: bigint;
  neededWei: bigint;
  /** Set when the balance is below what is needed. */
  problem?: string;
}

export class FundingMonitor {
  readonly headroom: bigint;
  private last: FundingStatus | undefined;

  constructor(
    private readonly options: {
      chain: ChainContext;
      address: string;
      log: Logger;
      metrics?: OracleMetrics;
      headroom?: bigint;
    },
  ) {
    this.headroom = options.headroom ?? DEFAULT_FUNDING_HEADROOM;
  }

  /** Reads the balance and fees; warns when low (the caller decides how often; each call logs at most one line). */
  async check(): Promise<FundingStatus> {
    const { chain, address, log, metrics } = this.options;
    const [balanceWei, fees] = await Promise.all([
      withTimeout(chain.provider.getBalance(address), chain.rpcTimeoutMs, "getBalance"),
      withTimeout(chain.provider.getFeeData(), chain.rpcTimeoutMs, "getFeeData"),
    ]);
    const maxFeePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
    const neededWei = fundingNeededWei(maxFeePerGas, this.headroom);
    metrics?.operatorBalanceWei.set(Number(balanceWei));
    const status: FundingStatus = { balanceWei, neededWei };
    if (balanceWei < neededWei) {
      status.problem = `low balance: operator ${address} holds ${formatEther(balanceWei)} ETH, needs ≥ ${formatEther(neededWei)} ETH to post reports (${this.headroom} × submitScore gas ${SUBMIT_SCORE_GAS_BOUND} × max fee ${maxFeePerGas} wei)`;
      if (this.last?.problem === undefined)
        log.warn(
          { operator: address, balanceEth: formatEther(balanceWei), neededEth: formatEther(neededWei) },
          `${status.problem}; fund it`,
        );
    } else if (this.last?.problem !== undefined) {
      log.info({ operator: address, balanceEth: formatEther(balanceWei) }, "operator balance sufficient again");
    }
    this.last = status;
    return status;
  }

  /** The last check's problem, for /health. */
  status(): { problem?: string } {
    return this.last?.problem === undefined ? {} : { problem: this.last.problem };
  }
}
