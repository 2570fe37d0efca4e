import { spawn } from "node:child_process";

import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, id, parseEther, parseUnits } from "ethers";

import { approveDataProviders, approveModel, deploySystem, shippedFeatureNames, shippedModel } from "../../scripts/deploy/deploy-system.js";
import { DEMO_PROVIDER } from "../../scripts/lib/attested-application.js";
import { defaultParameters } from "../../scripts/deploy/parameters.js";
import { rebasePositions, type KeeperProgress } from "../../scripts/keeper/rebase-positions.js";
import { packSignatures, scoreReportDomain, signScoreReport, type ScoreReport } from "../../oracle/src/signing/index.js";

const { ethers, networkHelpers } = await network.create();
const DAY = 86_400n;
const CONSERVATIVE = defaultParameters.tiers.length - 1;

/**
 * Four borrowers on the default rulebook (tiers A..D = 0..3, WETH at $3,000), each with 10 WETH:
 * - alice: scored A, borrows 5,000: nothing changes (not due);
 * - bob: unscored (tier D), borrows 5,000, then scored A: due 3 -> 0;
 * - carol: scored A, borrows 5,000, then a worse score (C): due 0 -> 2;
 * - dave: scored A, borrows and repays everything: no debt, never due.
 */
async function scenario() {
  const signers = await ethers.getSigners();
  const [deployer, governance, regulator, guardian, attester, alice, bob, carol, dave, keeper] = signers;
  const roles = { deployer: deployer!, governance: governance!, regulator: regulator!, guardian: guardian!, attester: attester! };
  const operators = [Wallet.createRandom(), Wallet.createRandom()];
  const system = await deploySystem(ethers, roles, {
    ...defaultParameters,
    oracle: { operators: operators.map((o) => o.address), threshold: 2 },
  });
  const model = await shippedModel();
  await approveModel(system.oracle, roles.regulator, model);
  await approveDataProviders(system.oracle, roles.regulator, defaultParameters.dataProviders, await shippedFeatureNames());
  const { oracle, pool, vusd, weth } = system;
  const poolAddress = await pool.getAddress();
  const domain = scoreReportDomain((await ethers.provider.getNetwork()).chainId, await oracle.getAddress());

  async function score(who: string, pdBps: number) {
    const now = BigInt(await networkHelpers.time.latest());
    const report: ScoreReport = {
      borrower: who,
      pdBps,
      reasonCodes: [1, 0, 0, 0],
      modelId: model.modelId,
      operatorSetVersion: (await oracle.operatorSet()).version,
      issuedAt: now,
      validUntil: now + 90n * DAY,
      creditFileHash: id(`credit file of ${who} at ${now}`),
      provider: DEMO_PROVIDER.id,
    };
    const signatures = packSignatures(await Promise.all(operators.map((o) => signScoreReport(o, domain, report))));
    await (await oracle.submitScore(report, signatures)).wait();
  }
  async function open(who: (typeof signers)[number], borrowVusd: string) {
    await (await weth!.connect(who).deposit({ value: parseEther("10") })).wait();
    await (await weth!.connect(who).approve(poolAddress, ethers.MaxUint256)).wait();
    await (await vusd.connect(who).approve(poolAddress, ethers.MaxUint256)).wait();
    await (await pool.connect(who).deposit(system.wethAddress, parseEther("10"), who.address)).wait();
    await (await pool.connect(who).borrow(parseUnits(borrowVusd, 18))).wait();
  }

  for (const who of [alice!, carol!, dave!]) await score(who.address, 300);
  for (const who of [alice!, bob!, carol!, dave!]) await open(who, "5000");
  await (await vusd.connect(alice!).transfer(dave!.address, parseUnits("10", 18))).wait();
  await (await pool.connect(dave!).repay(dave!.address, ethers.MaxUint256)).wait();
  await score(bob!.address, 300);
  await score(carol!.address, 1500);
  return { system, pool, oracle, score, regulator: roles.regulator, keeper: keeper!, alice: alice!, bob: bob!, carol: carol!, dave: dave! };
}

