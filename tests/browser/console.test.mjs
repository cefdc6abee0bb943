// The console (console/, served under /console/) in Debian's Chromium against the stack
// scripts/dev starts: local R2, the embedded database, the local Supabase Auth and the local
// generation server, with the Stripe stand-in behind billing. A person's path through it: sign
// up → welcome credits → upload an image → a job with its price shown → the output appears
// (an image shows, a video plays) → the ledger shows the spend; refusals shown as messages;
// Checkout: pay → credits arrive; the admin signs in with the admin token and sees deep health.
// Every page passes axe-core without a critical violation, and is photographed at desktop and
// phone width (build/test-artifacts/screenshots/console-*.png).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startDevServer } from "../integration/harness/dev-server.mjs";
import { startStripe } from "../integration/harness/stripe.mjs";
import { encodePng } from "../../scripts/local-gen/png.mjs";
import { launchBrowser, openPage, screenshot } from "./harness/browser.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const AXE = fs.readFileSync(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
const ADMIN = "admin-token-for-the-console-test";
const SK = "sk_test_console";
const WHSEC = "whsec_console_test";
const USER = { email: `console-${Date.now()}@example.com`, password: "a-console-password" };
// A guard against hanging (a cold scripts/dev, a job that never ends), not a measure.
const HANG_MS = 8 * 60_000;
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 375, height: 740 };

let stripe;
let dev;
let browser;
let page;
let console_; // the console's URL

/** A small PNG with a gradient, as a user's photo. */
function photo() {
  const size = 48;
  const rgba = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) rgba.set([(i % size) * 5, Math.floor(i / size) * 5, 180, 255], i * 4);
  return encodePng(size, size, rgba);
}

/** Waits until no loader shows (the job page's "waiting for outputs" aside). */
async function settled(p = page) {
  await p.waitForFunction(() => ![...document.querySelectorAll(".loading")].some((e) => !e.closest("[data-waiting]")));
}

