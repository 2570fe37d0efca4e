/**
 * Debian's Chromium driven by playwright-core for the browser tests. Missing Chromium fails the test with the
 * command that installs it (`.ci/run` installs it when missing); nothing is skipped. Screenshots go to
 * `reports/screenshots/` (gitignored), one PNG per page and step.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.VERITY_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS_DIR = resolve(import.meta.dirname, "../../reports/screenshots");

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need Debian's chromium (as root: apt-get install -y chromium; .ci/run does it), or set VERITY_CHROMIUM to another Chromium binary`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: 60_000,
  });
}

/** Saves a full-page screenshot as `reports/screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, timeout: 30_000 });
  return path;
}

/** Collects the page's uncaught errors and console errors, so a test can show them when it fails. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** The block the supervisor dashboard says it shows (its `head-block` line). */
export async function headBlockShown(page: Page): Promise<number> {
  const text = await page.getByTestId("head-block").textContent();
  const match = /block (\d+)/.exec(text ?? "");
  if (match === null) throw new Error(`the dashboard shows no head block: ${text}`);
  return Number(match[1]);
}
