// The money and job-state layer in SQL (migrations/0002, 0003 and functions/) against real
// PostgreSQL 15: reservation under concurrency, the hourly rate limit, Idempotency-Key, refunds
// exactly once, the lifecycle table, grants/adjustments/clawbacks, the API role's grants and RLS.
//
// Calls go through a LOGIN role made a member of alphogen_api (as production does), with the
// exact statements of harness/ledger.mjs; owner-only checks use the database owner. After every
// test, balance = sum(ledger) must hold for every user.

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import postgres from "postgres";
import { createApiRole, createTestDatabase } from "./harness/postgres.mjs";
import { LEDGER_SQL, assertLedgerInvariant } from "./harness/ledger.mjs";

const quiet = { onnotice: () => {}, prepare: false, fetch_types: false, connect_timeout: 10 };
// As js-shim/effects/sql.js: json/jsonb parameters are sent as the JSON text given.
const SHIM_TYPES = {
  json_text: { to: 114, from: [114, 3802], serialize: (x) => x, parse: (x) => JSON.parse(x) },
};

let db; // owner (postgres)
let role; // member of alphogen_api: what the Worker is
let api; // connected as role

const newUser = () => crypto.randomUUID();

before(async () => {
  db = await createTestDatabase({ prefix: "ag_ledger" });
  role = await createApiRole(db, "ledger_test");
  api = postgres(role.url, { ...quiet, types: SHIM_TYPES, max: 50 });
});

after(async () => {
  await api?.end({ timeout: 5 }).catch(() => {});
  await db?.drop();
  await role?.drop();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// ---- the Worker's calls ------------------------------------------------------------------------

async function createJob(
  client,
  { user = null, model = null, payload = { prompt: "a cat" }, perHour = null, welcome = 0,
    scope = undefined, key = null, hash = null, deadline = 600, tokenHash = null, cost = 1, revision = null } = {},
) {
  const idemScope = scope === undefined ? (key ? (user ?? "admin") : null) : scope;
  const [row] = await client.unsafe(LEDGER_SQL.createJob, [
    user, model, JSON.stringify(payload), perHour, welcome, idemScope, key, hash, deadline, tokenHash, cost, revision,
  ]);
  return row;
}

async function transition(client, jobId, to, { detail = null, fields = null, status = null, body = null } = {}) {
  const [row] = await client.unsafe(LEDGER_SQL.transitionJob, [
    jobId, to, detail && JSON.stringify(detail), fields && JSON.stringify(fields), status,
    body && JSON.stringify(body),
  ]);
  return { applied: row.applied, status: row.status, refunded: Number(row.refunded) };
}

async function refundJob(client, jobId, reason = "test") {
  const [row] = await client.unsafe(LEDGER_SQL.refundJob, [jobId, reason]);
  return Number(row.refunded);
}

async function grant(client, user, amount, key, kind = "grant") {
  const [row] = await client.unsafe(LEDGER_SQL.grantCredits, [user, amount, kind, key, "test", null]);
  return { applied: row.applied, balance: Number(row.balance) };
}

async function adjust(client, user, delta, key) {
  const [row] = await client.unsafe(LEDGER_SQL.adjustCredits, [user, delta, key, "test"]);
  return { applied: row.applied, balance: Number(row.balance) };
}

async function clawback(client, user, amount, key) {
  const [row] = await client.unsafe(LEDGER_SQL.clawbackCredits, [user, amount, key, "charge refunded", null]);
  return { applied: row.applied, clawed: Number(row.clawed), balance: Number(row.balance) };
}

async function balanceOf(user) {
  const [row] = await db.sql.unsafe("select balance from public.credit_balances where user_id = $1", [user]);
  return row ? Number(row.balance) : 0;
}

async function ledgerOf(user) {
  const rows = await db.sql.unsafe(
    "select kind, delta::int as delta, idempotency_key, job_id from public.credit_ledger where user_id = $1 order by id",
    [user],
  );
  return rows.map((r) => ({ ...r }));
}

function tally(rows) {
  const out = {};
  for (const r of rows) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

/** Asserts that `promise` fails with SQLSTATE `code` (and a message starting with `prefix`). */
async function rejectsWith(promise, code, prefix) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `SQLSTATE of ${err.message}`);
    if (prefix) assert.ok(err.message.startsWith(prefix), `message ${JSON.stringify(err.message)}`);
    return true;
  });
}

// ---- tests -------------------------------------------------------------------------------------

