// The benchmarked endpoints and how each target is asked for them. An endpoint's `plan(target)`
// resolves to a request source: {method, path, next()} where next() gives the headers and body
// of the following request (pools rotate, so tokens and deliveries can differ per request), and
// may give its path too. A plan with `prepare(count)` needs it awaited before `count` requests
// (RunPod's callbacks: each needs a job of its own, still open).
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

async function sendJson(target, method, path, headers, body) {
  const res = await target.fetch(path, { method, headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} on ${target.name} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * The endpoints of jobs and credits, which the latency and work sections measure (all with
 * the user's HS256 token):
 *   jobs-create     POST /jobs: the job recorded, submitted to the RunPod stand-in, recorded again
 *   job-get         GET /jobs/:id of a finished job (completed by its callback during the plan)
 *   credits         GET /credits
 *   runpod-callback RunPod's callback completing a job just submitted (a fresh one per request,
 *                   made by `prepare` through the same target, with the token RunPod was given)
 */
export function jobEndpoints(fx) {
  const user = async () => (await tokens(fx, "HS256", 1))[0].headers;
  /** Submits a job through `target`; its id and RunPod's copy of it (with the callback URL). */
  const submit = async (target, auth) => {
    const answer = await sendJson(target, "POST", "/jobs", auth, { prompt: "a benchmark job" });
    const job = fx.runpod.jobs.get(answer.provider_job_id);
    const callback = new URL(job.webhook);
    return { jobId: answer.job_id, providerJobId: job.id, callbackPath: `${callback.pathname}${callback.search}` };
  };
  const completion = (job) => ({ id: job.providerJobId, status: "COMPLETED", delayTime: 10, executionTime: 20 });
  const targets = ["ours", "hono", "hono-contract", "hono-pg"];
  return [
    {
      id: "jobs-create",
      label: "POST /jobs",
      targets,
      plan: async () => {
        const auth = await user();
        const body = JSON.stringify({ prompt: "a benchmark job" });
        return { method: "POST", path: "/jobs", next: () => ({ headers: { ...auth, "content-type": "application/json" }, body }) };
      },
    },
    {
      id: "job-get",
      label: "GET /jobs/:id (finished)",
      targets,
      plan: async (target) => {
        const auth = await user();
        const job = await submit(target, auth);
        await sendJson(target, "POST", job.callbackPath, {}, completion(job));
        return { method: "GET", path: `/jobs/${job.jobId}`, next: () => ({ headers: auth }) };
      },
    },
    {
      id: "credits",
      label: "GET /credits",
      targets,
      plan: async () => ({ method: "GET", path: "/credits", next: rotate([{ headers: await user() }]) }),
    },
    {
      id: "runpod-callback",
      label: "RunPod callback (completes a job)",
      targets,
      plan: async (target) => {
        const auth = await user();
        const open = [];
        const prepare = async (count) => {
          while (open.length < count) open.push(await submit(target, auth));
        };
        return {
          method: "POST",
          path: "/webhooks/runpod/:job_id", // each request's own path comes from next()
          prepare,
          next: () => {
            const job = open.shift();
            if (!job) throw new Error("RunPod callback plan: prepare() it before each request");
            return { path: job.callbackPath, headers: { "content-type": "application/json" }, body: JSON.stringify(completion(job)) };
          },
        };
      },
    },
  ];
}

/** One request of a plan through fetch: {status, body, headerNames} (names sorted); a plan
 *  with `prepare` must have been prepared for it. */
export async function sendOne(target, plan) {
  const { headers, body, path = plan.path } = plan.next();
  const res = await target.fetch(path, { method: plan.method, headers, body });
  return { status: res.status, body: await res.text(), headerNames: [...res.headers.keys()].sort() };
}
