/**
 * The borrower's pages in Chromium against the whole local stack (scripts/app/stack.ts), with the test wallet
 * (test/app/wallet.ts) injected as an extension would: a good borrower's full cycle, a declined applicant's
 * notice of adverse action, an over-limit borrow's decoded rule, and the page on a phone-sized screen.
 * Screenshots go to reports/screenshots/borrow-*.png.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

import { expect } from "chai";
import { parseEther, parseUnits } from "ethers";
import type { Browser, Page } from "playwright-core";

import * as sdk from "../../sdk/src/index.js";
import { startStack, type RunningStack } from "../../scripts/app/stack.js";
import { launchChromium, pageErrors, screenshot } from "./browser.js";
import { injectWallet, type InjectedWallet } from "./wallet.js";

const UI_TIMEOUT_MS = 60_000;
const REASON_TEXTS = new Map(
  (
    JSON.parse(readFileSync(resolve(import.meta.dirname, "../../oracle/model/reason-codes.json"), "utf8")) as {
      codes: { code: number; text: string }[];
    }
  ).codes.map((entry) => [entry.code, entry.text]),
);

describe("the borrower's pages in Chromium (test/app/borrow)", function () {
  this.timeout(900_000);
  let stack: RunningStack;
  let browser: Browser;
  const pages: Page[] = [];

  before(async function () {
    this.timeout(600_000);
    browser = await launchChromium();
    // The built bundle (vite build, a few seconds): pages load at once, where the dev server would transform the
    // SDK's hundreds of modules on the first request.
    stack = await startStack({ appMode: "preview" });
  });

  after(async () => {
    await Promise.allSettled(pages.map((page) => page.close()));
    await browser?.close();
    await stack?.stop();
  });

  async function openBorrowPage(
    account: { privateKey: string; address: string },
    viewport = { width: 1280, height: 900 },
  ): Promise<{ page: Page; errors: string[]; wallet: InjectedWallet }> {
    const page = await browser.newPage({ viewport });
    pages.push(page);
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const errors = pageErrors(page);
    const wallet = await injectWallet(page, { privateKey: account.privateKey, rpcUrl: stack.rpcUrl });
    await page.goto(`${stack.appUrl}/`, { timeout: UI_TIMEOUT_MS });
    await page
      .getByRole("button", { name: "Connect Verity Test Wallet" })
      .click()
      .catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\npage errors: ${errors.join("\n")}`, { cause: error });
      });
    await page.getByTestId("borrow-ready").waitFor();
    await page.getByTestId("position-block").waitFor();
    return { page, errors, wallet };
  }

  /** Waits for the named action to finish; fails with the page's error sentence if it failed. */
  async function actionDone(page: Page, name: string): Promise<void> {
    const action = page.getByTestId("action").filter({ hasText: name });
    await action.and(page.locator('[data-status="done"], [data-status="failed"]')).waitFor();
    if ((await action.getAttribute("data-status")) === "failed")
      throw new Error(`${name} failed in the page: ${await page.getByTestId("action-error").textContent()}`);
  }

  async function txLines(page: Page): Promise<string[]> {
    return page.getByTestId("tx").allTextContents();
  }

  async function applyForScore(page: Page): Promise<void> {
    await page.getByRole("button", { name: "Sign consent and fetch my credit file" }).click();
    await actionDone(page, "Fetch the credit file");
    await page.getByTestId("credit-file").waitFor();
    await page.getByRole("button", { name: "Apply for a credit score" }).click();
    await actionDone(page, "Apply for a credit score");
  }

  /** The page's position shows the chain's state at the block it names. */
  async function expectPositionMatchesChain(page: Page, account: string): Promise<number> {
    const blockText = (await page.getByTestId("position-block").textContent()) ?? "";
    const block = Number(/at block (\d+)/.exec(blockText)?.[1]);
    const { pool, policy } = stack.system;
    const [debtWad, tier, , healthFactorWad] = await pool.positionOf(account, { blockTag: block });
    expect(await page.getByTestId("debt").textContent()).to.equal(sdk.formatVusd(debtWad));
    expect(await page.getByTestId("health-factor").textContent()).to.equal(sdk.formatHealthFactor(healthFactorWad));
    // Health factor 1 when collateral × price × threshold = debt: price = debt / (collateral × threshold).
    const collateralWei = await pool.collateralOf(account, stack.addressBook.contracts.weth, { blockTag: block });
    const thresholdBps = (await policy.termsOf(tier, { blockTag: block })).liquidationThresholdBps;
    const priceWad = (debtWad * 10_000n * 10n ** 18n) / (BigInt(thresholdBps) * collateralWei);
    expect(await page.getByTestId("liquidation-price").textContent()).to.match(
      new RegExp(`^${sdk.formatWad(priceWad).replace(/\./g, "\\.")} USD per ETH `),
    );
    return block;
  }

  it("takes a good borrower through the full cycle: deposit, consent, apply, borrow, repay, withdraw", async () => {
    const account = stack.dappAccounts[0]!;
    expect(account.profile).to.equal("good");
    const { pool, oracle, vusd } = stack.system;
    const weth = stack.addressBook.contracts.weth;
    const { page, errors, wallet } = await openBorrowPage(account);
    await screenshot(page, "borrow-start");

    // Deposit: wrap, approve, deposit, each pending then confirmed in its block.
    await page.getByLabel("Collateral amount (ETH)").fill("2");
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await actionDone(page, "Deposit 2 ETH");
    const deposits = await txLines(page);
    expect(deposits.map((line) => line.split(":")[0])).to.deep.equal([
      "WETH.deposit",
      "WETH.approve",
      "LendingPool.deposit",
    ]);
    await page
      .getByTestId("tx")
      .filter({ hasText: "LendingPool.deposit" })
      .filter({ hasText: /confirmed in block \d+/ })
      .waitFor();
    expect(await pool.collateralOf(account.address, weth)).to.equal(parseEther("2"));
    await page
      .getByTestId("collateral")
      .filter({ hasText: /^2 ETH/ })
      .waitFor();
    await screenshot(page, "borrow-deposited");

    // Consent (typed data through the wallet), then the quorum's score.
    await applyForScore(page);
    const decision = page.getByTestId("decision");
    expect(await decision.getAttribute("data-declined")).to.equal("false");
    const heading = (await decision.getByRole("heading", { level: 3 }).textContent()) ?? "";
    const match = /^Approved: (Tier [A-Z]), PD (\d+\.\d\d) %$/.exec(heading);
    expect(match, heading).to.not.equal(null);
    expect(wallet.requests.filter((m) => m === "eth_signTypedData_v4")).to.have.length(2);
    expect(await page.getByTestId("score-expiry").textContent()).to.match(/^Score valid until \d{4}-\d\d-\d\dT/);
    await screenshot(page, "borrow-approved");

    // Borrow with the bundle: the report is posted in the same transaction, with the PD the page showed.
    await page.getByLabel("Amount to borrow (vUSD)").fill("1000");
    await page.getByRole("button", { name: "Borrow with my score" }).click();
    await actionDone(page, "Borrow 1,000.00 vUSD");
    expect((await txLines(page))[0]).to.match(/^LendingPool\.borrowWithReport: .* (pending…|confirmed in block \d+)$/);
    const score = await oracle.scoreOf(account.address);
    expect(sdk.formatBps(score[0])).to.equal(`${match![2]} %`);
    const [debtWad, tier] = await pool.positionOf(account.address);
    expect(sdk.tierLabel(tier)).to.equal(match![1]);
    expect(debtWad >= parseUnits("1000", 18)).to.equal(true);
    await page
      .getByTestId("debt")
      .filter({ hasText: /^1,000\.\d\d vUSD$/ })
      .waitFor();
    await page
      .getByTestId("liquidation-price")
      .filter({ hasText: /USD per ETH/ })
      .waitFor();
    const shownBlock = await expectPositionMatchesChain(page, account.address);
    // Live: a new block (interest accrues) is shown without any action.
    await stack.connection.ethers.provider.send("evm_mine", []);
    await page
      .getByTestId("position-block")
      .filter({ hasText: `at block ${shownBlock + 1}` })
      .waitFor();
    await expectPositionMatchesChain(page, account.address);
    await screenshot(page, "borrow-borrowed");

    // Repay all with a permit: the interest comes from elsewhere (Dave sends 10 vUSD).
    const dave = await stack.connection.ethers.getSigner(stack.borrowers.dave);
    await (await vusd.connect(dave).transfer(account.address, parseUnits("10", 18))).wait();
    await page.getByRole("button", { name: "Repay all" }).click();
    await actionDone(page, "Repay all");
    expect((await txLines(page)).map((line) => line.split(":")[0])).to.deep.equal(["LendingPool.repayWithPermit"]);
    expect(wallet.requests.filter((m) => m === "eth_signTypedData_v4")).to.have.length(3);
    expect((await pool.positionOf(account.address))[0]).to.equal(0n);
    await page
      .getByTestId("debt")
      .filter({ hasText: /^0\.00 vUSD$/ })
      .waitFor();
    await page.getByTestId("liquidation-price").filter({ hasText: "none (no debt)" }).waitFor();
    await screenshot(page, "borrow-repaid");

    // Withdraw everything: out of the pool, unwrapped.
    await page.getByRole("button", { name: /^Use all deposited/ }).click();
    await page.getByRole("button", { name: "Withdraw", exact: true }).click();
    await actionDone(page, "Withdraw 2 ETH");
    expect((await txLines(page)).map((line) => line.split(":")[0])).to.deep.equal([
      "LendingPool.withdraw",
      "WETH.withdraw",
    ]);
    expect(await pool.collateralOf(account.address, weth)).to.equal(0n);
    await page
      .getByTestId("collateral")
      .filter({ hasText: /^0 ETH/ })
      .waitFor();
    await screenshot(page, "borrow-withdrawn");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });

  it("shows a declined applicant the notice of adverse action with the specific reasons, the bureau and the right to a copy", async () => {
    const account = stack.dappAccounts[1]!;
    expect(account.profile).to.equal("risky");
    const { page, errors } = await openBorrowPage(account);
    await applyForScore(page);
    const notice = page.getByTestId("adverse-action-notice");
    await notice.waitFor();
    expect(await page.getByTestId("decision").count()).to.equal(0);
    const pdText = (await notice.getByTestId("notice-pd").textContent()) ?? "";
    const pdBps = Math.round(Number.parseFloat(pdText) * 100);
    const [, declined] = await stack.system.policy.tierOf(pdBps);
    expect(declined, `PD ${pdText} should be declined`).to.equal(true);
    const reasons = await notice.getByTestId("reasons").locator("li").allTextContents();
    expect(reasons.length).to.be.within(1, 4);
    for (const line of reasons) {
      const code = Number(/\(reason code (\d+)\)$/.exec(line)?.[1]);
      const text = REASON_TEXTS.get(code);
      expect(text, `reason code ${code} is in the table`).to.be.a("string");
      expect(line).to.equal(`${text} (reason code ${code})`);
    }
    expect(await notice.getByTestId("notice-bureau").textContent()).to.contain("Verity Demo Bureau");
    expect(await notice.getByTestId("notice-rights").textContent()).to.contain(
      "the right to a free copy of your credit file from Verity Demo Bureau",
    );
    await screenshot(page, "borrow-declined-notice");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });

  it("shows an over-limit borrow's decoded rule (the tier's LTV and this borrow's), and fits a phone's screen", async () => {
    const account = stack.dappAccounts[2]!;
    const { page, errors } = await openBorrowPage(account);
    await page.getByLabel("Collateral amount (ETH)").fill("1");
    await page.getByRole("button", { name: "Deposit", exact: true }).click();
    await actionDone(page, "Deposit 1 ETH");
    await applyForScore(page);
    const heading = (await page.getByTestId("decision").getByRole("heading", { level: 3 }).textContent()) ?? "";
    const tierName = /^Approved: (Tier [A-Z])/.exec(heading)?.[1];
    expect(tierName, heading).to.be.a("string");
    const tier = tierName!.charCodeAt(5) - 65;
    const { maxLtvBps } = await stack.system.policy.termsOf(tier);
    const collateralValueWad = (await stack.system.pool.positionOf(account.address))[2];
    const borrowWad = parseUnits("5000", 18);
    const ltvPct = ((Number(borrowWad) / Number(collateralValueWad)) * 100).toFixed(2);

    // By keyboard: type the amount and press Enter in the field.
    const field = page.getByLabel("Amount to borrow (vUSD)");
    await field.focus();
    await page.keyboard.type("5000");
    await page.keyboard.press("Enter");
    const alert = page.getByTestId("action-error");
    await alert.waitFor();
    expect(await alert.getAttribute("role")).to.equal("alert");
    expect(await alert.textContent()).to.contain(
      `borrowWithReport: ${tierName} allows ${sdk.formatBps(maxLtvBps)} LTV; this borrow would make it ${ltvPct} %`,
    );
    expect((await stack.system.pool.positionOf(account.address))[0]).to.equal(0n);
    await screenshot(page, "borrow-over-limit");
    expect(errors, errors.join("\n")).to.deep.equal([]);

    // The same page on a phone: nothing wider than the screen.
    const phone = await openBorrowPage(account, { width: 390, height: 844 });
    const widths = await phone.page.evaluate(() => {
      const root = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return { scroll: root.scrollWidth, client: root.clientWidth };
    });
    expect(widths.scroll, JSON.stringify(widths)).to.be.at.most(widths.client);
    await screenshot(phone.page, "borrow-phone");
    expect(phone.errors, phone.errors.join("\n")).to.deep.equal([]);
  });
});
