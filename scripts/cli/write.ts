/**
 * Every write goes through here: the sender is chosen and its role checked (`CliContext.sender`), the call is
 * printed decoded (contract, function, named arguments in their units) with its calldata, and then either sent,
 * or, with `--dry-run`, simulated from the sender's address and not sent.
 */
import type { Interface, TransactionReceipt } from "ethers";

import { type CliContext, type Requirement, type WriteOptions } from "./context.js";
import { describeError } from "./errors.js";
import { CliError, table } from "./units.js";

/** What the sender is, for the printed call: "regulator", "operator", "any account". */
function senderText(need: Requirement): string {
  if (need.kind === "role") return `${need.role}, ${need.role.toUpperCase()} on ${need.on}`;
  return need.kind === "operator" ? "a current operator" : "any account may call it";
}

export interface WriteCall {
  contractName: string;
  /** The contract's TypeChain instance (its interface encodes the call). */
  contract: { interface: Interface; getAddress(): Promise<string> };
  method: string;
  args: readonly unknown[];
  /** The arguments by name, each in its unit, in the function's order. */
  shown: ReadonlyArray<readonly [string, string]>;
  need: Requirement;
}

/** Sends `call` (or prints and simulates it on a dry run). Returns the receipt, or undefined on a dry run. */
export async function write(
  ctx: CliContext,
  options: WriteOptions,
  call: WriteCall,
): Promise<TransactionReceipt | undefined> {
  const { signer, address: from } = await ctx.sender(call.need, options);
  const to = await call.contract.getAddress();
  const data = call.contract.interface.encodeFunctionData(call.method, call.args);
  ctx.out(`${call.contractName}.${call.method} at ${to}`);
  for (const line of table([...call.shown, ["from", `${from} (${senderText(call.need)})`], ["calldata", data]]))
    ctx.out(line);
  if (options.dryRun === true) {
    try {
      // In the pending block, as the transaction would run (block.number is the next one's, as when it is sent).
      await ctx.provider.call({ from, to, data, blockTag: "pending" });
    } catch (error) {
      throw new CliError(`dry run: the call would fail (${describeError(error)}); nothing sent`);
    }
    ctx.out("dry run: the call succeeds in simulation; nothing sent");
    return undefined;
  }
  const tx = await signer.sendTransaction({ to, data });
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new CliError(`transaction ${tx.hash} failed`);
  ctx.out(`sent: transaction ${receipt.hash} in block ${receipt.blockNumber}`);
  return receipt;
}

/** The first log of `receipt` that `iface` parses as `eventName`. */
export function findEvent(receipt: TransactionReceipt, iface: Interface, eventName: string) {
  for (const log of receipt.logs) {
    const parsed = (() => {
      try {
        return iface.parseLog(log);
      } catch {
        return null;
      }
    })();
    if (parsed?.name === eventName) return parsed;
  }
  throw new CliError(`transaction ${receipt.hash} emitted no ${eventName}`);
}
