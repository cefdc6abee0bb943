// Credits end to end: the real Worker (wasm core + js-shim in workerd) against real PostgreSQL 15,
// connected as a LOGIN member of alphogen_api (the production role: it may execute the money
// functions and read, never write money tables), with user tokens minted by the Supabase Auth
// stand-in (HS256 with SUPABASE_JWT_SECRET).
//
// Contract under test (shared/API.md "Credits and billing", GET /me, GET /models):
//   GET /models            public: {"ok":true,"models":[{id,provider,content_type,cost_credits,default,
//                          input_schema,pricing}]}
//   GET /credits           user (admin: ?user_id=): {"ok":true,"balance","entries":[newest 20]};
//                          a user's first call grants WELCOME_CREDITS once
//   GET /credits/ledger    ?cursor&limit (1..100, default 50): newest first, {"entries","cursor"}
//   POST /admin/credits    admin: {user_id, amount, reason, idempotency_key} → {"ok","applied","balance"};
//                          replay → applied false; overdraw → 402; key reused otherwise → 422
//   GET /me                ..."credits":{"balance"},"subscription":null
// After every test, balance = sum(ledger) for every user (harness/ledger.mjs).

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createApiRole, createTestDatabase } from "./harness/postgres.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";
import { startPgCounter } from "./harness/pg-counter.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startWorker } from "./harness/worker.mjs";
import { call, newUser } from "./harness/http.mjs";

const ADMIN = "test-admin-token-credits-0123456789";
const HS_SECRET = "test-legacy-jwt-secret-for-credits-at-least-32-chars";
const WELCOME = 10;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let auth;
let db; // the database owner's view, for checks behind the Worker's back
let worker;
let nodb; // no database at all
let role; // the Worker's login role (member of alphogen_api)
let counter; // counts what `counted` sends to PostgreSQL
let counted; // the same Worker as `worker`, through the counter

before(async () => {
  [auth, db] = await Promise.all([startSupabaseAuth({ hsSecret: HS_SECRET }), createTestDatabase({ prefix: "ag_credits" })]);
  role = await createApiRole(db, "credits_test");
  const vars = {
    APP_ADMIN_TOKEN: ADMIN,
    SUPABASE_URL: auth.url,
    SUPABASE_JWT_SECRET: HS_SECRET,
    WELCOME_CREDITS: String(WELCOME),
  };
  counter = await startPgCounter(role.url);
  [worker, nodb, counted] = await Promise.all([
    startWorker({ db: role.url, vars }),
    startWorker({ db: null, vars }),
    startWorker({ db: counter.url, vars }),
  ]);
});

