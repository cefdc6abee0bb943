// The benchmarked endpoints and how each target is asked for them. An endpoint's `plan(target)`
// resolves to a request source: {method, path, next()} where next() gives the headers and body
// of the following request (pools rotate, so tokens and deliveries can differ per request).
//
// Inputs come from the real client libraries: jose (via the Supabase stand-in) mints the access
// tokens, stripe's generateTestHeaderString signs the webhook deliveries.

import crypto from "node:crypto";
import Stripe from "stripe";

/** Larger than the Worker's verified-token cache (1024), so every request verifies afresh. */
const FRESH_TOKEN_POOL = 1500;
const DELIVERY_POOL = 500;
/** Stripe refuses signatures older than 5 minutes; a full run lasts longer than that. */
const RESIGN_AFTER_MS = 60_000;

function rotate(items) {
  let i = 0;
  return () => items[i++ % items.length];
}

/** A Stripe event that no handler acts on beyond recording it. */
function stripeEvent() {
  const id = `evt_${crypto.randomBytes(12).toString("hex")}`;
  return JSON.stringify({
    id,
    object: "event",
    api_version: "2024-06-20",
    created: Math.floor(Date.now() / 1000),
    type: "customer.created",
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { id: `cus_${crypto.randomBytes(7).toString("hex")}`, object: "customer", email: "bench@example.com" } },
  });
}

/** Signed deliveries in rotation, signed again (same events) once the signatures age. */
function stripeDeliveries(secret, count) {
  const payloads = Array.from({ length: count }, stripeEvent);
  const sign = () =>
    payloads.map((payload) => ({
      headers: { "content-type": "application/json", "stripe-signature": Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
      body: payload,
    }));
  let signedAt = Date.now();
  let next = rotate(sign());
  return () => {
    if (Date.now() - signedAt > RESIGN_AFTER_MS) {
      signedAt = Date.now();
      next = rotate(sign());
    }
    return next();
  };
}

async function tokens(fx, alg, count) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(await fx.auth.mint({ alg }));
  return out.map((t) => ({ headers: { authorization: `Bearer ${t}` } }));
}

/**
 * @param fx the fixture (bench/fixture.mjs)
 * @param {{quick: boolean}} o
 */
export function endpoints(fx, { quick }) {
  const freshPool = quick ? 64 : FRESH_TOKEN_POOL;
  return [
    {
      id: "health",
      label: "GET /health",
      targets: ["ours", "bare", "bare-headers", "hono", "hono-contract"],
      plan: async () => ({ method: "GET", path: "/health", next: () => ({}) }),
    },
    {
      id: "me-hs256",
      label: "GET /me HS256",
      targets: ["ours", "hono", "hono-contract"],
      plan: async () => ({ method: "GET", path: "/me", next: rotate(await tokens(fx, "HS256", 1)) }),
    },
    {
      id: "me-es256",
      label: "GET /me ES256",
      targets: ["ours", "hono", "hono-contract"],
      plan: async () => ({ method: "GET", path: "/me", next: rotate(await tokens(fx, "ES256", 1)) }),
    },
    {
      id: "me-es256-fresh",
      label: `GET /me ES256, ${freshPool} distinct tokens`,
      targets: ["ours", "hono", "hono-contract"],
      plan: async () => ({ method: "GET", path: "/me", next: rotate(await tokens(fx, "ES256", freshPool)) }),
    },
    {
      id: "webhook",
      label: "Stripe webhook",
      targets: ["ours", "hono", "hono-contract"],
      plan: async () => ({ method: "POST", path: "/webhooks/stripe", next: stripeDeliveries(fx.secrets.stripe, DELIVERY_POOL) }),
    },
  ];
}

/** One request of a plan through fetch: {status, body, headerNames} (names sorted). */
export async function sendOne(target, plan) {
  const { headers, body } = plan.next();
  const res = await target.fetch(plan.path, { method: plan.method, headers, body });
  return { status: res.status, body: await res.text(), headerNames: [...res.headers.keys()].sort() };
}