describe("create_job reserves credits atomically", () => {
  test("50 concurrent jobs, 10 credits at price 1: exactly 10 created, 40 insufficient_credits", async () => {
    const user = newUser();
    const rows = await Promise.all(
      Array.from({ length: 50 }, () => createJob(api, { user, perHour: 100, welcome: 10 })),
    );
    assert.deepEqual(tally(rows), { created: 10, insufficient_credits: 40 });
    const [{ conns }] = await db.sql.unsafe(
      "select count(*)::int as conns from pg_stat_activity where usename = $1 and datname = $2",
      [role.name, db.name],
    );
    assert.ok(conns >= 25, `the 50 calls ran on ${conns} connections: not concurrent enough`);
    for (const r of rows.filter((r) => r.outcome === "insufficient_credits")) {
      assert.equal(Number(r.balance), 0);
      assert.equal(r.required, 1);
    }
    const created = rows.filter((r) => r.outcome === "created");
    assert.deepEqual(created.map((r) => Number(r.balance)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(created.every((r) => r.status === "queued" && r.cost_credits === 1));
    assert.equal(await balanceOf(user), 0);

    const ledger = await ledgerOf(user);
    assert.equal(ledger.filter((e) => e.kind === "grant").length, 1, "welcome granted once");
    assert.equal(ledger.filter((e) => e.kind === "reserve").length, 10);
    assert.equal(ledger.reduce((s, e) => s + e.delta, 0), 0);
    const [{ n }] = await db.sql.unsafe("select count(*)::int as n from public.jobs where user_id = $1", [user]);
    assert.equal(n, 10);
    const [{ e }] = await db.sql.unsafe(
      "select count(*)::int as e from public.job_events ev join public.jobs j on j.id = ev.job_id where j.user_id = $1",
      [user],
    );
    assert.equal(e, 10, "one creation event per job");
  });

  test("50 concurrent jobs with 5 per hour: exactly 5 created, 45 rate_limited with Retry-After", async () => {
    const user = newUser();
    const rows = await Promise.all(
      Array.from({ length: 50 }, () => createJob(api, { user, perHour: 5, welcome: 10 })),
    );
    assert.deepEqual(tally(rows), { created: 5, rate_limited: 45 });
    for (const r of rows.filter((r) => r.outcome === "rate_limited")) {
      assert.ok(r.retry_after_s >= 1 && r.retry_after_s <= 3600, `retry_after_s ${r.retry_after_s}`);
    }
    assert.equal(await balanceOf(user), 5);
    assert.equal((await ledgerOf(user)).filter((e) => e.kind === "reserve").length, 5);
  });

  test("the jobs row carries model, price, provider, deadline and the webhook token hash", async () => {
    const user = newUser();
    const r = await createJob(api, { user, welcome: 3, deadline: 900, tokenHash: "sha256:abc" });
    assert.equal(r.outcome, "created");
    const [job] = await api.unsafe(
      `select user_id, status, model, cost_credits, provider, webhook_token_hash, payload,
              extract(epoch from deadline_at - created_at)::int as deadline_s, finished_at
         from public.jobs where id = $1`,
      [r.job_id],
    );
    assert.deepEqual({ ...job }, {
      user_id: user, status: "queued", model: "runpod-video", cost_credits: 1, provider: "runpod",
      webhook_token_hash: "sha256:abc", payload: { prompt: "a cat" }, deadline_s: 900, finished_at: null,
    });
    const events = await api.unsafe("select from_status, to_status from public.job_events where job_id = $1", [r.job_id]);
    assert.deepEqual(events.map((e) => ({ ...e })), [{ from_status: null, to_status: "queued" }]);
  });

  test("admin jobs are free and never rate limited; unknown or disabled models are refused", async () => {
    const rows = await Promise.all(Array.from({ length: 20 }, () => createJob(api, { perHour: 1, model: "runpod-image" })));
    assert.deepEqual(tally(rows), { created: 20 });
    assert.ok(rows.every((r) => r.cost_credits === 0 && r.balance === null));

    await db.sql.unsafe(
      `insert into public.models (id, content_type, pricing, enabled) values ('retired', 'image', '{"base": 1}', false)`,
    );
    const user = newUser();
    assert.equal((await createJob(api, { user, model: "nope", welcome: 5 })).outcome, "unknown_model");
    assert.equal((await createJob(api, { user, model: "retired", welcome: 5 })).outcome, "unknown_model");
    assert.equal((await createJob(api, { model: "nope" })).outcome, "unknown_model");
    const [{ n }] = await db.sql.unsafe("select count(*)::int as n from public.jobs where user_id = $1", [user]);
    assert.equal(n, 0);
  });

  test("a price computed from another revision of the model is refused, storing nothing", async () => {
    const user = newUser();
    const [{ revision }] = await db.sql`select revision from public.models where id = 'runpod-video'`;
    const stale = await createJob(api, { user, welcome: 5, key: "rev-1", revision: Number(revision) + 1 });
    assert.equal(stale.outcome, "model_changed");
    assert.equal(await balanceOf(user), 0, "refused before the welcome grant");
    // nothing was kept of the refused request, not even its Idempotency-Key
    const current = await createJob(api, { user, welcome: 5, key: "rev-1", revision: Number(revision) });
    assert.equal(current.outcome, "created");
    assert.equal(await balanceOf(user), 4);
  });

  test("create_job refuses to run without a price", async () => {
    await assert.rejects(createJob(api, { user: newUser(), cost: null }), /the cost must be given/);
    await assert.rejects(createJob(api, { user: newUser(), cost: -1 }), /the cost must be given/);
  });

  test("a price of 0 reserves nothing but still counts toward the hourly limit", async () => {
    await db.sql.unsafe(
      `insert into public.models (id, content_type, pricing) values ('free-image', 'image', '{"base": 0}')`,
    );
    const user = newUser();
    const a = await createJob(api, { user, model: "free-image", perHour: 1, cost: 0 });
    const b = await createJob(api, { user, model: "free-image", perHour: 1, cost: 0 });
    assert.equal(a.outcome, "created");
    assert.equal(Number(a.balance), 0);
    assert.equal(b.outcome, "rate_limited");
    assert.deepEqual(await ledgerOf(user), []);
  });
});

describe("Idempotency-Key of POST /jobs", () => {
  test("in_progress, then replay of the stored response; another body is idempotency_key_reused", async () => {
    const user = newUser();
    const key = "idem-1";
    const first = await createJob(api, { user, welcome: 5, key, hash: "h1" });
    assert.equal(first.outcome, "created");

    const early = await createJob(api, { user, welcome: 5, key, hash: "h1" });
    assert.equal(early.outcome, "in_progress");
    assert.equal(early.job_id, first.job_id);

    const body = { ok: true, status: "submitted", provider: "runpod", provider_job_id: "rp-123", job_id: first.job_id };
    const t = await transition(api, first.job_id, "submitted", {
      fields: { provider_job_id: "rp-123", result: { id: "rp-123", status: "IN_QUEUE" } },
      status: 200,
      body,
    });
    assert.deepEqual(t, { applied: true, status: "submitted", refunded: 0 });

    for (let i = 0; i < 2; i++) {
      const replay = await createJob(api, { user, welcome: 5, key, hash: "h1" });
      assert.equal(replay.outcome, "replay");
      assert.equal(replay.response_status, 200);
      assert.deepEqual(replay.response_body, body);
      assert.equal(replay.job_id, first.job_id);
    }
    const other = await createJob(api, { user, welcome: 5, key, hash: "h2" });
    assert.equal(other.outcome, "idempotency_key_reused");

    // the same key is another user's own key
    assert.equal((await createJob(api, { user: newUser(), welcome: 5, key, hash: "h2" })).outcome, "created");

    const [{ n }] = await db.sql.unsafe("select count(*)::int as n from public.jobs where user_id = $1", [user]);
    assert.equal(n, 1, "no second job");
    assert.equal((await ledgerOf(user)).filter((e) => e.kind === "reserve").length, 1, "no second charge");
    assert.equal(await balanceOf(user), 4);
  });

  test("10 concurrent requests with one key: one job, the others in_progress", async () => {
    const user = newUser();
    const rows = await Promise.all(
      Array.from({ length: 10 }, () => createJob(api, { user, welcome: 5, key: "same", hash: "h" })),
    );
    assert.deepEqual(tally(rows), { created: 1, in_progress: 9 });
    const jobId = rows.find((r) => r.outcome === "created").job_id;
    assert.ok(rows.every((r) => r.job_id === jobId));
    assert.equal(await balanceOf(user), 4);
  });

  test("a submission error stores its 502 for replay and refunds", async () => {
    const user = newUser();
    const c = await createJob(api, { user, welcome: 2, key: "k-err", hash: "h" });
    const body = { ok: false, error: "provider_error", message: "runpod 500", job_id: c.job_id };
    const t = await transition(api, c.job_id, "error", { fields: { error: { status: 500 } }, status: 502, body });
    assert.deepEqual(t, { applied: true, status: "error", refunded: 1 });
    const replay = await createJob(api, { user, welcome: 2, key: "k-err", hash: "h" });
    assert.equal(replay.outcome, "replay");
    assert.equal(replay.response_status, 502);
    assert.deepEqual(replay.response_body, body);
    assert.equal(await balanceOf(user), 2);
  });

  test("refused requests store no key: the same key works once credits arrive", async () => {
    const user = newUser();
    const refused = await createJob(api, { user, key: "k-402", hash: "h" });
    assert.equal(refused.outcome, "insufficient_credits");
    assert.equal(Number(refused.balance), 0);
    assert.equal(refused.required, 1);
    await grant(api, user, 3, `purchase-${user}`, "purchase");
    assert.equal((await createJob(api, { user, key: "k-402", hash: "h" })).outcome, "created");
    assert.equal(await balanceOf(user), 2);
  });

  test("admin keys live in their own scope; expired keys are replaced; prune deletes old ones", async () => {
    const a = await createJob(api, { key: "adm", hash: "h" });
    assert.equal(a.outcome, "created");
    assert.equal((await createJob(api, { key: "adm", hash: "h" })).outcome, "in_progress");

    // age the key past the 24 h replay window: a new request takes it over
    await db.sql.unsafe("update public.idempotency_keys set created_at = now() - interval '25 hours' where key = 'adm'");
    const b = await createJob(api, { key: "adm", hash: "other" });
    assert.equal(b.outcome, "created");
    assert.notEqual(b.job_id, a.job_id);

    await db.sql.unsafe("update public.idempotency_keys set created_at = now() - interval '2 days' where key = 'adm'");
    const [{ deleted }] = await api.unsafe(LEDGER_SQL.pruneIdempotencyKeys, ["24 hours"]);
    assert.equal(deleted, 1);
    const [{ n }] = await db.sql.unsafe("select count(*)::int as n from public.idempotency_keys where key = 'adm'");
    assert.equal(n, 0);
  });
});

describe("transition_job: the lifecycle table, refunds exactly once", () => {
  test("job_transitions holds exactly the documented lifecycle", async () => {
    const rows = await api.unsafe("select from_status, to_status from public.job_transitions order by 1, 2");
    const expected = {
      queued: ["cancelled", "error", "noop", "submitted"],
      // → queued: a failed generation that the model's max_attempts lets run again (retry_job).
      submitted: ["cancelled", "completed", "failed", "queued", "running", "timed_out"],
      running: ["cancelled", "completed", "failed", "queued", "timed_out"],
    };
    const actual = {};
    for (const r of rows) (actual[r.from_status] ??= []).push(r.to_status);
    assert.deepEqual(actual, expected);
    const terminal = await api.unsafe("select status from public.job_statuses where terminal order by 1");
    assert.deepEqual(terminal.map((r) => r.status), ["cancelled", "completed", "error", "failed", "noop", "timed_out"]);
    const refund = await api.unsafe("select status from public.job_statuses where refund order by 1");
    assert.deepEqual(refund.map((r) => r.status), ["cancelled", "error", "failed", "noop", "timed_out"]);
  });

  test("a failure seen by webhook, poll and cron at once, plus refund_job, refunds once", async () => {
    const user = newUser();
    const c = await createJob(api, { user, welcome: 3 });
    await transition(api, c.job_id, "submitted", { fields: { provider_job_id: "rp-f" } });
    assert.equal(await balanceOf(user), 2);

    const [a, b, d, r] = await Promise.all([
      transition(api, c.job_id, "failed", { detail: { by: "webhook" }, fields: { error: { m: "oom" } } }),
      transition(api, c.job_id, "failed", { detail: { by: "poll" } }),
      transition(api, c.job_id, "failed", { detail: { by: "cron" } }),
      refundJob(api, c.job_id, "admin"),
    ]);
    const results = [a, b, d];
    assert.equal(results.filter((x) => x.applied).length, 1, JSON.stringify(results));
    assert.ok(results.every((x) => x.status === "failed"));
    assert.equal(results.reduce((s, x) => s + x.refunded, 0) + r, 1, "refunded exactly once in total");

    assert.equal(await balanceOf(user), 3);
    const refunds = (await ledgerOf(user)).filter((e) => e.kind === "refund");
    assert.deepEqual(refunds.map((e) => ({ ...e })), [
      { kind: "refund", delta: 1, idempotency_key: `refund:${c.job_id}`, job_id: c.job_id },
    ]);
    const events = await api.unsafe(
      "select from_status, to_status from public.job_events where job_id = $1 order by id",
      [c.job_id],
    );
    assert.deepEqual(events.map((e) => `${e.from_status}→${e.to_status}`), ["null→queued", "queued→submitted", "submitted→failed"]);
    const [job] = await api.unsafe("select status, error, finished_at from public.jobs where id = $1", [c.job_id]);
    assert.equal(job.status, "failed");
    assert.ok(job.finished_at);

    assert.equal(await refundJob(api, c.job_id), 0, "refund_job after the fact: nothing more");
  });

  test("invalid transitions change nothing", async () => {
    const user = newUser();
    const done = await createJob(api, { user, welcome: 5 });
    await transition(api, done.job_id, "submitted");
    await transition(api, done.job_id, "running");
    assert.deepEqual(await transition(api, done.job_id, "completed", { fields: { outputs: [{ key: "o" }] } }), {
      applied: true, status: "completed", refunded: 0,
    });
    assert.deepEqual(await transition(api, done.job_id, "failed", { fields: { error: { m: "late" } } }), {
      applied: false, status: "completed", refunded: 0,
    });
    assert.deepEqual(await transition(api, done.job_id, "running"), { applied: false, status: "completed", refunded: 0 });

    const failed = await createJob(api, { user, welcome: 5 });
    await transition(api, failed.job_id, "submitted");
    assert.equal((await transition(api, failed.job_id, "failed")).refunded, 1);
    assert.deepEqual(await transition(api, failed.job_id, "completed", { fields: { outputs: [{ key: "x" }] } }), {
      applied: false, status: "failed", refunded: 0,
    });

    const queued = await createJob(api, { user, welcome: 5 });
    assert.equal((await transition(api, queued.job_id, "completed")).applied, false, "queued → completed skips submitted");
    assert.equal((await transition(api, queued.job_id, "queued")).applied, false, "same state is no transition");

    const [job] = await api.unsafe("select status, error, outputs from public.jobs where id = $1", [done.job_id]);
    assert.deepEqual({ ...job }, { status: "completed", error: null, outputs: [{ key: "o" }] });
    const [f] = await api.unsafe("select outputs from public.jobs where id = $1", [failed.job_id]);
    assert.equal(f.outputs, null);
    const [{ n }] = await api.unsafe("select count(*)::int as n from public.job_events where job_id = $1", [done.job_id]);
    assert.equal(n, 4);
    assert.equal(await balanceOf(user), 3, "two jobs kept their charge, the failed one was refunded");

    assert.deepEqual(await transition(api, crypto.randomUUID(), "failed"), { applied: false, status: null, refunded: 0 });
    await rejectsWith(transition(api, queued.job_id, "exploded"), "22023", "invalid_request");
    await rejectsWith(transition(api, queued.job_id, "error", { fields: { status: "x" } }), "22023", "invalid_request");
  });

  test("error, cancelled, timed_out and noop refund; completed does not; admin jobs refund 0", async () => {
    const user = newUser();
    const paths = [
      [["error"], 1],
      [["cancelled"], 1],
      [["submitted", "timed_out"], 1],
      [["submitted", "running", "cancelled"], 1],
      [["submitted", "completed"], 0],
      [["noop"], 1],
    ];
    for (const [steps, refund] of paths) {
      const c = await createJob(api, { user, welcome: 10 });
      let total = 0;
      for (const to of steps) {
        const t = await transition(api, c.job_id, to);
        assert.equal(t.applied, true, `${steps.join("→")}`);
        total += t.refunded;
      }
      assert.equal(total, refund, `${steps.join("→")}`);
    }
    assert.equal(await balanceOf(user), 10 - 1);

    const admin = await createJob(api, {});
    assert.deepEqual(await transition(api, admin.job_id, "error"), { applied: true, status: "error", refunded: 0 });
    assert.equal(await refundJob(api, admin.job_id), 0);
  });

  test("update_job_fields writes fields without a transition", async () => {
    const c = await createJob(api, { user: newUser(), welcome: 1 });
    const [before] = await api.unsafe("select updated_at from public.jobs where id = $1", [c.job_id]);
    const [u] = await api.unsafe(LEDGER_SQL.updateJobFields, [c.job_id, JSON.stringify({ result: { status: "IN_QUEUE" } })]);
    assert.deepEqual({ ...u }, { updated: true, status: "queued" });
    const [job] = await api.unsafe("select status, result, updated_at from public.jobs where id = $1", [c.job_id]);
    assert.deepEqual(job.result, { status: "IN_QUEUE" });
    assert.ok(job.updated_at >= before.updated_at);
    const [missing] = await api.unsafe(LEDGER_SQL.updateJobFields, [crypto.randomUUID(), "{}"]);
    assert.deepEqual({ ...missing }, { updated: false, status: null });
  });
});

describe("grants, adjustments, clawbacks", () => {
  test("grant_credits is idempotent per key; a key reused for another amount is refused", async () => {
    const user = newUser();
    assert.deepEqual(await grant(api, user, 25, "stripe:cs_1", "purchase"), { applied: true, balance: 25 });
    assert.deepEqual(await grant(api, user, 25, "stripe:cs_1", "purchase"), { applied: false, balance: 25 });
    const again = await Promise.all(Array.from({ length: 5 }, () => grant(api, user, 5, "bonus:1")));
    assert.equal(again.filter((g) => g.applied).length, 1);
    assert.equal(await balanceOf(user), 30);
    await rejectsWith(grant(api, user, 26, "stripe:cs_1", "purchase"), "AG422", "idempotency_key_reused");
    await rejectsWith(grant(api, newUser(), 25, "stripe:cs_1", "purchase"), "AG422", "idempotency_key_reused");
    await rejectsWith(grant(api, user, 0, "zero"), "22023", "invalid_request");
    await rejectsWith(grant(api, user, 5, "k", "reserve"), "22023", "invalid_request");
    assert.equal(await balanceOf(user), 30);
  });

  test("adjust_credits is idempotent; overdrawing is refused with AG402 and applies nothing", async () => {
    const user = newUser();
    assert.deepEqual(await adjust(api, user, 7, "adj:1"), { applied: true, balance: 7 });
    assert.deepEqual(await adjust(api, user, 7, "adj:1"), { applied: false, balance: 7 });
    assert.deepEqual(await adjust(api, user, -2, "adj:2"), { applied: true, balance: 5 });
    const entries = (await ledgerOf(user)).length;
    await rejectsWith(adjust(api, user, -6, "adj:3"), "AG402", "insufficient_credits");
    assert.equal(await balanceOf(user), 5);
    assert.equal((await ledgerOf(user)).length, entries, "nothing applied");
    // the refused key was not consumed: the same key works once the balance allows it
    assert.deepEqual(await adjust(api, user, -5, "adj:3"), { applied: true, balance: 0 });
    await rejectsWith(adjust(api, user, 0, "adj:4"), "22023", "invalid_request");
  });

  test("a clawback after spending takes only what remains, once", async () => {
    const user = newUser();
    await grant(api, user, 10, "stripe:cs_claw", "purchase");
    for (let i = 0; i < 7; i++) assert.equal((await createJob(api, { user })).outcome, "created");
    assert.equal(await balanceOf(user), 3);

    assert.deepEqual(await clawback(api, user, 10, "stripe:ch_1:refund"), { applied: true, clawed: 3, balance: 0 });
    assert.deepEqual(await clawback(api, user, 10, "stripe:ch_1:refund"), { applied: false, clawed: 3, balance: 0 });
    await grant(api, user, 4, "later");
    assert.deepEqual(await clawback(api, user, 10, "stripe:ch_1:refund"), { applied: false, clawed: 3, balance: 4 });
    // nothing left to take still records the clawback, so a retry later cannot take newer credits
    await adjust(api, user, -4, "spent");
    assert.deepEqual(await clawback(api, user, 5, "stripe:ch_2:refund"), { applied: true, clawed: 0, balance: 0 });
    await grant(api, user, 2, "later-2");
    assert.deepEqual(await clawback(api, user, 5, "stripe:ch_2:refund"), { applied: false, clawed: 0, balance: 2 });
    const [entry] = await db.sql.unsafe(
      "select delta::int as delta, metadata from public.credit_ledger where idempotency_key = 'stripe:ch_1:refund'",
    );
    assert.deepEqual({ ...entry }, { delta: -3, metadata: { requested: 10 } });
  });

  test("user_credits grants the welcome credits once, even concurrently", async () => {
    const user = newUser();
    const balances = await Promise.all(
      Array.from({ length: 10 }, () => api.unsafe(LEDGER_SQL.userCredits, [user, 10]).then(([r]) => Number(r.balance))),
    );
    assert.ok(balances.every((b) => b === 10), JSON.stringify(balances));
    const [{ balance }] = await api.unsafe(LEDGER_SQL.userCredits, [user, 50]);
    assert.equal(Number(balance), 10, "a later WELCOME_CREDITS does not grant again");
    const [{ balance: none }] = await api.unsafe(LEDGER_SQL.userCredits, [newUser(), 0]);
    assert.equal(Number(none), 0);
  });
});

describe("privileges: the API role reads and calls functions, never writes money", () => {
  const denied = (promise) => rejectsWith(promise, "42501");
  const someUser = "6f9619ff-8b86-4d11-b42d-00c04fc964ff";

  test("no direct writes to credit_balances, credit_ledger, idempotency_keys or jobs", async () => {
    await grant(api, someUser, 5, "seed-priv");
    await denied(api.unsafe("insert into public.credit_balances (user_id, balance) values ($1, 100)", [newUser()]));
    await denied(api.unsafe("update public.credit_balances set balance = balance + 100"));
    await denied(api.unsafe("delete from public.credit_balances"));
    await denied(
      api.unsafe(
        "insert into public.credit_ledger (user_id, delta, kind, idempotency_key) values ($1, 100, 'grant', 'x')",
        [someUser],
      ),
    );
    await denied(api.unsafe("update public.credit_ledger set delta = 100"));
    await denied(api.unsafe("delete from public.credit_ledger"));
    await denied(api.unsafe("select * from public.idempotency_keys"));
    await denied(api.unsafe("insert into public.idempotency_keys (scope, key, request_hash) values ('a', 'b', 'c')"));
    await denied(api.unsafe("update public.jobs set status = 'completed'"));
    await denied(api.unsafe("insert into public.jobs (user_id) values ($1)", [someUser]));
    await denied(api.unsafe("select public._credit_append($1, 100, 'grant', 'y', null, null, null)", [someUser]));
    await denied(api.unsafe("select public._credit_refund_job($1, $2, 'x')", [crypto.randomUUID(), someUser]));
    assert.equal(await balanceOf(someUser), 5);
  });

  test("reads every row it needs and appends events", async () => {
    const [{ n }] = await api.unsafe("select count(*)::int as n from public.credit_balances where user_id = $1", [someUser]);
    assert.equal(n, 1, "RLS lets the API role read all balances");
    const models = await api.unsafe("select id, is_default from public.models where enabled order by id");
    assert.ok(models.some((m) => m.id === "runpod-video" && m.is_default));
    const [ev] = await api.unsafe(
      "insert into public.events (type, payload) values ('test', '{}'::jsonb) returning event_id",
    );
    assert.ok(ev.event_id);
    const [{ jobs }] = await api.unsafe("select count(*)::int as jobs from public.jobs");
    assert.ok(jobs > 0, "RLS lets the API role read all jobs");
  });

  test("Supabase clients cannot call the functions", async () => {
    const asRole = (role, query, params) =>
      db.sql.begin(async (tx) => {
        await tx.unsafe(`set local role ${role}`);
        return tx.unsafe(query, params);
      });
    await denied(asRole("authenticated", LEDGER_SQL.userCredits, [someUser, 1000]));
    await denied(asRole("authenticated", LEDGER_SQL.createJob, [someUser, null, null, null, 1000, null, null, null, 60, null, 1, null]));
    await denied(asRole("anon", LEDGER_SQL.grantCredits, [someUser, 1000, "grant", "anon-grant", null, null]));
    await denied(asRole("anon", LEDGER_SQL.transitionJob, [crypto.randomUUID(), "failed", null, null, null, null]));
  });

  test("the ledger is append-only and balances move only through it, even for the owner", async () => {
    await grant(api, someUser, 1, "seed-owner");
    const appendOnly = (p) => rejectsWith(p, "AG403", "append_only");
    await appendOnly(db.sql.unsafe("update public.credit_ledger set delta = delta + 1 where user_id = $1", [someUser]));
    await appendOnly(db.sql.unsafe("delete from public.credit_ledger where user_id = $1", [someUser]));
    await appendOnly(db.sql.unsafe("truncate public.credit_ledger"));
    await appendOnly(db.sql.unsafe("update public.credit_balances set balance = 1000 where user_id = $1", [someUser]));
    await appendOnly(db.sql.unsafe("delete from public.credit_balances where user_id = $1", [someUser]));
    await appendOnly(db.sql.unsafe("insert into public.credit_balances (user_id, balance) values ($1, 9)", [newUser()]));
    // an owner's ledger entry moves the balance with it, and cannot overdraw
    const user = newUser();
    await db.sql.unsafe(
      "insert into public.credit_ledger (user_id, delta, kind, idempotency_key) values ($1, 4, 'grant', $2)",
      [user, `owner:${user}`],
    );
    assert.equal(await balanceOf(user), 4);
    await rejectsWith(
      db.sql.unsafe(
        "insert into public.credit_ledger (user_id, delta, kind, idempotency_key) values ($1, -5, 'adjustment', $2)",
        [user, `owner2:${user}`],
      ),
      "23514",
    );
    await rejectsWith(
      db.sql.unsafe(
        "insert into public.credit_ledger (user_id, delta, kind, idempotency_key) values ($1, -1, 'grant', $2)",
        [user, `owner3:${user}`],
      ),
      "23514",
    );
  });
});

describe("RLS: a Supabase client reads only its own rows", () => {
  test("balances, ledger, jobs and job events of the caller only; enabled models for all", async () => {
    const alice = newUser();
    const bob = newUser();
    const aliceJob = await createJob(api, { user: alice, welcome: 3 });
    const bobJob = await createJob(api, { user: bob, welcome: 4 });
    await transition(api, bobJob.job_id, "error");
    await db.sql.unsafe(
      `insert into public.models (id, content_type, pricing, enabled) values ('hidden', 'video', '{"base": 1}', false) on conflict do nothing`,
    );

    const as = (user, fn) =>
      db.sql.begin(async (tx) => {
        await tx.unsafe("set local role authenticated");
        await tx.unsafe("select set_config('request.jwt.claims', $1, true)", [
          JSON.stringify({ sub: user, role: "authenticated" }),
        ]);
        return fn(tx);
      });

    await as(alice, async (tx) => {
      const balances = await tx.unsafe("select user_id, balance from public.credit_balances");
      assert.deepEqual(balances.map((r) => [r.user_id, Number(r.balance)]), [[alice, 2]]);
      const ledger = await tx.unsafe("select user_id, kind from public.credit_ledger order by id");
      assert.deepEqual(ledger.map((r) => [r.user_id, r.kind]), [[alice, "grant"], [alice, "reserve"]]);
      const jobs = await tx.unsafe("select id from public.jobs");
      assert.deepEqual(jobs.map((r) => r.id), [aliceJob.job_id]);
      const events = await tx.unsafe("select job_id from public.job_events");
      assert.deepEqual(events.map((r) => r.job_id), [aliceJob.job_id]);
      const models = await tx.unsafe("select id from public.models");
      assert.ok(models.some((m) => m.id === "runpod-video"));
      assert.ok(!models.some((m) => m.id === "hidden"));
    });

    await as(bob, async (tx) => {
      const balances = await tx.unsafe("select user_id, balance from public.credit_balances");
      assert.deepEqual(balances.map((r) => [r.user_id, Number(r.balance)]), [[bob, 4]]);
      const ledger = await tx.unsafe("select kind from public.credit_ledger order by id");
      assert.deepEqual(ledger.map((r) => r.kind), ["grant", "reserve", "refund"]);
    });

    for (const stmt of [
      "select * from public.idempotency_keys",
      "insert into public.credit_ledger (user_id, delta, kind, idempotency_key) values (auth.uid(), 100, 'grant', 'rls')",
      "update public.credit_balances set balance = 100",
      "insert into public.jobs (user_id) values (auth.uid())",
    ]) {
      await assert.rejects(as(alice, (tx) => tx.unsafe(stmt)), (err) => err.code === "42501", stmt);
    }

    // anon sees models, nobody's money
    await db.sql.begin(async (tx) => {
      await tx.unsafe("set local role anon");
      assert.ok((await tx.unsafe("select id from public.models")).length >= 2);
      assert.equal((await tx.unsafe("select * from public.credit_balances")).length, 0);
      assert.equal((await tx.unsafe("select * from public.credit_ledger")).length, 0);
    });
  });
});
