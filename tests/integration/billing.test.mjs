// Stripe billing end to end: the real Worker (wasm core + js-shim in workerd) against real
// PostgreSQL 15, connected as a LOGIN member of alphogen_api (it may execute the billing and
// money functions and read, never write those tables), a Stripe stand-in (harness/stripe.mjs)
// and webhook signatures made by the official `stripe` package (generateTestHeaderString).
// Contract: shared/API.md billing rows and issue 5's "What it must show". After every test,
// balance = sum(ledger) for every user.
//
// Workers (one database):
//   main       Stripe configured (key, webhook secret, STRIPE_API_BASE = the stand-in),
//              CORS_ORIGINS = the app's origin, RunPod configured (jobs really spend)
//   noStripe   no Stripe at all: the 501 noop shapes

import { after, afterEach, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import postgres from "postgres";
import { createApiRole, createTestDatabase } from "./harness/postgres.mjs";
import { assertLedgerInvariant } from "./harness/ledger.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";
import { startWorker } from "./harness/worker.mjs";
import { call, newUser } from "./harness/http.mjs";
import { startStripe, API_VERSION } from "./harness/stripe.mjs";
import { startRunPod } from "./harness/runpod.mjs";

const HS_SECRET = "billing-test-legacy-jwt-secret-at-least-32-chars";
const SK = "sk_test_billing_0123456789";
const WHSEC = "whsec_billing_test_secret_0123456789";
const APP = "https://app.example.com";
const WELCOME = 10;
const PACK = { id: "pack-100", price: "price_credits_100", credits: 100 };
const PLAN = { id: "pro-monthly", price: "price_pro_monthly", credits: 300 };

let db;
let auth;
let stripe;
let runpod;
let main;
let noStripe;
let badKey; // Stripe configured with a key Stripe refuses
let role; // the Worker's login role (member of alphogen_api)

before(async () => {
  [db, auth, stripe, runpod] = await Promise.all([
    createTestDatabase({ prefix: "ag_billing" }),
    startSupabaseAuth({ hsSecret: HS_SECRET }),
    startStripe({
      secretKey: SK,
      webhookSecret: WHSEC,
      prices: {
        [PACK.price]: { unit_amount: 500 },
        price_credits_500: { unit_amount: 2000 },
        [PLAN.price]: { unit_amount: 1900, recurring: { interval: "month" } },
      },
    }),
    startRunPod({ apiKey: "rp-billing", endpointId: "ep-billing", defaultSteps: ["IN_QUEUE"] }),
  ]);
  role = await createApiRole(db, "billing_test");
  const common = { SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: HS_SECRET, WELCOME_CREDITS: String(WELCOME) };
  [main, noStripe, badKey] = await Promise.all([
    startWorker({
      db: role.url,
      vars: {
        ...common,
        STRIPE_SECRET_KEY: SK,
        STRIPE_WEBHOOK_SECRET: WHSEC,
        STRIPE_API_BASE: stripe.url,
        CORS_ORIGINS: APP,
        RUNPOD_API_KEY: "rp-billing",
        RUNPOD_ENDPOINT_ID: "ep-billing",
        RUNPOD_API_BASE: runpod.url,
      },
    }),
    startWorker({ db: role.url, vars: { ...common, CORS_ORIGINS: APP } }),
    startWorker({
      db: role.url,
      vars: { ...common, STRIPE_SECRET_KEY: "sk_test_revoked", STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_API_BASE: stripe.url },
    }),
  ]);
});

after(async () => {
  await Promise.allSettled([main?.stop(), noStripe?.stop(), badKey?.stop()]);
  await Promise.allSettled([auth?.close(), stripe?.close(), runpod?.close()]);
  await db?.drop();
  await role?.drop();
});

afterEach(async () => {
  await assertLedgerInvariant(db.sql);
});

// --- helpers -------------------------------------------------------------------------------

/** POSTs a signed (or deliberately mis-signed) delivery to /webhooks/stripe. */
function deliver({ body, header }, w = main) {
  const headers = { "content-type": "application/json" };
  if (header !== undefined) headers["stripe-signature"] = header;
  return call(w, "/webhooks/stripe", { method: "POST", headers, body });
}

async function deliverOk(evt) {
  const res = await deliver(stripe.sign(evt));
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { received: true });
  return res;
}

async function checkout(user, fields, expected = 200) {
  const res = await call(main, "/billing/checkout", { method: "POST", headers: user.headers, body: fields });
  assert.equal(res.status, expected, JSON.stringify(res.body));
  return res.body;
}

/** A user whose pack checkout has been paid (not yet delivered): {user, session}. */
async function paidPack() {
  const user = await newUser(auth);
  const { session_id } = await checkout(user, { pack_id: PACK.id });
  return { user, session: stripe.pay(session_id) };
}

async function balanceOf(userId) {
  const [row] = await db.sql.unsafe("select balance from public.credit_balances where user_id = $1", [userId]);
  return row ? Number(row.balance) : 0;
}

async function ledgerOf(userId) {
  return db.sql.unsafe(
    "select delta::int, kind, idempotency_key from public.credit_ledger where user_id = $1 order by id",
    [userId],
  );
}

async function outcomeOf(eventId) {
  const [row] = await db.sql.unsafe("select outcome from public.stripe_events where id = $1", [eventId]);
  return row?.outcome ?? null;
}

// --- not configured ------------------------------------------------------------------------

