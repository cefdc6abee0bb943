// The Stripe stand-in (harness/stripe.mjs) against Stripe's own rules, so the billing tests
// stand on a faithful double: deliveries verify with the official library's constructEvent,
// requests need the key and a form body, and Idempotency-Key replays (or refuses) like Stripe.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Stripe from "stripe";
import { startStripe, parseForm } from "./harness/stripe.mjs";

const SK = "sk_test_harness";
const WHSEC = "whsec_harness";
let stripe;

before(async () => {
  stripe = await startStripe({
    secretKey: SK,
    webhookSecret: WHSEC,
    prices: { price_pack: { unit_amount: 500 }, price_plan: { unit_amount: 900, recurring: { interval: "month" } } },
  });
});
after(() => stripe?.close());

function post(path, fields, headers = {}) {
  return fetch(`${stripe.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${SK}`, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

test("parseForm reads Stripe's nested keys", () => {
  assert.deepEqual(parseForm("a=1&line_items%5B0%5D%5Bprice%5D=p&line_items%5B0%5D%5Bquantity%5D=2&metadata%5Bk%5D=v+w"), {
    a: "1",
    line_items: [{ price: "p", quantity: "2" }],
    metadata: { k: "v w" },
  });
});

test("signed deliveries verify with the stripe library; other secrets do not", async () => {
  const evt = stripe.event("customer.created", { id: "cus_x", object: "customer" });
  const { body, header } = stripe.sign(evt);
  const lib = new Stripe(SK);
  assert.equal(lib.webhooks.constructEvent(body, header, WHSEC).id, evt.id);
  assert.throws(() => lib.webhooks.constructEvent(body, header, "whsec_other"));
  const stale = stripe.sign(evt, { timestamp: Math.floor(Date.now() / 1000) - 301 });
  assert.throws(() => lib.webhooks.constructEvent(stale.body, stale.header, WHSEC));
});

test("requests need the secret key and a form body", async () => {
  assert.equal((await post("/v1/customers", {}, { authorization: "Bearer sk_test_wrong" })).status, 401);
  const json = await fetch(`${stripe.url}/v1/customers`, {
    method: "POST",
    headers: { authorization: `Bearer ${SK}`, "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(json.status, 400);
});

test("checkout sessions check mode, price and customer, and pay() completes them", async () => {
  const customer = await (await post("/v1/customers", { "metadata[user_id]": "u1" })).json();
  assert.match(customer.id, /^cus_/);
  const base = { success_url: "https://app.example/ok", "line_items[0][quantity]": "1", customer: customer.id };
  assert.equal((await post("/v1/checkout/sessions", { ...base, mode: "payment", "line_items[0][price]": "price_none" })).status, 400);
  assert.equal((await post("/v1/checkout/sessions", { ...base, mode: "payment", "line_items[0][price]": "price_plan" })).status, 400);
  assert.equal(
    (await post("/v1/checkout/sessions", { ...base, customer: "cus_unknown", mode: "payment", "line_items[0][price]": "price_pack" })).status,
    400,
  );
  const res = await post("/v1/checkout/sessions", { ...base, mode: "payment", "line_items[0][price]": "price_pack", "metadata[pack_id]": "p" });
  assert.equal(res.status, 200);
  const session = await res.json();
  assert.equal(session.object, "checkout.session");
  assert.equal(session.payment_status, "unpaid");
  assert.deepEqual(session.metadata, { pack_id: "p" });
  const paid = stripe.pay(session.id);
  assert.equal(paid.status, "complete");
  assert.equal(paid.payment_status, "paid");
  assert.match(paid.payment_intent, /^pi_/);
  assert.equal(stripe.refund(paid.payment_intent, 100).refunded, false);
  assert.equal(stripe.refund(paid.payment_intent).refunded, true);
});

test("an Idempotency-Key replays the first answer, and refuses other parameters", async () => {
  const headers = { "idempotency-key": "k1" };
  const a = await (await post("/v1/customers", { email: "a@example.com" }, headers)).json();
  const replay = await post("/v1/customers", { email: "a@example.com" }, headers);
  assert.equal(replay.headers.get("idempotent-replayed"), "true");
  assert.equal((await replay.json()).id, a.id);
  const other = await post("/v1/customers", { email: "b@example.com" }, headers);
  assert.equal(other.status, 400);
  assert.equal((await other.json()).error.type, "idempotency_error");
});
