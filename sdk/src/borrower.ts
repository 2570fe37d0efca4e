/**
 * A borrower's transactions with the score bundle the nodes return: deposit collateral, `borrowWithReport`, repay
 * with an ERC-2612 permit (vUSD is `ERC20Permit`, and `LendingPool.repayWithPermit` takes the permit and repays
 * in one transaction), and the push flow's `requestScore`. Every revert is rethrown as a `VerityRevertError`
 * whose message is the decoder's sentence.
 */
import { MaxUint256, Signature, type ContractTransactionResponse, type Signer, type TransactionReceipt } from "ethers";

import type { VerityContracts } from "./contracts.js";
import { decodeRevert, describeRevert, type DecodedRevert, type RevertContext } from "./errors/decoder.js";
import { reportFromJson, type ScoreBundleJson } from "./oracle-nodes.js";

/** A transaction that reverted (or would): `message` is the decoded sentence, `revert` the decoded error. */
export class VerityRevertError extends Error {
  override readonly name = "VerityRevertError";

  constructor(
    message: string,
    readonly revert: DecodedRevert | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Sends a transaction and waits for it; any failure becomes a VerityRevertError with the decoder's sentence. */
export async function sendDecoded(
  what: string,
  send: () => Promise<ContractTransactionResponse>,
  context: RevertContext = {},
): Promise<TransactionReceipt> {
  try {
    const receipt = await (await send()).wait();
    if (receipt === null || receipt.status !== 1) throw new Error(`${what}: the transaction was not mined`);
    return receipt;
  } catch (error) {
    throw new VerityRevertError(`${what}: ${describeRevert(error, context)}`, decodeRevert(error, context), {
      cause: error,
    });
  }
}

/** Wraps `amountWei` of ETH into WETH, approves the pool, and deposits it as the signer's collateral. */
export async function depositEth(
  contracts: VerityContracts,
  signer: Signer,
  amountWei: bigint,
): Promise<TransactionReceipt> {
  const owner = await signer.getAddress();
  const weth = contracts.weth.connect(signer);
  const pool = contracts.lendingPool.connect(signer);
  await sendDecoded("wrap ETH", () => weth.deposit({ value: amountWei }));
  await sendDecoded("approve WETH", () => weth.approve(pool.target, amountWei));
  return sendDecoded("deposit", () => pool.deposit(weth.target, amountWei, owner));
}

/** The tier and its max LTV for `borrower`'s position: what makes the LTV sentence speak in percentages. */
export async function revertContextOf(
  contracts: VerityContracts,
  borrower: string,
  tier?: number,
): Promise<RevertContext> {
  const positionTier = tier ?? Number((await contracts.lendingPool.positionOf(borrower))[1]);
  const terms = await contracts.supervisionPolicy.termsOf(positionTier);
  return { tier: positionTier, maxLtvBps: terms.maxLtvBps };
}

/**
 * Posts the bundle's score and borrows `amountWad` in one transaction (`LendingPool.borrowWithReport`). A revert
 * (over the tier's LTV, a cap, an expired report…) throws a VerityRevertError naming the rule in its units.
 */
export async function borrowWithReport(
  contracts: VerityContracts,
  signer: Signer,
  amountWad: bigint,
  bundle: Pick<ScoreBundleJson, "report" | "signatures">,
): Promise<TransactionReceipt> {
  const pool = contracts.lendingPool.connect(signer);
  const report = reportFromJson(bundle.report);
  let context: RevertContext = {};
  try {
    context = await revertContextOf(
      contracts,
      await signer.getAddress(),
      Number((await contracts.supervisionPolicy.tierOf(report.pdBps))[0]),
    );
  } catch {
    // a declined PD has no tier: the revert (CREDIT_DECLINED) says it without context
  }
  return sendDecoded("borrowWithReport", () => pool.borrowWithReport(amountWad, report, bundle.signatures), context);
}

/** An ERC-2612 permit for vUSD, signed by `signer` for `spender`. */
export async function signVusdPermit(
  contracts: VerityContracts,
  signer: Signer,
  spender: string,
  valueWad: bigint,
  deadline: bigint,
): Promise<Signature> {
  const vusd = contracts.vusd;
  const owner = await signer.getAddress();
  const [name, nonce, network] = await Promise.all([
    vusd.name(),
    vusd.nonces(owner),
    (signer.provider ?? vusd.runner?.provider)!.getNetwork(),
  ]);
  const domain = { name, version: "1", chainId: network.chainId, verifyingContract: await vusd.getAddress() };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  return Signature.from(
    await signer.signTypedData(domain, types, { owner, spender, value: valueWad, nonce, deadline }),
  );
}

/**
 * Repays `amountWad` (`"all"`: the whole debt, interest included) of the signer's debt with a vUSD permit instead
 * of an approval: one signature, one transaction (`LendingPool.repayWithPermit`). `deadlineSec` defaults to 20
 * minutes after the latest block.
 */
export async function repayWithPermit(
  contracts: VerityContracts,
  signer: Signer,
  amountWad: bigint | "all",
  options: { deadlineSec?: bigint } = {},
): Promise<TransactionReceipt> {
  const pool = contracts.lendingPool.connect(signer);
  const borrower = await signer.getAddress();
  const amount = amountWad === "all" ? MaxUint256 : amountWad;
  let deadline = options.deadlineSec;
  if (deadline === undefined) {
    const block = await signer.provider!.getBlock("latest");
    deadline = BigInt(block!.timestamp) + 1200n;
  }
  const permit = await signVusdPermit(contracts, signer, await pool.getAddress(), amount, deadline);
  return sendDecoded("repayWithPermit", () =>
    pool.repayWithPermit(borrower, amount, deadline, permit.v, permit.r, permit.s),
  );
}

/** Push flow, after `OracleNodesClient.requestPush`: asks the oracle on chain to score this application. */
export async function requestPushScore(
  contracts: VerityContracts,
  signer: Signer,
  applicationHash: string,
): Promise<TransactionReceipt> {
  return sendDecoded("requestScore", () => contracts.creditScoreOracle.connect(signer).requestScore(applicationHash));
}
