/**
 * The supervisor dashboard reading its events from the compliance indexer, in Chromium: the local stack started as
 * `npm run app -- --indexer` starts it (Ponder on PGlite, a child process; `indexerUrl` in config.json), the page
 * says it reads the indexer, shows the seeded book, counts exactly the compliance events the chain holds up to the
 * block it shows, and shows a new event once the indexer has it.
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { parseUnits } from "ethers";

import { readComplianceEvents } from "../../sdk/src/events/index.js";
import { startStack, type RunningStack } from "../../scripts/app/stack.js";
import { headBlockShown, launchChromium, pageErrors, screenshot } from "./browser.js";

const UI_TIMEOUT_MS = 30_000;

describe("the supervisor dashboard on the compliance indexer, in Chromium (test/app)", function () {
  this.timeout(600_000);
  let stack: RunningStack;
  let browser: Browser;
  let page: Page | undefined;

  before(async function () {
    this.timeout(600_000);
    browser = await launchChromium();
    stack = await startStack({ appMode: "preview", indexer: true });
  });

  after(async () => {
    await page?.close();
    await browser?.close();
    await stack?.stop();
  });

  it("reads the indexer, shows the seeded book and the chain's count of compliance events", async () => {
    expect(stack.appConfig.indexerUrl).to.equal(stack.indexerUrl);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const errors = pageErrors(page);
    await page.goto(`${stack.appUrl}/supervisor`, { timeout: UI_TIMEOUT_MS });
    await page.getByTestId("head-block").waitFor();
    expect(await page.getByTestId("event-source").textContent()).to.equal(`the indexer at ${stack.indexerUrl}`);
    await page.getByTestId("at-risk").getByRole("heading", { name: "Positions at risk (HF < 1.1): 1" }).waitFor();
    await page.getByTestId("adverse-actions").getByRole("heading", { name: "Adverse actions: 1" }).waitFor();
    expect(await page.getByTestId("registries").textContent()).to.contain("Verity Demo Bureau");

    const shownBlock = await headBlockShown(page);
    const onChain = await readComplianceEvents(stack.connection.ethers.provider, stack.addressBook.contracts, {
      fromBlock: stack.addressBook.deployedAtBlock,
      toBlock: shownBlock,
    });
    await page
      .getByTestId("events")
      .getByRole("heading", { name: `Compliance events: ${onChain.length} of ${onChain.length}` })
      .waitFor();
    await screenshot(page, "supervisor-indexer");
    expect(errors, errors.join("\n")).to.deep.equal([]);
  });

  it("shows a new compliance event once the indexer has indexed it", async () => {
    const { ethers } = stack.connection;
    const dave = await ethers.getSigner(stack.borrowers.dave);
    const receipt = await (await stack.system.pool.connect(dave).borrow(parseUnits("100", 18))).wait();
    if (receipt === null) throw new Error("the borrow was not mined");
    const row = page!.locator(
      `[data-testid="event-row"][data-event="LoanOriginated"][data-block="${receipt.blockNumber}"]`,
    );
    await row.waitFor();
    expect(await headBlockShown(page!)).to.be.at.least(receipt.blockNumber);
  });
});