describe("without Stripe", () => {
  test("checkout, portal and the webhook answer the 501 noop shape", async () => {
    const user = await newUser(auth);
    const noop = { ok: true, provider: "noop", message: "stripe_not_configured" };
    for (const path of ["/billing/checkout", "/billing/portal"]) {
      const res = await call(noStripe, path, { method: "POST", headers: user.headers, body: { pack_id: PACK.id } });
      assert.equal(res.status, 501, path);
      assert.deepEqual(res.body, noop);
    }
    const evt = stripe.event("checkout.session.completed", { id: "cs_x", object: "checkout.session" });
    const res = await deliver(stripe.sign(evt), noStripe);
    assert.equal(res.status, 501);
    assert.deepEqual(res.body, noop);
    assert.equal(await outcomeOf(evt.id), null);
  });

  test("the catalog is served from the database all the same", async () => {
    const res = await call(noStripe, "/billing/catalog");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.packs[0], {
      id: PACK.id, kind: "pack", name: "100 credits", credits: 100, price_id: PACK.price, mode: "payment", interval: null,
    });
  });
});

// --- catalog and checkout ------------------------------------------------------------------

describe("catalog and checkout", () => {
  test("GET /billing/catalog lists the seeded packs and plans; edits need no deploy", async () => {
    const res = await call(main, "/billing/catalog");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.packs.map((p) => [p.id, p.credits, p.price_id, p.mode]), [
      ["pack-100", 100, "price_credits_100", "payment"],
      ["pack-500", 500, "price_credits_500", "payment"],
    ]);
    assert.deepEqual(res.body.plans, [
      { id: PLAN.id, kind: "plan", name: "Pro (monthly)", credits: 300, price_id: PLAN.price, mode: "subscription", interval: "month" },
    ]);
    await db.sql.unsafe("update public.billing_products set enabled = false where id = 'pack-500'");
    try {
      const after = await call(main, "/billing/catalog");
      assert.deepEqual(after.body.packs.map((p) => p.id), ["pack-100"]);
      const user = await newUser(auth);
      const refused = await checkout(user, { pack_id: "pack-500" }, 400);
      assert.equal(refused.error, "invalid_request");
    } finally {
      await db.sql.unsafe("update public.billing_products set enabled = true where id = 'pack-500'");
    }
  });

  test("a pack checkout creates the customer once and a correctly encoded session", async () => {
    const user = await newUser(auth);
    const first = stripe.requests.length;
    const body = await checkout(user, { pack_id: PACK.id, success_url: `${APP}/thanks?pack=100&via=checkout` });
    assert.match(body.session_id, /^cs_test_/);
    assert.equal(body.url, `https://checkout.stripe.com/c/pay/${body.session_id}`);

    const sent = stripe.requests.slice(first);
    assert.deepEqual(sent.map((r) => r.path), ["/v1/customers", "/v1/checkout/sessions"]);
    for (const r of sent) {
      assert.equal(r.headers.authorization, `Bearer ${SK}`);
      assert.equal(r.headers["stripe-version"], API_VERSION);
      assert.ok(r.headers["idempotency-key"], "every POST carries an Idempotency-Key");
      assert.equal(r.headers["content-type"], "application/x-www-form-urlencoded");
    }
    assert.match(sent[1].text, /(^|&)line_items%5B0%5D%5Bprice%5D=price_credits_100(&|$)/);
    assert.match(sent[1].text, /success_url=https%3A%2F%2Fapp\.example\.com%2Fthanks%3Fpack%3D100%26via%3Dcheckout(&|$)/);
    const customer = stripe.customers.get(sent[1].form.customer);
    assert.deepEqual(customer.metadata, { user_id: user.id });
    assert.equal(customer.email, user.email);
    const session = stripe.sessions.get(body.session_id);
    assert.equal(session.mode, "payment");
    assert.equal(session.client_reference_id, user.id);
    assert.deepEqual(session.metadata, { user_id: user.id, pack_id: PACK.id });
    assert.equal(session.cancel_url, `${APP}/billing?checkout=cancel`);

    const [row] = await db.sql.unsafe("select customer_id from public.stripe_customers where user_id = $1", [user.id]);
    assert.equal(row.customer_id, customer.id);

    // The second checkout (a plan, by its price id) reuses the customer.
    const before = stripe.requests.length;
    const plan = await checkout(user, { price_id: PLAN.price });
    assert.deepEqual(stripe.requests.slice(before).map((r) => r.path), ["/v1/checkout/sessions"]);
    const planSession = stripe.sessions.get(plan.session_id);
    assert.equal(planSession.mode, "subscription");
    assert.equal(planSession.customer, customer.id);
    assert.equal(planSession.success_url, `${APP}/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}`);
  });

  test("racing first checkouts of a user share one Stripe customer", async () => {
    const user = await newUser(auth);
    const sessions = await Promise.all([1, 2, 3].map(() => checkout(user, { pack_id: PACK.id })));
    const customers = sessions.map(({ session_id }) => stripe.sessions.get(session_id).customer);
    assert.equal(new Set(customers).size, 1);
    const mine = [...stripe.customers.values()].filter((c) => c.metadata.user_id === user.id);
    assert.equal(mine.length, 1, "one customer at Stripe (the Idempotency-Key is derived from the user)");
    const rows = await db.sql.unsafe("select customer_id from public.stripe_customers where user_id = $1", [user.id]);
    assert.deepEqual(rows.map((r) => r.customer_id), [mine[0].id]);
  });

  test("racing links of a user's first customer all answer it, and none fails", async () => {
    // Racing checkouts get one customer from Stripe and record it at the same moment. With only
    // the primary key as the conflict arbiter, two inserts that passed the pre-check together
    // collided on the unique customer_id instead (23505, a 500 for one checkout).
    const clients = Array.from({ length: 16 }, () => postgres(role.url, { max: 1, onnotice: () => {} }));
    try {
      await Promise.all(clients.map((c) => c`select 1`));
      for (let round = 0; round < 40; round++) {
        const user = crypto.randomUUID();
        const customer = `cus_race_${crypto.randomBytes(6).toString("hex")}`;
        const answers = await Promise.all(clients.map((c) =>
          c.unsafe("select public.link_stripe_customer($1::uuid, $2::text) as customer_id", [user, customer])));
        assert.deepEqual(answers.map(([row]) => row.customer_id), clients.map(() => customer));
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  test("an Idempotency-Key retry gets the same Stripe session", async () => {
    const user = await newUser(auth);
    const headers = { ...user.headers, "idempotency-key": "buy-once" };
    const a = await call(main, "/billing/checkout", { method: "POST", headers, body: { pack_id: PACK.id } });
    const b = await call(main, "/billing/checkout", { method: "POST", headers, body: { pack_id: PACK.id } });
    assert.equal(a.status, 200);
    assert.equal(b.body.session_id, a.body.session_id);
  });

  test("return URLs off the allowed origins, and bad bodies, are 400 before any Stripe call", async () => {
    const user = await newUser(auth);
    const before = stripe.requests.length;
    for (const fields of [
      { pack_id: PACK.id, success_url: "https://evil.example/steal" },
      { pack_id: PACK.id, cancel_url: "https://app.example.com@evil.example/" },
      { pack_id: PACK.id, success_url: "http://app.example.com/insecure-scheme" },
      { pack_id: PACK.id, plan_id: PLAN.id },
      { pack_id: "pack-unknown" },
      {},
    ]) {
      const res = await checkout(user, fields, 400);
      assert.equal(res.error, "invalid_request", JSON.stringify(fields));
    }
    assert.equal(stripe.requests.length, before);
    assert.equal((await call(main, "/billing/checkout", { method: "POST", body: { pack_id: PACK.id } })).status, 401);
  });

  test("the console this Worker serves (its own origin, /console/) is a return page", async () => {
    const user = await newUser(auth);
    const back = new URL("/console/#/billing", main.url).href;
    const body = await checkout(user, { pack_id: PACK.id, success_url: `${back}?checkout=success`, cancel_url: back });
    const session = stripe.sessions.get(body.session_id);
    assert.equal(session.success_url, `${back}?checkout=success`);
    assert.equal(session.cancel_url, back);
    const portal = await call(main, "/billing/portal", { method: "POST", headers: user.headers, body: { return_url: back } });
    assert.equal(portal.status, 200, JSON.stringify(portal.body));
    const elsewhere = await checkout(user, { pack_id: PACK.id, success_url: new URL("/assets/public/x", main.url).href }, 400);
    assert.equal(elsewhere.error, "invalid_request");
  });

  test("POST /billing/portal: the caller's customer, back to the app", async () => {
    const user = await newUser(auth);
    const res = await call(main, "/billing/portal", { method: "POST", headers: user.headers });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const portal = [...stripe.portalSessions.values()].find((p) => p.url === res.body.url);
    assert.ok(portal, "the url is the portal session's");
    assert.equal(portal.return_url, `${APP}/billing?portal=return`);
    assert.deepEqual(stripe.customers.get(portal.customer).metadata, { user_id: user.id });
    const bad = await call(main, "/billing/portal", {
      method: "POST",
      headers: user.headers,
      body: { return_url: "https://evil.example/" },
    });
    assert.equal(bad.status, 400);
  });
});

// --- webhook signatures --------------------------------------------------------------------

describe("POST /webhooks/stripe signatures", () => {
  /** An event that would grant credits if it were accepted. */
  async function grantingEvent() {
    const { user, session } = await paidPack();
    return { user, evt: stripe.event("checkout.session.completed", session) };
  }

  test("a valid signature is accepted and the event applied", async () => {
    const { user, evt } = await grantingEvent();
    await deliverOk(evt);
    assert.equal(await outcomeOf(evt.id), "granted");
    assert.equal(await balanceOf(user.id), PACK.credits);
  });

  test("wrong secret, tampered body, stale timestamp, missing header, v0 only, malformed → 400, nothing recorded", async () => {
    const { user, evt } = await grantingEvent();
    const good = stripe.sign(evt);
    const v1 = good.header.match(/v1=([0-9a-f]+)/)[1];
    const t = good.header.match(/t=(\d+)/)[1];
    const tampered = JSON.parse(good.body);
    tampered.data.object.metadata.pack_id = "pack-500";
    const cases = {
      "wrong secret": stripe.sign(evt, { secret: "whsec_not_ours" }),
      "tampered body": { body: JSON.stringify(tampered, null, 2), header: good.header },
      "stale timestamp": stripe.sign(evt, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      "missing header": { body: good.body, header: undefined },
      "v0 only": { body: good.body, header: `t=${t},v0=${v1}` },
      malformed: { body: good.body, header: "this is not a signature" },
      "no timestamp": { body: good.body, header: `v1=${v1}` },
    };
    for (const [name, delivery] of Object.entries(cases)) {
      const res = await deliver(delivery);
      assert.equal(res.status, 400, name);
      assert.equal(res.body.ok, false, name);
      assert.equal(res.body.error, "invalid_signature", name);
    }
    assert.equal(await outcomeOf(evt.id), null);
    assert.equal(await balanceOf(user.id), 0);
  });

  test("two v1 signatures, one valid (a secret rotation), are accepted", async () => {
    const { user, evt } = await grantingEvent();
    const good = stripe.sign(evt);
    const t = Number(good.header.match(/t=(\d+)/)[1]);
    const rotatedOut = stripe.sign(evt, { secret: "whsec_old_rotated_out", timestamp: t, payload: good.body });
    const v1 = (h) => h.match(/v1=([0-9a-f]+)/)[1];
    const res = await deliver({ body: good.body, header: `t=${t},v1=${v1(rotatedOut.header)},v1=${v1(good.header)}` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(await outcomeOf(evt.id), "granted");
    assert.equal(await balanceOf(user.id), PACK.credits);
  });
});

// --- fulfilment ----------------------------------------------------------------------------

describe("fulfilment", () => {
  test("the same checkout.session.completed 5× concurrently, plus another event for the session: credits once", async () => {
    const { user, session } = await paidPack();
    const evt = stripe.event("checkout.session.completed", session);
    const delivery = stripe.sign(evt);
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(delivery)));
    for (const res of answers) assert.equal(res.status, 200, JSON.stringify(res.body));
    const second = stripe.event("checkout.session.async_payment_succeeded", session);
    await deliverOk(second);

    const ledger = await ledgerOf(user.id);
    assert.deepEqual(ledger.map((r) => ({ ...r })), [
      { delta: PACK.credits, kind: "purchase", idempotency_key: `stripe:checkout:${session.id}` },
    ]);
    assert.equal(await balanceOf(user.id), PACK.credits);
    const events = await db.sql.unsafe("select id, outcome from public.stripe_events where id in ($1, $2) order by outcome", [evt.id, second.id]);
    assert.deepEqual(events.map((e) => e.outcome), ["already_granted", "granted"]);
  });

  test("a catalog edit between two events for one session changes nothing for it", async () => {
    const { user, session } = await paidPack();
    await deliverOk(stripe.event("checkout.session.completed", session));
    await db.sql.unsafe("update public.billing_products set credits = 150 where id = $1", [PACK.id]);
    try {
      await deliverOk(stripe.event("checkout.session.async_payment_succeeded", session));
    } finally {
      await db.sql.unsafe("update public.billing_products set credits = $2 where id = $1", [PACK.id, PACK.credits]);
    }
    assert.equal(await balanceOf(user.id), PACK.credits);
  });

  test("an unpaid (async) session grants nothing until async_payment_succeeded", async () => {
    const user = await newUser(auth);
    const { session_id } = await checkout(user, { pack_id: PACK.id });
    const pending = stripe.pay(session_id, { paymentStatus: "unpaid" });
    const completed = stripe.event("checkout.session.completed", pending);
    await deliverOk(completed);
    assert.equal(await outcomeOf(completed.id), "awaiting_payment");
    assert.equal(await balanceOf(user.id), 0);
    await deliverOk(stripe.event("checkout.session.async_payment_succeeded", stripe.pay(session_id)));
    assert.equal(await balanceOf(user.id), PACK.credits);
  });

  test("charge.refunded claws back once, the refunded share only", async () => {
    const { user, session } = await paidPack();
    await deliverOk(stripe.event("checkout.session.completed", session));
    // Half refunded, delivered twice under two event ids: 50 credits back, once.
    const half = stripe.refund(session.payment_intent, session.amount_total / 2);
    await deliverOk(stripe.event("charge.refunded", half));
    const again = stripe.event("charge.refunded", half);
    await deliverOk(again);
    assert.equal(await outcomeOf(again.id), "already_clawed_back");
    assert.equal(await balanceOf(user.id), PACK.credits / 2);
    // The rest refunded: the other half, once.
    const full = stripe.refund(session.payment_intent);
    const fullEvent = stripe.event("charge.refunded", full);
    await deliverOk(fullEvent);
    await deliver(stripe.sign(fullEvent));
    await deliverOk(stripe.event("charge.refunded", full));
    assert.equal(await balanceOf(user.id), 0);
    const clawbacks = (await ledgerOf(user.id)).filter((r) => r.kind === "clawback");
    assert.deepEqual(clawbacks.map((r) => r.delta), [-50, -50]);
  });

  test("a refund delivered before its payment's fulfilment is applied when the fulfilment comes", async () => {
    const { user, session } = await paidPack();
    const refund = stripe.event("charge.refunded", stripe.refund(session.payment_intent));
    await deliverOk(refund);
    assert.equal(await outcomeOf(refund.id), "refund_before_fulfilment");
    await deliverOk(stripe.event("checkout.session.completed", session));
    assert.equal(await balanceOf(user.id), 0);
    assert.deepEqual((await ledgerOf(user.id)).map((r) => r.delta), [PACK.credits, -PACK.credits]);
  });

  test("a refund overtaking its fulfilment mid-flight is still applied, once", async () => {
    // The worst interleaving, made deterministic: the refund has looked for the fulfilment (none
    // yet) and is about to keep itself for later, when the fulfilment runs. The test holds the
    // refund there by holding, uncommitted, the pending-refund row it will write.
    const { user, session } = await paidPack();
    const waiting = async (n) => {
      for (let i = 0; i < 500; i++) {
        const [{ count }] = await db.sql.unsafe(
          "select count(*)::int as count from pg_stat_activity where wait_event_type = 'Lock' and query like '%stripe_apply_event%'",
        );
        if (count >= n) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    let refundDone;
    let fulfilmentDone;
    await db.sql
      .begin(async (tx) => {
        await tx.unsafe("insert into public.stripe_pending_refunds (payment_intent, charge) values ($1, '{}')", [
          session.payment_intent,
        ]);
        refundDone = deliver(stripe.sign(stripe.event("charge.refunded", stripe.refund(session.payment_intent))));
        assert.ok(await waiting(1), "the refund waits on the held row");
        fulfilmentDone = deliver(stripe.sign(stripe.event("checkout.session.completed", session)));
        // The fulfilment either finishes (it did not wait for the refund) or waits for it.
        await Promise.race([fulfilmentDone, waiting(2)]);
        throw new Error("rollback");
      })
      .catch((err) => assert.equal(err.message, "rollback"));
    assert.equal((await refundDone).status, 200);
    assert.equal((await fulfilmentDone).status, 200);
    assert.equal(await balanceOf(user.id), 0);
    assert.deepEqual((await ledgerOf(user.id)).map((r) => r.kind), ["purchase", "clawback"]);
  });

  test("a refund after the credits were spent takes what remains, never below 0", async () => {
    const { user, session } = await paidPack();
    await deliverOk(stripe.event("checkout.session.completed", session));
    await db.sql.unsafe("select * from public.adjust_credits($1::uuid, -70::bigint, $2::text, 'spent')", [user.id, `spent-${user.id}`]);
    await deliverOk(stripe.event("charge.refunded", stripe.refund(session.payment_intent)));
    assert.equal(await balanceOf(user.id), 0);
  });

  test("a pack paid with a delivery of any size is granted: up front (small) or through request.body", async () => {
    // Small POST bodies reach the core in its start frame; bodies over 64 KiB are read when
    // the handler asks. Both must verify and apply the same way.
    for (const padding of [0, 70 * 1024]) {
      const { user, session } = await paidPack();
      const evt = stripe.event("checkout.session.completed", { ...session, metadata: { ...session.metadata, padding: "p".repeat(padding) } });
      const signed = stripe.sign(evt);
      assert.equal(signed.body.length > 64 * 1024, padding > 0);
      const res = await deliver(signed);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(await outcomeOf(evt.id), "granted");
      assert.equal(await balanceOf(user.id), PACK.credits);
    }
  });

  test("unknown event types and unknown customers: 200, recorded, no effect", async () => {
    const ignored = stripe.event("customer.created", { id: "cus_somebody", object: "customer" });
    await deliverOk(ignored);
    assert.equal(await outcomeOf(ignored.id), "ignored");
    const stranger = stripe.event("invoice.paid", { id: "in_stranger", object: "invoice", customer: "cus_nobody_knows", lines: { data: [] } });
    await deliverOk(stranger);
    assert.equal(await outcomeOf(stranger.id), "unknown_customer");
    const [{ n }] = await db.sql.unsafe("select count(*)::int as n from public.credit_ledger where idempotency_key like 'stripe:invoice:in_stranger%'");
    assert.equal(n, 0);
  });
});

// --- subscriptions -------------------------------------------------------------------------

describe("subscriptions", () => {
  /** A user who went through a plan checkout: {user, subId}. */
  async function subscribed() {
    const user = await newUser(auth);
    const { session_id } = await checkout(user, { plan_id: PLAN.id });
    const session = stripe.pay(session_id);
    await deliverOk(stripe.event("checkout.session.completed", session));
    return { user, subId: session.subscription };
  }

  async function subscriptionOf(user) {
    const res = await call(main, "/billing/subscription", { headers: user.headers });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.subscription;
  }

  test("invoice.paid grants the plan's allowance once per invoice", async () => {
    const { user, subId } = await subscribed();
    assert.equal(await balanceOf(user.id), 0, "the subscription checkout itself grants nothing");
    const invoice = stripe.invoicePaid(subId);
    await deliverOk(stripe.event("invoice.paid", invoice));
    await deliverOk(stripe.event("invoice.paid", invoice));
    assert.equal(await balanceOf(user.id), PLAN.credits);
    await deliverOk(stripe.event("invoice.paid", stripe.invoicePaid(subId))); // next month
    assert.equal(await balanceOf(user.id), 2 * PLAN.credits);
    const grants = (await ledgerOf(user.id)).map((r) => r.kind);
    assert.deepEqual(grants, ["grant", "grant"]);
  });

  test("racing paid events of one invoice grant its allowance once, and none fails", async () => {
    // Invoices of API 2025-03-31+ carry no payment_intent, so no payment lock serialises two
    // events fulfilling one invoice: the stripe_fulfilments insert alone arbitrates. With only
    // its primary key as the arbiter, two inserts that passed the pre-check together collided on
    // the unique ledger_key instead (23505, a 5xx for one delivery).
    const { user, subId } = await subscribed();
    const clients = Array.from({ length: 16 }, () => postgres(role.url, { max: 1, onnotice: () => {} }));
    const rounds = 30;
    try {
      await Promise.all(clients.map((c) => c`select 1`));
      for (let round = 0; round < rounds; round++) {
        const invoice = stripe.invoicePaid(subId);
        const events = clients.map(() => stripe.event("invoice.paid", invoice));
        const outcomes = await Promise.all(clients.map((c, i) =>
          c.unsafe("select public.stripe_apply_event($1::text, 'invoice.paid', $2::bigint, false, $3::jsonb) as outcome",
            [events[i].id, events[i].created, invoice]).then(([row]) => row.outcome)));
        assert.deepEqual(outcomes.toSorted(), [...clients.slice(1).map(() => "already_granted"), "granted"]);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    assert.equal(await balanceOf(user.id), rounds * PLAN.credits);
  });

  test("out-of-order subscription events end in the newest state", async () => {
    const { user, subId } = await subscribed();
    const t = Math.floor(Date.now() / 1000);
    const periodEnd = t + 30 * 86400;
    const created = stripe.event("customer.subscription.created", stripe.subscription(subId, { status: "incomplete", periodEnd }), { created: t });
    const active = stripe.event("customer.subscription.updated", stripe.subscription(subId, { status: "active", periodEnd }), { created: t + 1 });
    const pastDue = stripe.event("customer.subscription.updated", stripe.subscription(subId, { status: "past_due", periodEnd }), { created: t + 2 });
    const renewed = stripe.event(
      "customer.subscription.updated",
      stripe.subscription(subId, { status: "active", periodEnd: periodEnd + 30 * 86400, cancelAtPeriodEnd: true }),
      { created: t + 3 },
    );
    // Delivered newest first, the oldest last.
    for (const evt of [renewed, pastDue, active, created]) await deliverOk(evt);
    assert.deepEqual(
      [await outcomeOf(renewed.id), await outcomeOf(pastDue.id), await outcomeOf(active.id), await outcomeOf(created.id)],
      ["subscription_saved", "stale", "stale", "stale"],
    );
    const sub = await subscriptionOf(user);
    assert.equal(sub.subscription_id, subId);
    assert.equal(sub.status, "active");
    assert.equal(sub.plan_id, PLAN.id);
    assert.equal(sub.cancel_at_period_end, true);
    assert.equal(Date.parse(sub.current_period_end), (periodEnd + 30 * 86400) * 1000);

    // Deleted, then a late update from before the deletion: it stays canceled.
    const deleted = stripe.event("customer.subscription.deleted", stripe.subscription(subId, { status: "canceled" }), { created: t + 5 });
    const late = stripe.event("customer.subscription.updated", stripe.subscription(subId, { status: "active" }), { created: t + 4 });
    await deliverOk(deleted);
    await deliverOk(late);
    assert.equal((await subscriptionOf(user)).status, "canceled");
    const me = await call(main, "/me", { headers: user.headers });
    assert.equal(me.body.subscription.status, "canceled");
    assert.equal(me.body.subscription.subscription_id, subId);
  });

  test("invoice.payment_failed marks the subscription until the next paid invoice", async () => {
    const { user, subId } = await subscribed();
    await deliverOk(stripe.event("customer.subscription.created", stripe.subscription(subId, { status: "active" })));
    const failed = stripe.invoicePaid(subId);
    failed.status = "open";
    await deliverOk(stripe.event("invoice.payment_failed", failed));
    assert.ok((await subscriptionOf(user)).payment_failed_at);
    await deliverOk(stripe.event("invoice.paid", { ...failed, status: "paid" }));
    assert.equal((await subscriptionOf(user)).payment_failed_at, null);
  });

  test("only invoices that start or renew a paid period grant: not prorations, not $0, never twice a period", async () => {
    const { user, subId } = await subscribed();
    const first = stripe.event("invoice.paid", stripe.invoicePaid(subId, { billingReason: "subscription_create" }));
    await deliverOk(first);
    assert.equal(await outcomeOf(first.id), "granted");
    assert.equal(await balanceOf(user.id), PLAN.credits);

    const proration = stripe.event("invoice.paid", stripe.invoicePaid(subId, { billingReason: "subscription_update", amount: 700 }));
    const manual = stripe.event("invoice.paid", stripe.invoicePaid(subId, { billingReason: "manual", amount: 100 }));
    for (const evt of [proration, manual]) {
      await deliverOk(evt);
      assert.equal(await outcomeOf(evt.id), "not_a_new_period");
    }
    assert.equal(await balanceOf(user.id), PLAN.credits, "an upgrade or a manual invoice grants nothing");

    const free = stripe.event("invoice.paid", stripe.invoicePaid(subId, { billingReason: "subscription_cycle", amount: 0 }));
    await deliverOk(free);
    assert.equal(await outcomeOf(free.id), "nothing_paid");
    assert.equal(await balanceOf(user.id), PLAN.credits, "a $0 period (trial, 100% off) grants nothing");

    // a second invoice claiming a period already granted (e.g. a re-issued invoice)
    const renewal = stripe.invoicePaid(subId, { billingReason: "subscription_cycle" });
    await deliverOk(stripe.event("invoice.paid", renewal));
    assert.equal(await balanceOf(user.id), 2 * PLAN.credits);
    const reissued = { ...structuredClone(renewal), id: `in_reissued_${crypto.randomUUID().slice(0, 8)}` };
    delete reissued.payment_intent;
    const twice = stripe.event("invoice.paid", reissued);
    await deliverOk(twice);
    assert.equal(await outcomeOf(twice.id), "period_already_granted");
    assert.equal(await balanceOf(user.id), 2 * PLAN.credits);
  });

  test("a refunded subscription invoice takes back its share once (the invoice's payment found at Stripe)", async () => {
    const { user, subId } = await subscribed();
    const invoice = stripe.invoicePaid(subId, { billingReason: "subscription_create" });
    const lookups = () => stripe.requests.filter((r) => r.method === "GET" && r.path === "/v1/invoice_payments");
    const before = lookups().length;
    await deliverOk(stripe.event("invoice.paid", invoice));
    assert.equal(await balanceOf(user.id), PLAN.credits);
    const [lookup] = lookups().slice(before);
    assert.ok(lookup, "the Worker asked Stripe how the invoice was paid");
    assert.equal(lookup.query.invoice, invoice.id);
    assert.equal(lookup.headers.authorization, `Bearer ${SK}`);
    assert.equal(lookup.headers["stripe-version"], API_VERSION);

    const pi = stripe.paymentIntentOf(invoice.id);
    const half = stripe.event("charge.refunded", stripe.refund(pi, invoice.amount_paid / 2));
    await deliverOk(half);
    assert.equal(await outcomeOf(half.id), "clawed_back");
    assert.equal(await balanceOf(user.id), PLAN.credits / 2);
    await deliverOk(stripe.event("charge.refunded", stripe.refund(pi, invoice.amount_paid / 2)));
    assert.equal(await balanceOf(user.id), PLAN.credits / 2, "the same refund again takes nothing");
    const full = stripe.event("charge.refunded", stripe.refund(pi));
    await deliverOk(full);
    assert.equal(await balanceOf(user.id), 0);
    await deliverOk(stripe.event("charge.refunded", stripe.refund(pi)));
    const clawbacks = (await ledgerOf(user.id)).filter((r) => r.kind === "clawback");
    assert.deepEqual(clawbacks.map((r) => r.delta), [-PLAN.credits / 2, -PLAN.credits / 2]);
  });

  test("a subscription refund before its invoice.paid is applied when the invoice comes; a failed lookup is a 502 to retry", async () => {
    const { user, subId } = await subscribed();
    const invoice = stripe.invoicePaid(subId, { billingReason: "subscription_create" });
    const refund = stripe.event("charge.refunded", stripe.refund(stripe.paymentIntentOf(invoice.id)));
    await deliverOk(refund);
    assert.equal(await outcomeOf(refund.id), "refund_before_fulfilment");

    // Stripe cannot be asked (wrong key on this Worker): the event is not applied, Stripe retries
    const paid = stripe.event("invoice.paid", invoice);
    const refused = await deliver(stripe.sign(paid), badKey);
    assert.equal(refused.status, 502, JSON.stringify(refused.body));
    assert.equal(await outcomeOf(paid.id), null, "not recorded: the retry applies it");
    await deliverOk(paid);
    assert.equal(await balanceOf(user.id), 0);
    assert.deepEqual((await ledgerOf(user.id)).map((r) => r.delta), [PLAN.credits, -PLAN.credits]);
  });

  test("a user without a subscription gets null", async () => {
    const user = await newUser(auth);
    assert.equal(await subscriptionOf(user), null);
    assert.equal((await call(main, "/me", { headers: user.headers })).body.subscription, null);
  });
});

describe("disputes", () => {
  test("buy, dispute: the credits go back; a second delivery takes nothing; won: they return, once", async () => {
    const { user, session } = await paidPack();
    await deliverOk(stripe.event("checkout.session.completed", session));
    assert.equal(await balanceOf(user.id), PACK.credits);

    const created = stripe.event("charge.dispute.created", stripe.dispute(session.payment_intent));
    await deliverOk(created);
    assert.equal(await outcomeOf(created.id), "disputed");
    assert.equal(await balanceOf(user.id), 0);
    await deliverOk(stripe.event("charge.dispute.created", stripe.dispute(session.payment_intent)));
    const updated = stripe.event("charge.dispute.updated", stripe.dispute(session.payment_intent, { status: "under_review" }));
    await deliverOk(updated);
    assert.equal(await outcomeOf(updated.id), "ignored");
    assert.equal(await balanceOf(user.id), 0);

    const won = stripe.dispute(session.payment_intent, { status: "won" });
    await deliverOk(stripe.event("charge.dispute.closed", won));
    assert.equal(await balanceOf(user.id), PACK.credits);
    const again = stripe.event("charge.dispute.closed", won);
    await deliverOk(again);
    assert.equal(await outcomeOf(again.id), "dispute_already_closed");
    assert.equal(await balanceOf(user.id), PACK.credits);
    assert.deepEqual((await ledgerOf(user.id)).map((r) => [r.kind, r.delta]), [
      ["purchase", PACK.credits],
      ["clawback", -PACK.credits],
      ["grant", PACK.credits],
    ]);
  });

  test("buy, spend, charge back: what remains is taken, never below 0; lost keeps it; won gives back only what was taken", async () => {
    const { user, session } = await paidPack();
    await deliverOk(stripe.event("checkout.session.completed", session));
    await db.sql.unsafe("select * from public.adjust_credits($1::uuid, -60, $2, 'spent')", [user.id, `spend-${user.id}`]);
    assert.equal(await balanceOf(user.id), PACK.credits - 60);

    await deliverOk(stripe.event("charge.dispute.created", stripe.dispute(session.payment_intent)));
    assert.equal(await balanceOf(user.id), 0, "never below 0");
    const lost = stripe.event("charge.dispute.closed", stripe.dispute(session.payment_intent, { status: "lost" }));
    await deliverOk(lost);
    assert.equal(await outcomeOf(lost.id), "dispute_lost");
    assert.equal(await balanceOf(user.id), 0);

    // another purchase, disputed for half, then won: the 50 taken come back
    const second = await paidPack();
    await deliverOk(stripe.event("checkout.session.completed", second.session));
    await deliverOk(stripe.event("charge.dispute.created", stripe.dispute(second.session.payment_intent, { amount: second.session.amount_total / 2 })));
    assert.equal(await balanceOf(second.user.id), PACK.credits / 2);
    await deliverOk(stripe.event("charge.dispute.closed", stripe.dispute(second.session.payment_intent, { status: "won" })));
    assert.equal(await balanceOf(second.user.id), PACK.credits);
  });

  test("a disputed subscription invoice takes its allowance back; a dispute closed won before its creation takes nothing", async () => {
    const user = await newUser(auth);
    const { session_id } = await checkout(user, { plan_id: PLAN.id });
    const session = stripe.pay(session_id);
    await deliverOk(stripe.event("checkout.session.completed", session));
    const invoice = stripe.invoicePaid(session.subscription, { billingReason: "subscription_create" });
    await deliverOk(stripe.event("invoice.paid", invoice));
    const pi = stripe.paymentIntentOf(invoice.id);
    await deliverOk(stripe.event("charge.dispute.created", stripe.dispute(pi)));
    assert.equal(await balanceOf(user.id), 0);

    const next = stripe.invoicePaid(session.subscription);
    await deliverOk(stripe.event("invoice.paid", next));
    const pi2 = stripe.paymentIntentOf(next.id);
    const closed = stripe.event("charge.dispute.closed", stripe.dispute(pi2, { status: "won" }));
    await deliverOk(closed);
    await deliverOk(stripe.event("charge.dispute.created", stripe.dispute(pi2)));
    assert.equal(await balanceOf(user.id), PLAN.credits, "a late creation of a closed dispute takes nothing");
  });
});

// --- least privilege and secrets ------------------------------------------------------------

test("the Worker's role writes billing tables only through the functions", async () => {
  const asWorker = postgres(role.url, { onnotice: () => {}, prepare: false, fetch_types: false, max: 1 });
  try {
    for (const statement of [
      "insert into public.stripe_events (id, type) values ('evt_forged', 'x')",
      "update public.user_subscriptions set status = 'active'",
      "insert into public.stripe_customers (user_id, customer_id) values (gen_random_uuid(), 'cus_forged')",
      "update public.billing_products set credits = 1000000",
      "update public.stripe_fulfilments set clawback_requested = 0",
    ]) {
      await assert.rejects(asWorker.unsafe(statement), { code: "42501" }, statement);
    }
    const [{ n }] = await asWorker.unsafe("select count(*)::int as n from public.billing_products");
    assert.ok(n >= 3, "and reads them");
  } finally {
    await asWorker.end({ timeout: 5 });
  }
});

test("no Stripe secret ever reaches the Worker's logs", () => {
  assert.ok(main.logs.length > 0, "the Worker logged");
  for (const { message } of main.logs) {
    assert.ok(!message.includes(SK) && !message.includes(WHSEC), message);
  }
});

// --- the whole flow ------------------------------------------------------------------------

test("checkout → signed webhook → GET /credits shows the pack → POST /jobs spends it", async () => {
  // A model dearer than the welcome credits: only the pack can pay for it.
  await db.sql.unsafe(
    `insert into public.models (id, provider, content_type, pricing) values ('billing-pricey', 'runpod', 'video', '{"base": 60}') on conflict do nothing`,
  );
  const user = await newUser(auth);
  const jobBody = { prompt: "a cat paying with Stripe", model: "billing-pricey" };
  const tooPoor = await call(main, "/jobs", { method: "POST", headers: user.headers, body: jobBody });
  assert.equal(tooPoor.status, 402, JSON.stringify(tooPoor.body));
  assert.equal(tooPoor.body.balance, WELCOME);

  const { session_id, url } = await checkout(user, { pack_id: PACK.id });
  assert.ok(url.startsWith("https://checkout.stripe.com/"));
  await deliverOk(stripe.event("checkout.session.completed", stripe.pay(session_id)));

  const credits = await call(main, "/credits", { headers: user.headers });
  assert.equal(credits.body.balance, WELCOME + PACK.credits);
  assert.equal(credits.body.entries[0].kind, "purchase");
  assert.equal(credits.body.entries[0].delta, PACK.credits);

  const job = await call(main, "/jobs", { method: "POST", headers: user.headers, body: jobBody });
  assert.equal(job.status, 200, JSON.stringify(job.body));
  assert.equal(job.body.provider, "runpod");
  const after = await call(main, "/credits", { headers: user.headers });
  assert.equal(after.body.balance, WELCOME + PACK.credits - 60);
  assert.equal(after.body.entries[0].kind, "reserve");
  assert.equal(after.body.entries[0].delta, -60);
  assert.equal(after.body.entries[0].job_id, job.body.job_id);
  assert.equal((await call(main, "/me", { headers: user.headers })).body.credits.balance, WELCOME + PACK.credits - 60);
});
