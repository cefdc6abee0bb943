// A real browser for the browser tests: Debian's Chromium (apt's `chromium`, which scripts/test
// installs) driven by playwright-core, headless.
//
//   const browser = await launchBrowser();
//   const page = await openPage(browser, { width: 375, height: 740 });  // a phone; default a laptop
//   page.problems                        // console errors, failed requests, CSP violations so far
//   await screenshot(page, "docs-top", { fullPage: false });  // build/test-artifacts/screenshots/docs-top.png
//   await browser.close();

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const SCREENSHOTS = path.join(ROOT, "build/test-artifacts/screenshots");
const CHROMIUM = process.env.AG_CHROMIUM ?? "/usr/bin/chromium";

export function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (scripts/test does)`);
  // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

/**
 * A new page in a context of its own; `problems` collects what a person would not see but a
 * broken page shows: errors on the console (a CSP refusal is one), uncaught exceptions,
 * requests that failed or answered 4xx/5xx.
 */
export async function openPage(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => m.type() === "error" && page.problems.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => page.problems.push(`exception: ${e.message}`));
  page.on("requestfailed", (r) => page.problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && page.problems.push(`${r.status()}: ${r.url()}`));
  return page;
}

/** Saves a PNG of the page (the whole page unless fullPage: false) as a test artifact; returns its path. */
export async function screenshot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
