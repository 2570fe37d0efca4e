/**
 * The SDK against the real stack in this process (chain, three oracle nodes over HTTP, the bureau service):
 * `sdk/examples/borrower-cycle.ts` runs its borrower's full cycle, and real reverts decode to their sentences.
 */
import { expect } from "chai";
import { parseEther, parseUnits } from "ethers";

import { borrowerCycle, pushScore } from "../../sdk/examples/borrower-cycle.js";
import * as sdk from "../../sdk/src/index.js";
import { startStack, type Stack } from "./stack.js";

describe("sdk: a borrower's cycle against the in-process stack (sdk/examples/borrower-cycle.ts)", function () {
  this.timeout(120_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });

  after(async () => {
    await stack?.stop();
  });

  it("deposits, fetches the file on a consent, applies to the quorum, borrows with the report and repays with a permit", async () => {
    const contracts = sdk.connectContracts(stack.addressBook, stack.marketMaker);
    // Interest accrues between borrow and repay: the borrower gets a little vUSD to pay it.
    await (await contracts.vusd.transfer(stack.borrower.address, parseUnits("10", 18))).wait();
    const lines: string[] = [];
    const result = await borrowerCycle({
      signer: stack.borrower,
      addressBook: stack.addressBook,
      nodes: stack.nodes.map((n) => n.url),
      bureauUrl: stack.bureau.url,
      provider: stack.providerId,
      borrowWad: parseUnits("1000", 18),
      log: (line) => lines.push(line),
    });
    expect(result.tier).to.be.oneOf([0, 1]);
    expect(result.debtBeforeRepayWad >= result.borrowedWad).to.equal(true);
    expect(result.debtAfterWad).to.equal(0n);
    expect(lines.join("\n")).to.match(/scored: PD \d+\.\d\d %/);
    const vusd = sdk.connectContracts(stack.addressBook, stack.borrower).vusd;
    // The permit was used: no approval was ever sent, yet the pool took the vUSD.
    expect(await vusd.nonces(stack.borrower.address)).to.equal(1n);
  });

  it("the node client moves on from an unreachable node, and a refused application is final (not retried)", async () => {
    const urls = stack.nodes.map((n) => n.url);
    const client = new sdk.OracleNodesClient({ nodes: ["http://127.0.0.1:1", ...urls] });
    const { node, bundle } = await client.latestBundle(stack.borrower.address);
    expect(node).to.equal(urls[0]);
    expect(bundle.report.borrower).to.equal(stack.borrower.address);
    const contracts = sdk.connectContracts(stack.addressBook, stack.borrower);
    const domain = sdk.creditDataDomainOf(stack.addressBook);
    const nowSec = (await stack.connection.ethers.provider.getBlock("latest"))!.timestamp;
    const file = await sdk.requestCreditFile({
      url: stack.bureau.url,
      signer: stack.borrower,
      provider: stack.providerId,
      ...domain,
      nowSec,
    });
    const body = await sdk.signApplication(domain, stack.borrower, sdk.featureNamesOf(file), file, {
      nonce: 99n,
      expiry: nowSec + 600,
      signer: stack.marketMaker,
    });
    const refused = await client.submitApplication(body).then(
      () => undefined,
      (e: unknown) => e as sdk.OracleNodeError,
    );
    expect(refused).to.be.instanceOf(sdk.OracleNodeError);
    // The unreachable node was skipped; the first real node's 401 ended it (a 4xx is the application's fault).
    expect([refused!.node, refused!.status, refused!.code]).to.deep.equal([urls[0], 401, "wrong_signer"]);
    expect(contracts.lendingPool.target).to.equal(stack.addressBook.contracts.lendingPool);
  });

  it("push flow (the example's --flow push): the node takes the application, the borrower calls requestScore, and a node posts the score on chain", async () => {
    const signer = stack.borrower;
    const lines: string[] = [];
    const posted = await pushScore({
      signer,
      addressBook: stack.addressBook,
      nodes: stack.nodes.map((n) => n.url),
      bureauUrl: stack.bureau.url,
      provider: stack.providerId,
      waitMs: 30_000,
      log: (line) => lines.push(line),
    });
    const contracts = sdk.connectContracts(stack.addressBook, signer);
    const [pdBps, , , , , valid] = await contracts.creditScoreOracle.scoreOf(signer.address);
    expect([posted.pdBps, valid]).to.deep.equal([Number(pdBps), true]);
    const events = await contracts.creditScoreOracle.queryFilter(
      contracts.creditScoreOracle.filters.ScorePosted(signer.address),
      posted.blockNumber,
      posted.blockNumber,
    );
    expect(events).to.have.length(1);
    expect(lines.join("\n")).to.match(/score posted in block \d+: PD \d+\.\d\d %/);
  });

  it("the bureau client names the bureau's refusal of a consent for another provider", async () => {
    const domain = sdk.creditDataDomainOf(stack.addressBook);
    const error = await sdk
      .requestCreditFile({
        url: stack.bureau.url,
        signer: stack.borrower,
        provider: stack.marketMaker.address,
        ...domain,
      })
      .then(
        () => undefined,
        (e: unknown) => e as sdk.BureauClientError,
      );
    expect(error).to.be.instanceOf(sdk.BureauClientError);
    expect(error!.status).to.be.within(400, 499);
    expect(error!.message).to.match(/provider/);
  });

  it("a borrow above the tier's max LTV is refused with the tier, its max LTV and this borrow's LTV in %", async () => {
    const signer = stack.borrower;
    const contracts = sdk.connectContracts(stack.addressBook, signer);
    const { bundle } = await new sdk.OracleNodesClient({ nodes: stack.nodes.map((n) => n.url) }).latestBundle(
      signer.address,
    );
    const tier = Number((await contracts.supervisionPolicy.tierOf(bundle.report.pdBps))[0]);
    const { maxLtvBps } = await contracts.supervisionPolicy.termsOf(tier);
    const [, , collateralValueWad] = await contracts.lendingPool.positionOf(signer.address);
    // 4 points above the max LTV.
    const amount = (collateralValueWad * (maxLtvBps + 400n)) / 10_000n;
    const error = await sdk.borrowWithReport(contracts, signer, amount, bundle).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(sdk.VerityRevertError);
    const revert = (error as sdk.VerityRevertError).revert!;
    expect(revert.rule).to.deep.equal({ name: "TIER_LTV" });
    const expectedLtv = ((Number(maxLtvBps) + 400) / 100).toFixed(2);
    expect(revert.sentence).to.match(
      new RegExp(
        `^${sdk.tierLabel(tier)} allows ${sdk.formatBps(maxLtvBps)} LTV; this borrow would make it ${expectedLtv} % \\(TIER_LTV: `,
      ),
    );
  });

  it("while the circuit breaker is on, a borrow says the protocol is paused", async () => {
    const contracts = sdk.connectContracts(stack.addressBook, stack.guardian);
    await (await contracts.supervisionPolicy.pause()).wait();
    try {
      const error = await sdk
        .sendDecoded("borrow", () => contracts.lendingPool.connect(stack.marketMaker).borrow(parseEther("200")))
        .then(
          () => undefined,
          (e: unknown) => e as Error,
        );
      expect(error?.message).to.equal(
        "borrow: The protocol is paused by its circuit breaker: borrowing, withdrawing and liquidating wait; repay and deposit still work (SupervisionPaused)",
      );
    } finally {
      await (await contracts.supervisionPolicy.connect(stack.regulator).unpause()).wait();
    }
  });

  it("a repay whose permit expired fails on the allowance it did not grant, in vUSD", async () => {
    const signer = stack.marketMaker;
    const contracts = sdk.connectContracts(stack.addressBook, signer);
    const error = await sdk.repayWithPermit(contracts, signer, parseUnits("5", 18), { deadlineSec: 1n }).then(
      () => undefined,
      (e: unknown) => e as sdk.VerityRevertError,
    );
    expect(error?.revert?.name).to.equal("ERC20InsufficientAllowance");
    expect(error?.message).to.equal(
      `repayWithPermit: ${stack.addressBook.contracts.lendingPool} may spend 0.00 (in 18-decimal units), less than the 5.00 needed: approve first, or use a permit (ERC20InsufficientAllowance)`,
    );
  });
});