after(async () => {
  await Promise.allSettled([worker?.stop(), nodb?.stop(), counted?.stop()]);
  await counter?.close();
  await auth?.close();
  await db?.drop();
  await role?.drop();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// --- helpers -------------------------------------------------------------------------------

/** A fresh user: {id, headers} with an HS256 access token for that id. */
const asAdmin = { authorization: `Bearer ${ADMIN}` };

/** {status, body} of a call; every response must carry x-request-id and be JSON. */
async function credits(user, query = "") {
  const { status, body } = await call(worker, `/credits${query}`, { headers: user.headers ?? user });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

async function adminCredits(fields, expected = 200) {
  const { status, body } = await call(worker, "/admin/credits", { method: "POST", headers: asAdmin, body: fields });
  assert.equal(status, expected, JSON.stringify(body));
  return body;
}

async function ledgerRows(userId) {
  return db.sql.unsafe("select id, delta, kind, reason, idempotency_key from public.credit_ledger where user_id = $1 order by id", [userId]);
}

async function storedBalance(userId) {
  const [row] = await db.sql.unsafe("select balance from public.credit_balances where user_id = $1", [userId]);
  return row ? Number(row.balance) : null;
}

// --- GET /models ---------------------------------------------------------------------------

describe("GET /models", () => {
  test("lists the seeded models, the one default first, without credentials", async () => {
    const { status, body } = await call(worker, "/models");
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.ok, true);
    assert.deepEqual(body.models[0], {
      id: "runpod-video", provider: "runpod", content_type: "video", cost_credits: 1, default: true,
      input_schema: {
        type: "object", required: ["prompt"], additionalProperties: false,
        properties: { prompt: { type: "string", minLength: 1, maxLength: 4000 } },
      },
      pricing: { base: 1 },
    });
    assert.equal(body.models.filter((m) => m.default).length, 1);
    const enabled = await db.sql.unsafe("select id from public.models where enabled order by is_default desc, id");
    assert.deepEqual(body.models.map((m) => m.id), enabled.map((r) => r.id));
    for (const m of body.models) assert.ok(Number.isInteger(m.cost_credits), JSON.stringify(m));
  });

  test("is 503 database_unavailable without a database", async () => {
    const { status, body } = await call(nodb, "/models");
    assert.equal(status, 503, JSON.stringify(body));
    assert.equal(body.error, "database_unavailable");
  });
});

// --- the welcome grant -----------------------------------------------------------------------

describe("GET /credits and the welcome grant", () => {
  test("a user's first GET /credits shows the welcome credits, granted once", async () => {
    const user = await newUser(auth);
    const first = await credits(user);
    assert.equal(first.balance, WELCOME);
    assert.equal(first.entries.length, 1);
    const [entry] = first.entries;
    assert.equal(entry.delta, WELCOME);
    assert.equal(entry.kind, "grant");
    assert.equal(entry.reason, "welcome credits");
    assert.equal(entry.job_id, null);
    assert.ok(Number.isInteger(entry.id), JSON.stringify(entry));
    assert.match(entry.created_at, ISO);

    const again = await credits(user);
    assert.equal(again.balance, WELCOME);
    assert.deepEqual(again.entries, first.entries);
    assert.equal((await ledgerRows(user.id)).length, 1);
  });

  test("GET /credits is one statement in one round trip, the first visit's welcome entry listed", async () => {
    const user = await newUser(auth);
    for (const visit of ["first", "next"]) {
      const mark = counter.mark();
      const { status, body } = await call(counted, "/credits", { headers: user.headers });
      assert.ok(await counter.idle(), "the Worker's database connection did not close");
      const sent = counter.since(mark);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.balance, WELCOME, visit);
      assert.deepEqual(body.entries.map((e) => [e.delta, e.kind]), [[WELCOME, "grant"]], visit);
      assert.equal(sent.statements.length, 1, `${visit}: ${JSON.stringify(sent.statements)}`);
      assert.equal(sent.roundTrips, 1, visit);
    }
  });

  test("10 concurrent first calls (GET /credits and GET /me) grant the welcome credits once", async () => {
    const user = await newUser(auth);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(worker, i % 2 ? "/me" : "/credits", { headers: user.headers })),
    );
    for (const { status, body } of results) {
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.balance ?? body.credits?.balance, WELCOME, JSON.stringify(body));
    }
    const rows = await ledgerRows(user.id);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0].idempotency_key, `welcome:${user.id}`);
    assert.equal(await storedBalance(user.id), WELCOME);
  });

  test("an anonymous sign-in (is_anonymous: true) gets no welcome credits: GET /me, GET /credits, POST /jobs 402", async () => {
    const id = crypto.randomUUID();
    const token = await auth.mint({ alg: "ES256", claims: { sub: id, email: undefined, is_anonymous: true } });
    const headers = { authorization: `Bearer ${token}` };
    const me = await call(worker, "/me", { headers });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.deepEqual(me.body.credits, { balance: 0 });
    assert.equal((await credits(headers)).balance, 0);
    const job = await call(worker, "/jobs", { method: "POST", headers, body: { prompt: "free lunch" } });
    assert.equal(job.status, 402, JSON.stringify(job.body));
    assert.equal(job.body.error, "insufficient_credits");
    assert.equal((await ledgerRows(id)).length, 0);

    // otherwise an ordinary user: what it is granted, it has
    await adminCredits({ user_id: id, amount: 3, reason: "linked later", idempotency_key: `anon-${id}` });
    assert.equal((await credits(headers)).balance, 3);
    // an explicit is_anonymous: false is an ordinary sign-in
    const named = crypto.randomUUID();
    const ordinary = await auth.mint({ alg: "ES256", claims: { sub: named, is_anonymous: false } });
    assert.equal((await credits({ authorization: `Bearer ${ordinary}` })).balance, WELCOME);
  });

  test("GET /me carries the same balance and a null subscription", async () => {
    const user = await newUser(auth);
    const { status, body } = await call(worker, "/me", { headers: user.headers });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.user.id, user.id);
    assert.deepEqual(body.credits, { balance: WELCOME });
    assert.equal(body.subscription, null);
    assert.equal((await credits(user)).balance, WELCOME);
  });

  test("a user sees only their own credits; anonymous callers none", async () => {
    const [alice, bob] = await Promise.all([newUser(auth), newUser(auth)]);
    let res = await call(worker, `/credits?user_id=${bob.id}`, { headers: alice.headers });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal(res.body.error, "forbidden");
    res = await call(worker, `/credits/ledger?user_id=${bob.id}`, { headers: alice.headers });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    assert.equal((await call(worker, "/credits")).status, 401);
    assert.equal((await call(worker, "/credits/ledger")).status, 401);
    assert.equal((await credits(alice, `?user_id=${alice.id}`)).balance, WELCOME);
    assert.equal((await ledgerRows(bob.id)).length, 0, "bob was granted something by alice's calls");
  });

  test("the admin reads any user's credits by user_id, without granting the welcome credits", async () => {
    const user = await newUser(auth);
    const looked = await credits(asAdmin, `?user_id=${user.id}`);
    assert.deepEqual(looked, { ok: true, balance: 0, entries: [] });
    assert.equal((await ledgerRows(user.id)).length, 0);
    const missing = await call(worker, "/credits", { headers: asAdmin });
    assert.equal(missing.status, 400, JSON.stringify(missing.body));
    assert.equal(missing.body.error, "invalid_request");

    await credits(user); // the user's own first visit
    assert.equal((await credits(asAdmin, `?user_id=${user.id.toUpperCase()}`)).balance, WELCOME);
  });
});

