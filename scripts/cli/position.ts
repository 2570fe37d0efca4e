/** `position <borrower>`: collateral, debt, tier (held and current), health factor, and the score with its expiry. */
import type { Command } from "commander";

import { Contract, formatUnits } from "ethers";

import type { CliEnv } from "./context.js";
import { inContext } from "./command.js";
import { describeError } from "./errors.js";
import { healthFactor, isoDate, parseAddress, percent, relative, table, vusd } from "./units.js";

/** The two ERC-20 metadata reads a collateral amount needs (OpenZeppelin's interface has no TypeChain type here). */
const ERC20_METADATA = ["function symbol() view returns (string)", "function decimals() view returns (uint8)"];

export function registerPositionCommand(program: Command, env: CliEnv): void {
  program
    .command("position")
    .description("a borrower's position: collateral, debt, tier, health factor, score and its expiry")
    .argument("<borrower>", "the borrower's address")
    .action(
      inContext(env, async (ctx, _options, [borrowerArg]) => {
        const borrower = parseAddress(borrowerArg!, "<borrower>");
        const [[debtWad, tier, collateralValueWad, hf], principalWad, score, listed, now] = await Promise.all([
          ctx.pool.positionOf(borrower),
          ctx.pool.principalOf(borrower),
          ctx.oracle.scoreOf(borrower),
          ctx.eventsSinceDeployment((from, to) => ctx.pool.queryFilter(ctx.pool.filters.CollateralListed(), from, to)),
          ctx.chainNow(),
        ]);
        // The tier the position belongs on now: what a re-base would move it to (the pool's own answer; a position
        // without debt has no tier to move).
        const currentTier =
          debtWad === 0n
            ? undefined
            : await ctx.pool.rebase.staticCall(borrower).then(
                ([, next]) => String(next),
                (error: unknown) => `unknown (${describeError(error)})`,
              );
        const rows: Array<[string, string]> = [];
        for (const event of listed) {
          const asset = event.args.asset;
          const amount = await ctx.pool.collateralOf(borrower, asset);
          if (amount === 0n) continue;
          const token = new Contract(asset, ERC20_METADATA, ctx.provider);
          const [symbol, decimals] = (await Promise.all([
            token.getFunction("symbol")(),
            token.getFunction("decimals")(),
          ])) as [string, bigint];
          rows.push([`collateral ${symbol}`, `${formatUnits(amount, decimals)} ${symbol}`]);
        }
        if (rows.length === 0) rows.push(["collateral", "none"]);
        rows.push(
          ["collateral value", `${vusd(collateralValueWad)} (at the last accepted prices)`],
          ["debt", `${vusd(debtWad)} (principal ${vusd(principalWad)})`],
          [
            "tier",
            debtWad === 0n
              ? "none (no debt)"
              : String(tier) === currentTier
                ? String(tier)
                : `${tier} held; ${currentTier} current (a re-base moves it)`,
          ],
          ["health factor", healthFactor(hf)],
        );
        const [pdBps, reasonCodes, modelId, issuedAt, validUntil, valid] = score;
        if (issuedAt === 0n) rows.push(["score", "none (priced on the most conservative tier)"]);
        else {
          rows.push(
            ["score", `PD ${percent(pdBps)}${valid ? "" : " (not valid: expired or its model is no longer approved)"}`],
            ["reason codes", reasonCodes.filter((c) => c !== 0n).join(", ") || "none"],
            ["model", modelId],
            ["issued at", isoDate(issuedAt)],
            [
              "valid until",
              `${isoDate(validUntil)} (${validUntil > BigInt(now) ? `expires ${relative(validUntil, now)}` : `expired ${relative(validUntil, now)}`})`,
            ],
          );
        }
        ctx.out(`position of ${borrower}`);
        for (const line of table(rows)) ctx.out(line);
      }),
    );
}