describe("keeper: rebase positions whose tier differs from the current one", function () {
  this.timeout(120_000);

  it("dry run: lists exactly the due positions from the pool's own answer, and sends nothing", async () => {
    const s = await networkHelpers.loadFixture(scenario);
    const nonce = await ethers.provider.getTransactionCount(s.keeper.address);
    const progress: KeeperProgress[] = [];
    const result = await rebasePositions({
      pool: s.pool.connect(s.keeper),
      fromBlock: s.system.deployedAtBlock,
      dryRun: true,
      chunkBlocks: 3, // several eth_getLogs ranges
      onProgress: (p) => progress.push(p),
    });
    expect(result).to.deep.include({ borrowers: 4, withDebt: 3, rebased: [], failed: [] });
    expect(result.due).to.deep.equal([
      { borrower: s.bob.address, heldTier: CONSERVATIVE, currentTier: 0 },
      { borrower: s.carol.address, heldTier: 0, currentTier: 2 },
    ]);
    expect(progress.map((p) => p.phase)).to.deep.equal(["scan", "check"]);
    expect(await ethers.provider.getTransactionCount(s.keeper.address)).to.equal(nonce);
    expect((await s.pool.positionOf(s.carol.address)).tier).to.equal(0n);
  });

  it("re-bases each due position once (DebtRebased), and a second run finds none", async () => {
    const s = await networkHelpers.loadFixture(scenario);
    const progress: KeeperProgress[] = [];
    const result = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock, onProgress: (p) => progress.push(p) });
    expect(result.rebased.map((r) => [r.borrower, r.heldTier, r.currentTier])).to.deep.equal([
      [s.bob.address, CONSERVATIVE, 0],
      [s.carol.address, 0, 2],
    ]);
    expect(result.failed).to.deep.equal([]);
    for (const r of result.rebased) {
      const receipt = await ethers.provider.getTransactionReceipt(r.txHash);
      const rebased = receipt!.logs.map((l) => s.pool.interface.parseLog(l)).find((l) => l?.name === "DebtRebased")!;
      expect([rebased.args.borrower, Number(rebased.args.oldTier), Number(rebased.args.newTier)]).to.deep.equal([r.borrower, r.heldTier, r.currentTier]);
    }
    expect(progress.filter((p) => p.phase === "rebased")).to.have.length(2);
    expect((await s.pool.positionOf(s.bob.address)).tier).to.equal(0n);
    expect((await s.pool.positionOf(s.carol.address)).tier).to.equal(2n);
    const again = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock });
    expect(again.due).to.deep.equal([]);
  });

  it("a retired model's positions are due at once (no notice): every scored position goes to the conservative tier", async () => {
    const s = await networkHelpers.loadFixture(scenario);
    await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock });
    await s.oracle.connect(s.regulator).retireModel((await s.oracle.scoreOf(s.alice.address)).modelId);
    const result = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock });
    expect(result.rebased.map((r) => [r.borrower, r.heldTier, r.currentTier])).to.deep.equal([
      [s.alice.address, 0, CONSERVATIVE],
      [s.bob.address, 0, CONSERVATIVE],
      [s.carol.address, 2, CONSERVATIVE],
    ]);
  });

  it("an expired score's position is due only once its notice period has run out", async () => {
    const s = await networkHelpers.loadFixture(scenario);
    await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock });
    const expiry = (await s.oracle.scoreOf(s.alice.address)).issuedAt + BigInt(defaultParameters.rules.maxScoreAgeSec);
    const notice = BigInt(defaultParameters.rules.scoreNoticePeriodSec);
    await networkHelpers.time.increaseTo(expiry + notice - 10n);
    const within = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock, dryRun: true });
    expect(within.due).to.deep.equal([]);
    await networkHelpers.time.increaseTo(expiry + notice + 1n);
    const after = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock, dryRun: true });
    expect(after.due.map((d) => d.borrower)).to.include(s.alice.address);
    expect(after.due.every((d) => d.currentTier === CONSERVATIVE)).to.equal(true);
  });

  it("starts the notice of an expired score nobody touched (ScoreExpiring, tier kept), once per expiry", async () => {
    const s = await networkHelpers.loadFixture(scenario);
    await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock });
    const expiry = (await s.oracle.scoreOf(s.alice.address)).issuedAt + BigInt(defaultParameters.rules.maxScoreAgeSec);
    const notice = BigInt(defaultParameters.rules.scoreNoticePeriodSec);
    // Before the expiry: no notice is due.
    await networkHelpers.time.increaseTo(expiry - 10n);
    const before = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock, dryRun: true });
    expect(before.noticeDue).to.deep.equal([]);
    // Expired, within the notice: every scored position with debt (alice, bob, carol: issued in the same minute or
    // so) is due for notice, none for a re-base; a dry run sends nothing.
    await networkHelpers.time.increaseTo(expiry + 60n);
    const planned = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock, dryRun: true });
    expect(planned.due).to.deep.equal([]);
    const alice = planned.noticeDue.find((n) => n.borrower === s.alice.address);
    expect(alice).to.deep.equal({ borrower: s.alice.address, tier: 0, expiredAt: Number(expiry), noticeEndsAt: Number(expiry + notice) });
    const sent = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock });
    expect(sent.failed).to.deep.equal([]);
    expect(sent.noticed.map((n) => n.borrower)).to.deep.equal(planned.noticeDue.map((n) => n.borrower));
    const aliceTx = sent.noticed.find((n) => n.borrower === s.alice.address)!;
    const receipt = await ethers.provider.getTransactionReceipt(aliceTx.txHash);
    const events = receipt!.logs.map((l) => s.pool.interface.parseLog(l)).filter((l) => l?.name === "ScoreExpiring");
    expect(events.map((e) => [e!.args.borrower, Number(e!.args.tier), e!.args.expiredAt, e!.args.noticeEndsAt])).to.deep.equal([
      [s.alice.address, 0, expiry, expiry + notice],
    ]);
    expect((await s.pool.positionOf(s.alice.address)).tier).to.equal(0n); // the debt keeps its tier
    // Given once: the next run finds no notice due.
    const again = await rebasePositions({ pool: s.pool.connect(s.keeper), fromBlock: s.system.deployedAtBlock, dryRun: true });
    expect(again.noticeDue).to.deep.equal([]);
  });

  it("refuses a scan that starts after the chain head", async () => {
    const s = await networkHelpers.loadFixture(scenario);
    const head = await ethers.provider.getBlockNumber();
    let message = "";
    await rebasePositions({ pool: s.pool, fromBlock: head + 5 }).catch((e: Error) => (message = e.message));
    expect(message).to.equal(`keeper: --from-block ${head + 5} is after the chain head ${head}`);
  });

  it("CLI: names the missing address book and exits 1", async () => {
    const { code, stderr } = await run(["scripts/keeper/rebase.ts", "--network", "nowhere", "--dry-run"]);
    expect(code).to.equal(1);
    expect(stderr).to.contain('keeper:rebase: no address book for network "nowhere": deployments/nowhere.json does not exist');
  });
});

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}