// --- POST /admin/credits ---------------------------------------------------------------------

describe("POST /admin/credits", () => {
  test("a grant shows in GET /credits; replaying its key changes nothing", async () => {
    const user = await newUser(auth);
    await credits(user); // welcome: 10
    const grant = { user_id: user.id, amount: 25, reason: "launch bonus", idempotency_key: `bonus-${user.id}` };
    assert.deepEqual(await adminCredits(grant), { ok: true, applied: true, balance: WELCOME + 25 });

    const after = await credits(user);
    assert.equal(after.balance, WELCOME + 25);
    assert.equal(after.entries.length, 2);
    assert.equal(after.entries[0].delta, 25);
    assert.equal(after.entries[0].kind, "grant");
    assert.equal(after.entries[0].reason, "launch bonus");
    assert.ok(after.entries[0].id > after.entries[1].id, "newest first");

    // The same request again, also concurrently: applied once.
    const replays = await Promise.all(Array.from({ length: 5 }, () => adminCredits(grant)));
    for (const r of replays) assert.deepEqual(r, { ok: true, applied: false, balance: WELCOME + 25 });
    assert.equal((await credits(user)).balance, WELCOME + 25);
    const rows = await ledgerRows(user.id);
    assert.equal(rows.length, 2);
    assert.equal(rows[1].idempotency_key, `admin:bonus-${user.id}`);

    // The key with another amount or sign is refused, and changes nothing.
    for (const amount of [26, -25]) {
      const reused = await adminCredits({ ...grant, amount }, 422);
      assert.equal(reused.error, "idempotency_key_reused");
    }
    assert.equal(await storedBalance(user.id), WELCOME + 25);
  });

  test("a negative adjustment beyond the balance is 402 and changes nothing", async () => {
    const user = await newUser(auth);
    await credits(user); // 10
    const before = await ledgerRows(user.id);
    const over = await adminCredits({ user_id: user.id, amount: -11, reason: "chargeback", idempotency_key: `over-${user.id}` }, 402);
    assert.equal(over.ok, false);
    assert.equal(over.error, "insufficient_credits");
    assert.match(over.message, /balance 10/);
    assert.deepEqual(await ledgerRows(user.id), before);
    assert.equal((await credits(user)).balance, WELCOME);

    // Within the balance it applies, as an adjustment, once.
    const fix = { user_id: user.id, amount: -4, reason: "duplicate grant", idempotency_key: `fix-${user.id}` };
    assert.deepEqual(await adminCredits(fix), { ok: true, applied: true, balance: 6 });
    assert.deepEqual(await adminCredits(fix), { ok: true, applied: false, balance: 6 });
    const page = await credits(user);
    assert.equal(page.balance, 6);
    assert.equal(page.entries[0].kind, "adjustment");
    assert.equal(page.entries[0].delta, -4);
  });

  test("a grant to a user never seen before still lets them receive the welcome credits", async () => {
    const user = await newUser(auth);
    assert.deepEqual(await adminCredits({ user_id: user.id, amount: 3, reason: "early", idempotency_key: `early-${user.id}` }), {
      ok: true,
      applied: true,
      balance: 3,
    });
    assert.equal((await credits(user)).balance, 3 + WELCOME);
  });

  test("only the admin may call it, with valid fields", async () => {
    const user = await newUser(auth);
    const fields = { user_id: user.id, amount: 5, reason: "r", idempotency_key: `k-${user.id}` };
    let res = await call(worker, "/admin/credits", { method: "POST", headers: user.headers, body: fields });
    assert.equal(res.status, 403, JSON.stringify(res.body));
    res = await call(worker, "/admin/credits", { method: "POST", body: fields });
    assert.equal(res.status, 401, JSON.stringify(res.body));
    for (const bad of [
      { ...fields, user_id: "not-a-uuid" },
      { ...fields, amount: 0 },
      { ...fields, amount: 2.5 },
      { ...fields, amount: "5" },
      { ...fields, reason: "" },
      { ...fields, reason: "x".repeat(201) },
      { ...fields, idempotency_key: "" },
      { ...fields, idempotency_key: "k".repeat(256) },
    ]) {
      const out = await adminCredits(bad, 400);
      assert.equal(out.error, "invalid_request", JSON.stringify(bad));
    }
    assert.equal((await call(worker, "/admin/credits", { method: "POST", headers: asAdmin, body: "{" })).status, 400);
    assert.equal((await ledgerRows(user.id)).length, 0);
  });
});

