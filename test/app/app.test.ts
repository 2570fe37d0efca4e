/**
 * The dApp in a real browser against the whole local stack (scripts/app/stack.ts: hardhat node, deployment, the
 * bureau and three oracle nodes, seeded borrowers, the app on Vite): Debian's Chromium through playwright-core,
 * with the test wallet (test/app/wallet.ts) injected as an extension would. Screenshots of each page go to
 * reports/screenshots/.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { parseUnits } from "ethers";

import { ruleId } from "../../oracle/src/protocol/rules.js";
import { startStack, type RunningStack } from "../../scripts/app/stack.js";
import { headBlockShown, launchChromium, pageErrors, screenshot } from "./browser.js";
import { injectWallet } from "./wallet.js";

const UI_TIMEOUT_MS = 30_000;
const REASON_TABLE = JSON.parse(
  readFileSync(new URL("../../oracle/model/reason-codes.json", import.meta.url), "utf8"),
) as { codes: { code: number; text: string }[] };

describe("the dApp and the supervisor dashboard in Chromium (test/app)", function () {
  this.timeout(600_000);
  let stack: RunningStack;
  let browser: Browser;
  const pages: Page[] = [];

  before(async function () {
    this.timeout(600_000);
    browser = await launchChromium();
    // The built bundle (what ships), not the dev server, whose on-demand dependency optimisation may reload a page.
    stack = await startStack({ appMode: "preview" });
  });

  after(async () => {
    await Promise.allSettled(pages.map((page) => page.close()));
    await browser?.close();
    await stack?.stop();
  });

  async function openPage(path: string, wallet?: { privateKey: string; chainId?: number }) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    pages.push(page);
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const errors = pageErrors(page);
    const injected = wallet === undefined ? undefined : await injectWallet(page, { ...wallet, rpcUrl: stack.rpcUrl });
    await page.goto(`${stack.appUrl}${path}`, { timeout: UI_TIMEOUT_MS });
    return { page, errors, injected };
  }

  it("finds the injected wallet by EIP-6963, connects it and switches it to the deployment's chain", async () => {
    const account = stack.dappAccounts[0]!;
    const { page, errors, injected } = await openPage("/", { privateKey: account.privateKey, chainId: 1 });
    await page.getByRole("button", { name: "Connect Verity Test Wallet" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong network" }).waitFor();
    await screenshot(page, "borrow-wrong-network");
    await page.getByRole("button", { name: "Switch network" }).click();
    await page.getByTestId("borrow-ready").waitFor();
    expect(await page.getByTestId("wallet-chain").textContent()).to.equal("chain 31337");
    expect(await page.getByTestId("borrow-ready").textContent()).to.contain(account.address);
    expect(injected!.requests).to.include.members(["eth_requestAccounts", "wallet_switchEthereumChain"]);
    await screenshot(page, "borrow-connected");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });

  it("shows the seeded book: exposure by tier, the position at risk, the adverse action, the pending change, the registries", async () => {
    const { page, errors } = await openPage("/supervisor");
    await page.getByTestId("head-block").waitFor();
    const carol = stack.borrowers.carol;
    const atRisk = page.getByTestId("at-risk");
    await atRisk.getByRole("heading", { name: "Positions at risk (HF < 1.1): 1" }).waitFor();
    expect(
      await atRisk
        .locator("tbody tr")
        .first()
        .getAttribute("title")
        .catch(() => null),
    ).to.equal(null);
    expect(await atRisk.locator("tbody td").first().getAttribute("title")).to.equal(carol);
    await page.getByTestId("adverse-actions").getByRole("heading", { name: "Adverse actions: 1" }).waitFor();
    expect(await page.getByTestId("event-source").textContent()).to.equal("the chain");
    // Bob's reason codes with the shipped table's texts (the chain stores only the codes).
    const reasonRows = page.getByTestId("reason-texts").locator("tbody tr");
    expect(await reasonRows.count()).to.be.greaterThan(0);
    for (const row of await reasonRows.all()) {
      const [code, , text] = await row.locator("td").allTextContents();
      const entry = REASON_TABLE.codes.find((c) => c.code === Number(code));
      expect(entry, `reason code ${code}`).to.not.equal(undefined);
      expect(text).to.equal(entry!.text);
    }
    await page.getByTestId(`pending-${stack.pendingChangeId}`).waitFor();
    expect(await page.getByTestId("breaker").textContent()).to.contain("operating");
    expect(await page.getByTestId("asset-WETH").textContent()).to.contain("unfrozen");
    expect(await page.getByTestId("registries").textContent()).to.contain("Verity Demo Bureau");
    expect(await page.getByTestId("publications").textContent()).to.contain("fairness");
    await screenshot(page, "supervisor");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "supervisor-phone");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });

  it("shows a new compliance event within two blocks of it happening, and filters by borrower", async () => {
    const { page, errors } = await openPage("/supervisor");
    await page.getByTestId("head-block").waitFor();
    const { ethers } = stack.connection;
    const dave = await ethers.getSigner(stack.borrowers.dave);
    const receipt = await (await stack.system.pool.connect(dave).borrow(parseUnits("100", 18))).wait();
    if (receipt === null) throw new Error("the borrow was not mined");
    const eventBlock = receipt.blockNumber;
    for (let i = 0; i < 2; i++) await ethers.provider.send("evm_mine", []);
    const row = page.locator(`[data-testid="event-row"][data-event="LoanOriginated"][data-block="${eventBlock}"]`);
    await row.waitFor();
    expect(await headBlockShown(page)).to.be.at.most(eventBlock + 2);
    expect(await row.getAttribute("data-block")).to.equal(String(eventBlock));

    const events = page.getByTestId("events");
    await events.getByLabel("Borrower").fill(dave.address.toLowerCase());
    await events.getByRole("heading", { name: /^Compliance events: \d+ of \d+$/ }).waitFor();
    const borrowers = await events
      .locator('[data-testid="event-row"] td:nth-child(4)')
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute("title")));
    expect(borrowers.length).to.be.greaterThan(0);
    expect(new Set(borrowers)).to.deep.equal(new Set([dave.address]));
    await screenshot(page, "supervisor-events-filtered");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });

  it("shows a rule change scheduled through the timelock with its countdown", async () => {
    const { page, errors } = await openPage("/supervisor");
    await page.getByTestId("head-block").waitFor();
    const { policy } = stack.system;
    const cap = await policy.ruleValue(ruleId("BORROWER_CAP"));
    const receipt = await (
      await policy.connect(stack.roles.regulator).scheduleRuleChange(ruleId("BORROWER_CAP"), cap * 2n)
    ).wait();
    if (receipt === null) throw new Error("the schedule was not mined");
    const scheduled = policy.interface.parseLog(receipt.logs[0]!)!;
    const changeId = scheduled.args.changeId as string;
    const delaySec = Number(await policy.ruleValue(ruleId("TIMELOCK_DELAY")));
    expect(delaySec).to.equal(2 * 86_400);

    const row = page.getByTestId(`pending-${changeId}`);
    await row.waitFor();
    const cells = await row.locator("td").allTextContents();
    expect(cells[0]).to.equal("BORROWER_CAP");
    expect(cells[2]).to.equal(
      `${new Intl.NumberFormat("en-US", { minimumFractionDigits: 2 }).format(Number((cap * 2n) / 10n ** 18n))} vUSD`,
    );
    // Scheduled just now with a two-day delay: the countdown reads just under two days, and it runs.
    const countdown = row.getByTestId("countdown");
    const first = await countdown.textContent();
    expect(first).to.match(/^in (1d 23h 5\dm \d+s|2d 0h 0m 0s)$/);
    const deadline = Date.now() + 10_000;
    while ((await countdown.textContent()) === first) {
      if (Date.now() > deadline) throw new Error(`the countdown stayed at "${first}" for 10 s`);
      await page.waitForTimeout(250);
    }
    await screenshot(page, "supervisor-pending-change");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });
});