/** axe-core on the page as it is: the critical violations (none expected). */
async function critical(p = page) {
  // evaluated through the DevTools protocol: the console's CSP (rightly) refuses inline scripts
  await p.evaluate(AXE);
  const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.filter((v) => v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`);
}

/** Checks the page as it is with axe and photographs it at desktop and phone width. */
async function inspect(name, ready = () => settled()) {
  assert.deepEqual(await critical(), [], `critical axe violations on ${name}`);
  await screenshot(page, `console-${name}-desktop`);
  await page.setViewportSize(PHONE);
  await ready();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name} scrolls sideways at phone width (${overflow}px)`);
  await screenshot(page, `console-${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

/** Opens a console route and inspects it. */
async function visit(route, name, ready = () => settled()) {
  await page.goto(`${console_}#/${route}`);
  await ready();
  await inspect(name, ready);
}

/** The Jobs page's form, filled in for `model` with `prompt`. */
async function jobForm(model, prompt) {
  await page.goto(`${console_}#/jobs`);
  await settled();
  await page.getByLabel("Model").selectOption(model);
  await page.getByLabel(/prompt/i).fill(prompt);
}

/** Creates the job the form describes; resolves on its page. */
async function createJob() {
  await page.getByRole("button", { name: "Create job" }).click();
  await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
}

const text = (selector) => page.locator(selector).first().innerText();

describe("the console", { timeout: HANG_MS }, () => {
  before(async () => {
    stripe = await startStripe({ secretKey: SK, webhookSecret: WHSEC, prices: { price_credits_100: { unit_amount: 500 }, price_credits_500: { unit_amount: 2000 }, price_pro_monthly: { unit_amount: 1900, recurring: { interval: "month" } } } });
    // one after the other: a browser launched beside a scripts/dev that fails would outlive the test
    browser = await launchBrowser();
    dev = await startDevServer({ env: { APP_ADMIN_TOKEN: ADMIN, STRIPE_SECRET_KEY: SK, STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE: stripe.url } });
    console_ = `${dev.url}/console/`;
    page = await openPage(browser, DESKTOP);
    // Stripe's hosted Checkout page, played by the test: "Pay" completes the session at the
    // stand-in, which signs the event Stripe would send to the Worker's webhook, then goes
    // back to the success URL, as Stripe does.
    await page.context().route("https://checkout.stripe.com/**", async (route) => {
      const url = new URL(route.request().url());
      const id = url.pathname.split("/").pop();
      if (!url.searchParams.has("pay")) {
        await route.fulfill({ contentType: "text/html", body: `<!doctype html><html lang="en"><title>Checkout</title><main><h1>Pay AlphoGen</h1><a href="?pay=1">Pay</a></main></html>` });
        return;
      }
      const session = stripe.pay(id);
      const { body, header } = stripe.sign(stripe.event("checkout.session.completed", session));
      const res = await fetch(`${dev.url}/webhooks/stripe`, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": header }, body });
      assert.equal(res.status, 200, await res.text());
      await route.fulfill({ status: 302, headers: { location: session.success_url } });
    });
  }, { timeout: HANG_MS });

  after(async () => {
    await browser?.close();
    await dev?.stop();
    await stripe?.close();
  });

  test("signed out: the dashboard shows health; the account page offers sign-up and admin sign-in", async () => {
    await visit("", "dashboard-signed-out");
    assert.match(await text("#main"), /Healthy/);
    await visit("account", "account-signed-out");
    assert.ok(await page.getByLabel("Admin token").isVisible());
  });

  test("a new user signs up and has the welcome credits", async () => {
    await page.goto(`${console_}#/account`);
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    await page.getByLabel("E-mail").fill(USER.email);
    await page.getByLabel("Password").fill(USER.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText(`Signed in as ${USER.email}`).waitFor();
    await settled();
    assert.match(await text("#main"), /10 credits/);
    await visit("account", "account");
    await visit("", "dashboard", async () => {
      await settled();
      await page.getByText("No jobs yet").waitFor();
    });
    assert.match(await text("#main"), /10\s*credits/);
    // the curl equivalent is the call just made, with this user's own token
    const curl = page.locator("details.curl", { hasText: "curl equivalent" }).nth(1);
    await curl.locator("summary").click();
    const command = await curl.locator("pre").innerText();
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem("alphogen.console.auth")).access_token);
    assert.match(command, new RegExp(`^curl -s '${dev.url}/credits'`));
    assert.ok(command.includes(`Authorization: Bearer ${token}`), command);
  });

  test("the keyboard reaches everything: a skip link first, then the navigation", async () => {
    await page.goto(`${console_}#/`);
    await page.reload(); // a fresh page: nothing focused yet
    await settled();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement.id), "main");
    await page.reload();
    await settled();
    for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => ({ text: document.activeElement.textContent, ring: getComputedStyle(document.activeElement).boxShadow }));
    assert.equal(focused.text, "Dashboard");
    assert.notEqual(focused.ring, "none", "the focused link shows a focus ring");
  });

  test("uploads an image with a progress bar and previews it", async () => {
    await page.goto(`${console_}#/assets`);
    await settled();
    await page.getByLabel("File", { exact: true }).setInputFiles({ name: "my photo.png", mimeType: "image/png", buffer: photo() });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await page.getByText("Stored users/").waitFor();
    await page.getByRole("button", { name: "Preview" }).first().click();
    const img = page.locator(".asset img.media").first();
    await img.waitFor();
    await page.waitForFunction(() => document.querySelector(".asset img.media")?.naturalWidth === 48);
    await page.getByRole("button", { name: "Signed link" }).first().click();
    const link = await page.getByLabel(/Signed link/).inputValue();
    const res = await fetch(link);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    await visit("assets", "assets");
  });

  test("creates an image job with its price shown; the image appears", async () => {
    await jobForm("local-image", "a lighthouse in a storm");
    await page.getByText("Price: 1 credit").waitFor();
    await inspect("jobs");
    await createJob();
    await page.waitForFunction(() => document.querySelector(".outputs img.media")?.naturalWidth === 512, null, { timeout: 60_000 });
    assert.match(await text("#main"), /Completed/);
    const jobId = page.url().split("/").pop();
    await visit(`jobs/${jobId}`, "job-image");
  });

  test("creates a video job; the video plays", async () => {
    await jobForm("local-video", "waves at dusk");
    await page.getByText("Price: 2 credits").waitFor();
    await createJob();
    // live: the event stream moves the page on without a reload
    await page.locator(".outputs video.media").waitFor({ timeout: 60_000 });
    const played = await page.evaluate(async () => {
      const video = document.querySelector(".outputs video.media");
      video.muted = true;
      await video.play();
      await new Promise((resolve) => setTimeout(resolve, 700));
      return { time: video.currentTime, width: video.videoWidth };
    });
    assert.ok(played.time > 0, `the video did not play: ${JSON.stringify(played)}`);
    assert.ok(played.width > 0);
    assert.ok((await page.locator(".timeline li").count()) >= 3, "the timeline shows the job's steps");
    await screenshot(page, "console-job-video-desktop");
  });

  test("refusals are shown as messages: too few credits, a refused upload", async () => {
    await jobForm("local-video", "a very long film");
    await page.getByRole("button", { name: /More options/ }).click();
    await page.getByLabel(/steps/).fill("1000");
    await page.getByText("not enough credits").waitFor();
    await page.getByRole("button", { name: "Create job" }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /insufficient_credits, HTTP 402/);
    await screenshot(page, "console-jobs-refused-desktop");

    await page.goto(`${console_}#/assets`);
    await settled();
    await page.getByLabel("File", { exact: true }).setInputFiles({ name: "tool.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    const refused = page.getByRole("alert");
    await refused.waitFor();
    assert.match(await refused.innerText(), /HTTP 4\d\d/);
  });

  test("the ledger shows the welcome grant and the spend", async () => {
    await visit("billing", "billing", async () => {
      await page.getByText("Balance 7").waitFor();
      await settled();
    });
    const rows = await page.locator("table tbody tr").allInnerTexts();
    assert.ok(rows.some((r) => /reserve\s+-1/.test(r)), rows.join("\n"));
    assert.ok(rows.some((r) => /reserve\s+-2/.test(r)), rows.join("\n"));
    assert.ok(rows.some((r) => /grant\s+\+10/.test(r)), rows.join("\n"));
  });

  test("Checkout: pay at Stripe, and the credits arrive", async () => {
    await page.goto(`${console_}#/billing`);
    await settled();
    await page.getByRole("button", { name: "Buy 100 credits" }).click();
    await page.waitForURL(/checkout\.stripe\.com/);
    await page.getByRole("link", { name: "Pay" }).click();
    await page.waitForURL(/\/console\/#\/billing\?checkout=success/);
    await page.getByText("Payment received").waitFor();
    await page.getByText("Balance 107").waitFor();
    const purchase = page.locator("table tbody tr", { hasText: "purchase" });
    await purchase.waitFor();
    assert.match(await purchase.innerText(), /purchase\s+\+100/);
    await screenshot(page, "console-billing-paid-desktop");
  });

  test("a text job with a webhook: the text shows, the delivery is logged and can be redelivered", async () => {
    const received = [];
    const receiver = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push(req.headers["webhook-id"]);
        res.end("ok");
      });
    });
    await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      await jobForm("local-text", "a haiku about lighthouses");
      await page.getByLabel(/Webhook URL/).fill(`http://127.0.0.1:${receiver.address().port}/hooks`);
      await page.getByText("Price: 1 credit").waitFor();
      await createJob();
      await page.locator(".outputs pre.media-text").filter({ hasText: /\w+/ }).waitFor({ timeout: 60_000 });

      await page.goto(`${console_}#/webhooks`);
      const delivered = page.locator(".delivery .badge-delivered");
      for (let i = 0; i < 60 && !(await delivered.count()); i++) {
        await sleep(500);
        await page.reload();
        await settled();
      }
      await delivered.waitFor({ timeout: 5000 }).catch(async (err) => {
        throw new Error(`${err.message}\n${await text("#main")}\nreceived: ${received.length}`);
      });
      await inspect("webhooks");
      assert.match(await page.getByLabel("Your webhook signing secret").inputValue(), /^whsec_/);
      assert.match(await text("#main"), /\$WEBHOOK_SECRET/);
      assert.doesNotMatch(await page.content(), /dev-webhook-secret/);
      await page.getByRole("button", { name: "Redeliver" }).first().click();
      await page.getByText("Queued for redelivery").waitFor();
      for (let i = 0; i < 60 && received.length < 2; i++) await sleep(250);
      assert.equal(received.length, 2, "the redelivery did not arrive");
      assert.equal(received[1], received[0], "a redelivery keeps its webhook-id");
    } finally {
      receiver.close();
    }
  });

  test("the admin signs in with the admin token and sees deep health", async () => {
    const admin = await openPage(browser, DESKTOP);
    try {
      await admin.goto(`${console_}#/account`);
      await admin.getByLabel("Admin token").fill("not-the-token");
      await admin.getByRole("button", { name: "Sign in as admin" }).click();
      await admin.getByRole("alert").waitFor();
      await admin.getByLabel("Admin token").fill(ADMIN);
      await admin.getByRole("button", { name: "Sign in as admin" }).click();
      await admin.getByText("Signed in as admin").waitFor();
      await admin.goto(`${console_}#/`);
      await admin.getByText("Health (deep)").waitFor();
      await settled(admin);
      const main = await admin.locator("#main").innerText();
      assert.match(main, /Healthy/);
      assert.match(main, /Database\s+ok/);
      assert.match(main, /Storage \(R2\)\s+ok/);
      assert.deepEqual(await critical(admin), []);
      await screenshot(admin, "console-dashboard-admin-desktop");
      const stored = await admin.evaluate(() => ({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage) }));
      assert.ok(!stored.local.includes(ADMIN) && stored.session.includes(ADMIN), "the admin token is kept in sessionStorage only");
    } finally {
      await admin.context().close();
    }
  });

  test("no page threw or broke its Content Security Policy on the way", () => {
    // 4xx answers are expected above (the refusals); exceptions and CSP refusals are not
    const unseen = page.problems.filter((p) => p.startsWith("exception") || /Content Security Policy/i.test(p));
    assert.deepEqual(unseen, []);
  });
});
