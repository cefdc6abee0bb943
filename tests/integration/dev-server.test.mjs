// `scripts/dev` as a newcomer meets it: its welcome names a working admin and user token, its
// local Supabase Auth signs the test user in, a second scripts/dev on the same data folder
// refuses to start (and leaves the first serving with its configuration), an empty
// environment variable unsets a .dev.vars.example value,
// and a cron run whose job webhook cannot be delivered because the receiver's host does not
// resolve still succeeds (the Outbound entrypoint, js-shim/outbound.js).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { launchDevServer, startDevServer } from "./harness/dev-server.mjs";
import { call } from "./harness/http.mjs";
import { DEV_USER } from "../../scripts/dev-token.mjs";

const ADMIN = "admin-token-for-the-dev-server-test";
// A guard against hanging (a dev server that never comes up, a job that never ends), not a
// measure: a cold start may install ffmpeg first.
const HANG_MS = 5 * 60_000;

/** The token the welcome printed on the line `label`, or null when it has none. */
function printed(output, label) {
  const match = output.match(new RegExp(`^\\[alphogen\\]\\s+${label}\\s+(\\S+)`, "m"));
  return match && match[1] !== "none:" ? match[1] : null;
}

describe("scripts/dev with .dev.vars.example", { timeout: HANG_MS }, () => {
  let dev;
  before(async () => {
    dev = await startDevServer({ env: { APP_ADMIN_TOKEN: ADMIN } });
    await dev.waitForOutput(/user token/);
  }, { timeout: HANG_MS });
  after(async () => {
    await dev?.stop();
  });

  test("its welcome prints the API URL, the admin token and a user token that work", async () => {
    assert.match(dev.output(), new RegExp(`ready: API ${dev.url}`));
    // offline (as here), wrangler's fetch of Request.cf from workers.cloudflare.com must not
    // print a red stack trace
    assert.doesNotMatch(dev.output(), /ENOTFOUND|Unable to fetch the `Request.cf`/);
    assert.equal(printed(dev.output(), "admin token"), ADMIN);
    const deep = await call(dev.url, "/health?deep=1", { token: ADMIN });
    assert.equal(deep.status, 200, JSON.stringify(deep.body));

    const user = printed(dev.output(), "user token");
    assert.ok(user, dev.output());
    const me = await call(dev.url, "/me", { token: user });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.match(me.body.user.id, /^[0-9a-f-]{36}$/);
  });

  test("its local Supabase Auth signs the test user in; the Worker takes that ES256 token", async () => {
    assert.match(dev.output(), new RegExp(`console\\s+${dev.url}/console/`));
    assert.match(dev.output(), new RegExp(`sign in as\\s+${DEV_USER.email} / ${DEV_USER.password}`));
    const auth = `http://127.0.0.1:${dev.ports.auth}/auth/v1`;
    const signedIn = await call(auth, "/token?grant_type=password", {
      method: "POST",
      headers: { apikey: "local-anon-key" },
      body: { email: DEV_USER.email, password: DEV_USER.password },
      requestId: false,
    });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const me = await call(dev.url, "/me", { token: signedIn.body.access_token });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.user.id, DEV_USER.id);
    assert.ok(fs.existsSync(path.join(dev.dataDir, "local-auth.json")), "the users are not kept in the data folder");
  });

  test("a second scripts/dev on the same data folder refuses; the first keeps serving", async () => {
    const second = await launchDevServer({ dataDir: dev.dataDir, env: { APP_ADMIN_TOKEN: ADMIN } });
    try {
      assert.equal(await second.settled(), "exited", `the second one serves:\n${second.output()}`);
      assert.notEqual(second.exitCode, 0);
      assert.match(second.output(), /another scripts\/dev/);
    } finally {
      await second.stop();
    }
    assert.ok(fs.existsSync(path.join(dev.dataDir, "dev.env")), "the first one's dev.env is gone");
    const user = printed(dev.output(), "user token");
    const credits = await call(dev.url, "/credits", { token: user });
    assert.equal(credits.status, 200, JSON.stringify(credits.body));
  });

  test("a cron run succeeds when a job's webhook receiver does not resolve", async () => {
    const user = printed(dev.output(), "user token");
    const created = await call(dev.url, "/jobs", {
      method: "POST",
      token: user,
      body: { model: "local-text", prompt: "a postcard nobody receives", webhook_url: "https://receiver.invalid/hooks" },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    for (;;) {
      const { body } = await call(dev.url, `/jobs/${created.body.job_id}`, { token: user });
      if (body.status === "completed") break;
      assert.ok(["queued", "submitted", "running"].includes(body.status), JSON.stringify(body));
      await sleep(250);
    }
    // the first attempt failed (a network error); its retry falls due 5 s later, at a cron run
    await sleep(6000);
    const res = await fetch(`${dev.url}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(text, "Ran scheduled event");
  });
});

describe("scripts/dev with empty variables", { timeout: HANG_MS }, () => {
  let dev;
  before(async () => {
    dev = await startDevServer({ env: { SUPABASE_JWT_SECRET: "", SUPABASE_URL: "" } });
    await dev.waitForOutput(/user token/);
  }, { timeout: HANG_MS });
  after(async () => {
    await dev?.stop();
  });

  test("unsets the .dev.vars.example values: GET /me is the supabase noop, no user token", async () => {
    const me = await call(dev.url, "/me");
    assert.equal(me.status, 501, JSON.stringify(me.body));
    assert.deepEqual(me.body, { ok: true, provider: "noop", message: "supabase_not_configured" });
    assert.equal(printed(dev.output(), "user token"), null, dev.output());
  });
});
