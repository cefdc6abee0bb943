// The API reference page, /docs: Workers Static Assets serves it (the core never wakes), and
// Redoc renders the Worker's own GET /openapi.json in a real browser under the page's CSP.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startDevServer } from "../integration/harness/dev-server.mjs";
import { launchBrowser, openPage, screenshot } from "./harness/browser.mjs";

let dev;
let browser;
let document;

before(async () => {
  // one after the other: a browser launched beside a scripts/dev that fails would outlive the test
  browser = await launchBrowser();
  dev = await startDevServer();
  document = await (await fetch(`${dev.url}/openapi.json`)).json();
});

after(async () => {
  await browser?.close();
  await dev?.stop();
});

// Redoc lists the operations of the paths and of the webhooks alike.
const operations = () =>
  [...Object.values(document.paths), ...Object.values(document.webhooks ?? {})].flatMap((item) =>
    Object.keys(item).filter((k) => k !== "parameters"),
  );

test("/docs is a static file: redirected to /docs/, with its own CSP, without the core's request id", async () => {
  const bare = await fetch(`${dev.url}/docs`, { redirect: "manual" });
  assert.equal(bare.status, 307);
  assert.equal(new URL(bare.headers.get("location"), dev.url).pathname, "/docs/");
  const page = await fetch(`${dev.url}/docs/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(page.headers.get("content-security-policy"), /script-src 'self'/);
  assert.equal(page.headers.get("x-request-id"), null, "a static file must not reach the core");
  assert.match(await page.text(), /<redoc spec-url="\/openapi.json"/);
  const api = await fetch(`${dev.url}/health`);
  assert.ok(api.headers.get("x-request-id"), "an API path still reaches the core");
});

test("Redoc renders every operation of /openapi.json, and its links lead where they say", async () => {
  const page = await openPage(browser);
  await page.goto(`${dev.url}/docs`);
  await page.getByRole("heading", { level: 1, name: new RegExp(document.info.title) }).waitFor();
  const menuOperations = page.locator('[role="menuitem"] .operation-type');
  await menuOperations.first().waitFor({ state: "attached" }); // inside its tag's closed group
  assert.equal(await menuOperations.count(), operations().length, "one menu entry per operation");
  await screenshot(page, "docs-desktop", { fullPage: false });

  // A tag's entry opens its group; an operation's entry (its summary) scrolls to the operation
  // and puts it in the address.
  const operation = document.paths["/jobs/{id}/events"].get;
  await page.getByRole("menuitem").getByText(operation.tags[0], { exact: true }).first().click();
  const label = operation.summary;
  await page.locator('[role="menuitem"]', { hasText: label }).first().click();
  await page.waitForFunction(() => location.hash.length > 1);
  const target = decodeURIComponent(await page.evaluate(() => location.hash.slice(1)));
  const section = page.locator(`[id="${target}"]`);
  await section.waitFor();
  assert.ok(await section.isVisible(), `the section of ${label} is shown`);

  // The bar's links answer.
  for (const href of await page.locator("header.bar a").evaluateAll((as) => as.map((a) => a.href))) {
    const res = await fetch(href);
    assert.equal(res.status, 200, href);
    await res.arrayBuffer();
  }
  assert.deepEqual(page.problems, [], "no console errors, CSP refusals or failed requests");
  await page.context().close();
});

test("/docs reads on a phone-sized screen", async () => {
  const page = await openPage(browser, { width: 375, height: 740 });
  await page.goto(`${dev.url}/docs/`);
  await page.getByRole("heading", { level: 1, name: new RegExp(document.info.title) }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
  await screenshot(page, "docs-phone", { fullPage: false });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