// --- GET /credits/ledger -------------------------------------------------------------------

describe("GET /credits/ledger", () => {
  test("7 entries in pages of 3: every entry exactly once, newest first", async () => {
    const user = await newUser(auth);
    await credits(user); // the welcome entry
    for (let i = 1; i <= 6; i++) {
      await adminCredits({ user_id: user.id, amount: i, reason: `grant ${i}`, idempotency_key: `page-${user.id}-${i}` });
    }
    const expected = (await ledgerRows(user.id)).map((r) => Number(r.id)).reverse();
    assert.equal(expected.length, 7);

    const seen = [];
    const sizes = [];
    let cursor = null;
    for (let pages = 0; pages < 10; pages++) {
      const query = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { status, body } = await call(worker, `/credits/ledger${query}`, { headers: user.headers });
      assert.equal(status, 200, JSON.stringify(body));
      sizes.push(body.entries.length);
      for (const e of body.entries) {
        seen.push(e.id);
        assert.ok(Number.isInteger(e.delta) && Number.isInteger(e.id), JSON.stringify(e));
        assert.match(e.created_at, ISO);
      }
      cursor = body.cursor;
      if (cursor === null) break;
    }
    assert.deepEqual(sizes, [3, 3, 1]);
    assert.deepEqual(seen, expected);
    const sum = (await credits(user)).balance;
    assert.equal(sum, WELCOME + 21);

    // The default page holds them all; the admin pages the same ledger by user_id.
    const all = await call(worker, "/credits/ledger", { headers: user.headers });
    assert.deepEqual(all.body.entries.map((e) => e.id), expected);
    assert.equal(all.body.cursor, null);
    const byAdmin = await call(worker, `/credits/ledger?user_id=${user.id}&limit=100`, { headers: asAdmin });
    assert.deepEqual(byAdmin.body, all.body);
  });

  test("a page fetched while entries are added still continues where it left off", async () => {
    const user = await newUser(auth);
    await credits(user);
    for (let i = 1; i <= 3; i++) {
      await adminCredits({ user_id: user.id, amount: 1, reason: "r", idempotency_key: `shift-${user.id}-${i}` });
    }
    const first = await call(worker, "/credits/ledger?limit=2", { headers: user.headers });
    await adminCredits({ user_id: user.id, amount: 1, reason: "r", idempotency_key: `shift-${user.id}-late` });
    const second = await call(worker, `/credits/ledger?limit=2&cursor=${first.body.cursor}`, { headers: user.headers });
    const ids = [...first.body.entries, ...second.body.entries].map((e) => e.id);
    assert.equal(new Set(ids).size, 4);
    assert.equal(second.body.cursor, null);
  });

  test("a bad cursor or limit is 400", async () => {
    const user = await newUser(auth);
    for (const query of ["?cursor=nonsense!", `?cursor=${Buffer.from("v1:x").toString("base64url")}`, "?limit=0", "?limit=101", "?limit=x"]) {
      const { status, body } = await call(worker, `/credits/ledger${query}`, { headers: user.headers });
      assert.equal(status, 400, `${query}: ${JSON.stringify(body)}`);
      assert.equal(body.error, "invalid_request");
    }
  });
});
