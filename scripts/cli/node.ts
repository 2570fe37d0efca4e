/** `node balance <address>`: an operator key's ETH against what posting reports needs (the node's own funding rule). */
import type { Command } from "commander";

import { DEFAULT_FUNDING_HEADROOM, fundingNeededWei, SUBMIT_SCORE_GAS_BOUND } from "../../oracle/src/chain/funding.js";
import type { CliEnv } from "./context.js";
import { inContext } from "./command.js";
import { CliError, eth, parseAddress, table } from "./units.js";

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
        const [balanceWei, fees, [version, , operators]] = await Promise.all([
          ctx.provider.getBalance(address),
          ctx.provider.getFeeData(),
          ctx.oracle.operatorSet(),
        ]);
        const maxFeePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
        const neededWei = fundingNeededWei(maxFeePerGas);
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
}
