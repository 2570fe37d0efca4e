/**
 * Rebase keeper: moves every position whose held tier differs from its current tier (newer score, retired model,
 * expired score past its notice period) onto its current tier, one `LendingPool.rebase` call each, and starts the
 * notice (`ScoreExpiring`) of every position whose score has expired with no notice given yet (also `rebase`).
 *
 *   npm run keeper:rebase -- --network localhost --dry-run   # list the due positions, send nothing
 *   npm run keeper:rebase -- --network localhost             # re-base them (the network's first account pays)
 *   npm run keeper:rebase -- --network sepolia --from-block 6100000
 *
 * Reads `deployments/<network>.json` for the pool and the deployment block (the default start of the scan for
 * borrowers). Exits 1 if any re-base failed (the others are still sent; a rerun retries the failed ones).
 */
import { Command } from "commander";

import { LendingPool__factory } from "../../types/ethers-contracts/index.js";
import { blockNumber, failWith, openDeployment } from "../cli/deployment.js";
import { rebasePositions, type KeeperProgress } from "./rebase-positions.js";

const program = new Command()
  .name("keeper:rebase")
  .description("Re-base every lending position whose tier differs from its borrower's current tier")
  .requiredOption("--network <name>", "network in hardhat.config.ts with an address book deployments/<name>.json")
  .option("--dry-run", "list the positions that are due, send no transaction")
  .option("--from-block <n>", "first block to scan for borrowers (default: the address book's deployedAtBlock)", blockNumber)
  .parse();
const options = program.opts<{ network: string; dryRun?: boolean; fromBlock?: number }>();
const dryRun = options.dryRun === true;

const fail = failWith("keeper:rebase");
const { addressBook, connection } = await openDeployment(options.network, fail);
const { ethers } = connection;
const poolAddress = addressBook.contracts.lendingPool;
if ((await ethers.provider.getCode(poolAddress)) === "0x") {
  fail(`no contract at the pool address ${poolAddress} on "${options.network}" (was the chain restarted? redeploy)`);
}
const signers = await ethers.getSigners();
const keeper = signers[0];
if (keeper === undefined && !dryRun) {
  fail(`network "${options.network}" has no account to send from (configure one, or use --dry-run)`);
}
const pool = LendingPool__factory.connect(poolAddress, keeper ?? ethers.provider);

const progress = (p: KeeperProgress) => {
  if (p.phase === "scan") console.log(`  blocks ${p.fromBlock}–${p.toBlock}: ${p.borrowers} borrower(s)`);
  else if (p.phase === "check") console.log(`  checked ${p.done}/${p.total}: ${p.due} due`);
  else if (p.phase === "noticed") {
    console.log(`  notice started for ${p.notice.borrower}: tier ${p.notice.tier} until ${new Date(p.notice.noticeEndsAt * 1000).toISOString()} (${p.txHash})`);
  } else if (p.phase === "rebased") {
    console.log(`  re-based ${p.position.borrower}: tier ${p.position.heldTier} -> ${p.position.currentTier} (${p.txHash})`);
  } else console.log(`  FAILED ${p.position.borrower} (tier ${p.position.heldTier} -> ${p.position.currentTier}): ${p.error}`);
};

console.log(
  `Rebase keeper on ${options.network} (chain ${addressBook.chainId}), pool ${poolAddress}${dryRun ? ", dry run" : `, sending from ${keeper!.address}`}…`,
);
const result = await rebasePositions({
  pool,
  fromBlock: options.fromBlock ?? addressBook.deployedAtBlock,
  dryRun,
  onProgress: progress,
}).catch((error: Error) => fail(error.message));
await connection.close();

if (dryRun) {
  for (const p of result.due) console.log(`  due: ${p.borrower}: tier ${p.heldTier} -> ${p.currentTier}`);
  for (const n of result.noticeDue) console.log(`  notice due: ${n.borrower}: score expired at ${new Date(n.expiredAt * 1000).toISOString()}`);
}
console.log(
  `${result.borrowers} borrower(s), ${result.withDebt} with debt, ${result.due.length} due, ${result.noticeDue.length} notice(s) due` +
    (dryRun
      ? " (dry run: nothing sent)"
      : `, ${result.rebased.length} re-based, ${result.noticed.length} notice(s) started, ${result.failed.length} failed`),
);
if (result.failed.length > 0) process.exit(1);
