/** `node balance <address>`: an operator key's ETH against what posting reports needs (the node's own funding rule). */
import type { Command } from "commander";

import { DEFAULT_FUNDING_HEADROOM, fundingNeededWei, SUBMIT_SCORE_GAS_BOUND } from "../../oracle/src/chain/funding.js";
import { parseEther } from "ethers";

import type { CliContext, CliEnv } from "./context.js";
import { inContext, writeOptions } from "./command.js";
import { CliError, eth, parseAddress, table } from "./units.js";

/** What the node needs to post reports at the current max fee (the node's own rule). */
async function fundingNeed(ctx: CliContext): Promise<{ neededWei: bigint; maxFeePerGas: bigint }> {
  const fees = await ctx.provider.getFeeData();
  const maxFeePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
  return { neededWei: fundingNeededWei(maxFeePerGas), maxFeePerGas };
}

/** An amount of ETH as typed (`0.05`, `1`); a clear error otherwise. */
function parseEthAmount(value: string, what: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value.trim())) throw new CliError(`${what}: "${value}" is not an amount of ETH (e.g. 0.05)`);
  const wei = parseEther(value.trim());
  if (wei === 0n) throw new CliError(`${what}: the amount must be more than 0 ETH`);
  return wei;
}

export function registerNodeGroup(program: Command, env: CliEnv): void {
  const group = program.command("node").description("an oracle node's operator key");

  group
    .command("balance")
    .description(
      `an operator key's ETH balance against what the node needs to post reports (${DEFAULT_FUNDING_HEADROOM} × submitScore gas ${SUBMIT_SCORE_GAS_BOUND} × the current max fee); exits 1 when it is short`,
    )
    .argument("<address>", "the operator's address")
    .action(
      inContext(env, async (ctx, _options, [addressArg]) => {
        const address = parseAddress(addressArg!, "<address>");
        const [balanceWei, { neededWei, maxFeePerGas }, [version, , operators]] = await Promise.all([
          ctx.provider.getBalance(address),
          fundingNeed(ctx),
          ctx.oracle.operatorSet(),
        ]);
        const member = operators.includes(address);
        ctx.out(`operator key ${address}`);
        for (const line of table([
          ["balance", eth(balanceWei)],
          ["needs at least", `${eth(neededWei)} (${DEFAULT_FUNDING_HEADROOM} × ${SUBMIT_SCORE_GAS_BOUND} gas × max fee ${maxFeePerGas} wei)`],
          ["operator set", member ? `member of version ${version}` : `not in the current set (version ${version})`],
        ])) ctx.out(line);
        if (balanceWei < neededWei) throw new CliError(`${address} is short of funds: send it at least ${eth(neededWei - balanceWei)}`);
        ctx.out("  funded: enough to post reports");
      }),
    );

  writeOptions(
    group
      .command("fund")
      .description(
        "send ETH to an operator key from one of the network's configured accounts (default: the first; --from or --key picks another); " +
          "the default amount is 10 × what the node needs to post reports, at the current max fee",
      )
      .argument("<address>", "the operator's address")
      .option("--amount <eth>", "ETH to send, e.g. 0.05"),
  ).action(
    inContext<{ amount?: string }>(env, async (ctx, options, [addressArg]) => {
      const address = parseAddress(addressArg!, "<address>");
      const { neededWei: needed } = await fundingNeed(ctx);
      const amountWei = options.amount === undefined ? needed * 10n : parseEthAmount(options.amount, "--amount");
      const { signer, address: from } = await ctx.sender({ kind: "anyone" }, options);
      ctx.out(`send ${eth(amountWei)} to ${address}`);
      for (const line of table([["from", from], ["node needs", `${eth(needed)} at the current max fee`]])) ctx.out(line);
      if (options.dryRun === true) {
        ctx.out("dry run: nothing sent");
        return;
      }
      const tx = await signer.sendTransaction({ to: address, value: amountWei });
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new CliError(`transaction ${tx.hash} failed`);
      ctx.out(`sent: transaction ${receipt.hash} in block ${receipt.blockNumber}`);
      ctx.out(`  balance now  ${eth(await ctx.provider.getBalance(address))}`);
    }),
  );
}
