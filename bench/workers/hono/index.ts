// The usual alternative to our Worker, written the way the 002 seed's stack would: Hono routes,
// jose for Supabase access tokens, stripe's async webhook verifier, postgres.js over Hyperdrive
// (or DATABASE_URL).
// It does the same work per request as ours (same SQL statements in the same order, one client
// per request), so the benchmark compares request handling, not data access. It validates only
// what the benchmark sends: it is a baseline, not a second implementation of the API.
//
// With HONO_DRIVER=pg it talks to Postgres through node-postgres, as ours' shim does (one round
// trip per statement), instead of postgres.js (two): the bench's "hono-pg" target, which tells
// the driver's share of a difference from the design's.
//
// With HONO_CONTRACT set (the bench's "hono-contract" target) every answer also follows ours'
// response contract, written as a Hono app would: hono's requestId and secureHeaders
// middlewares send the headers ours sends (App::finish in src/api/app.cpp), and one middleware
// prints the same access line (a logged object, as ours' shim prints the core's).
// bench.test.mjs checks that the header names match ours'.
import { Hono, type MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import pg from "pg";
import postgres from "postgres";
import Stripe from "stripe";

type Env = {
  HYPERDRIVE?: { connectionString: string };
  DATABASE_URL?: string;
  SUPABASE_URL: string;
  SUPABASE_JWT_SECRET: string;
  STRIPE_WEBHOOK_SECRET: string;
  WELCOME_CREDITS?: string;
  JOBS_PER_HOUR?: string;
  RUNPOD_API_KEY?: string;
  RUNPOD_ENDPOINT_ID?: string;
  RUNPOD_API_BASE?: string;
  HONO_CONTRACT?: string;
  HONO_DRIVER?: string;
};
type Variables = { requestId: string; logFields: Record<string, unknown> };
type App = Hono<{ Bindings: Env; Variables: Variables }>;

const encoder = new TextEncoder();
const cryptoProvider = Stripe.createSubtleCryptoProvider();
let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

type Row = Record<string, unknown>;
/** A request's database client: statements in order, background ones included; `end` closes
 *  it once every statement sent so far is answered. */
type Db = { query(text: string, params: unknown[]): Promise<Row[]>; end(): Promise<void> };

function database(env: Env): Db {
  // like ours: Hyperdrive in production, a direct URL where there is no binding
  const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL ?? "";
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    pending.add(p);
    p.catch(() => {}).finally(() => pending.delete(p));
    return p;
  };
  if (env.HONO_DRIVER === "pg") {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    const connected = client.connect();
    client.on("error", () => {});
    return {
      query: (text, params) => track(connected.then(() => client.query(text, params)).then((r) => r.rows as Row[])),
      end: async () => {
        await Promise.allSettled(pending);
        await client.end();
      },
    };
  }
  const sql = postgres(url, {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 5,
    idle_timeout: 0,
    onnotice: () => {},
  });
  return {
    query: (text, params) => track(sql.unsafe(text, params as never) as unknown as Promise<Row[]>),
    end: () => sql.end({ timeout: 5 }),
  };
}

async function verifyUser(env: Env, authorization: string | undefined): Promise<JWTPayload | null> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (!token) return null;
  const issuer = `${env.SUPABASE_URL}/auth/v1`;
  const options = { issuer, audience: "authenticated", clockTolerance: 30 };
  try {
    if (decodeProtectedHeader(token).alg === "HS256") {
      return (await jwtVerify(token, encoder.encode(env.SUPABASE_JWT_SECRET), { ...options, algorithms: ["HS256"] })).payload;
    }
    jwks ??= createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    return (await jwtVerify(token, jwks, { ...options, algorithms: ["ES256", "RS256"] })).payload;
  } catch {
    return null;
  }
}

/** The access line of ours (src/api/app.cpp, App::finish), with what the handler added. */
const accessLine: MiddlewareHandler<{ Bindings: Env; Variables: Variables }> = async (c, next) => {
  const started = Date.now();
  await next();
  if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  console.log({
    level: "info",
    msg: "request",
    ...c.get("logFields"),
    request_id: c.get("requestId"),
    method: c.req.method,
    route: c.req.routePath,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
  });
};

/** Ours' headers: a request id, and the security headers App::finish sends. */
function useContract(app: App) {
  app.use(accessLine);
  app.use(requestId({ generator: () => crypto.randomUUID().replaceAll("-", "") }));
  app.use(
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], sandbox: [] },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
      strictTransportSecurity: "max-age=31536000; includeSubDomains",
      xContentTypeOptions: "nosniff",
      crossOriginResourcePolicy: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
      xDnsPrefetchControl: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
      xXssProtection: false,
    }),
  );
}

// GET /me's statement, as ours sends it (src/billing/store.cpp): the balance (which may make
// the welcome grant) beside the caller's current subscription, in one round trip.
const ACCOUNT_SQL =
  "select public.user_credits($1::uuid, $2::integer) as balance, s.* from (values (1)) as one left join lateral (" +
  "select subscription_id, status, plan_id, price_id, current_period_end, cancel_at_period_end, payment_failed_at " +
  "from public.user_subscriptions where user_id = $1::uuid " +
  "order by status in ('active', 'trialing', 'past_due') desc, updated_at desc limit 1) as s on true";

const welcome = (env: Env) => Number(env.WELCOME_CREDITS ?? "10");
const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : (value ?? null));

function routes(app: App): App {
  app.get("/health", (c) => c.json({ ok: true, ts: Date.now(), version: "bench-hono" }));

  app.get("/me", async (c) => {
    const claims = await verifyUser(c.env, c.req.header("authorization"));
    if (!claims?.sub) return c.json({ ok: false, error: "unauthorized" }, 401);
    c.set("logFields", { user_id: claims.sub });
    const db = database(c.env);
    try {
      const [row] = await db.query(ACCOUNT_SQL, [claims.sub, welcome(c.env)]);
      const subscription = row.subscription_id
        ? {
            subscription_id: row.subscription_id,
            status: row.status,
            plan_id: row.plan_id,
            price_id: row.price_id,
            current_period_end: iso(row.current_period_end),
            cancel_at_period_end: row.cancel_at_period_end === true,
            payment_failed_at: iso(row.payment_failed_at),
          }
        : null;
      return c.json({
        ok: true,
        user: { id: claims.sub, email: claims.email ?? null, role: claims.role ?? null },
        credits: { balance: Number(row.balance) },
        subscription,
      });
    } finally {
      c.executionCtx.waitUntil(db.end());
    }
  });

  app.post("/webhooks/stripe", async (c) => {
    const payload = await c.req.text();
    let event: Stripe.Event;
    try {
      event = await Stripe.webhooks.constructEventAsync(
        payload,
        c.req.header("stripe-signature") ?? "",
        c.env.STRIPE_WEBHOOK_SECRET,
        undefined,
        cryptoProvider,
      );
    } catch {
      return c.json({ ok: false, error: "invalid_signature" }, 400);
    }
    // Like ours: the event is recorded and applied before the answer, by the same SQL function,
    // so that a failure is a 5xx and Stripe delivers it again.
    const db = database(c.env);
    try {
      // both drivers send an object parameter as JSON
      const object = (event.data as { object: Record<string, unknown> }).object;
      const [row] = await db.query(
        "select public.stripe_apply_event($1::text, $2::text, $3::bigint, $4::boolean, $5::jsonb) as outcome",
        [event.id, event.type, event.created, event.livemode, object],
      );
      c.set("logFields", { stripe_event_id: event.id, stripe_event_type: event.type, stripe_outcome: row.outcome });
    } catch {
      return c.json({ ok: false, error: "internal" }, 500);
    } finally {
      c.executionCtx.waitUntil(db.end());
    }
    return c.json({ received: true });
  });
  jobRoutes(app);
  return app;
}

// The statements of GET /credits, POST /jobs, GET /jobs/:id and RunPod's callback, as ours
// sends them (src/credits/store.cpp, src/jobs/store.cpp, src/db/events.cpp, src/jobs/delivery.cpp).
const CREDITS_SQL =
  "select balance, id, delta, kind, reason, job_id, created_at " +
  "from public.credits_overview($1::uuid, $2::integer, $3::integer)";
const CREATE_JOB_SQL =
  "select c.*, m.id as model_id, m.provider as model_provider, m.endpoint_id as model_endpoint_id, " +
  "coalesce(m.provider_model, m.id) as model_provider_model, m.content_type as model_content_type, " +
  "f.id as fallback_model, f.provider as fallback_provider, f.endpoint_id as fallback_endpoint_id, " +
  "coalesce(f.provider_model, f.id) as fallback_provider_model " +
  "from public.create_job($1::uuid, $2::text, $3::jsonb, $4::integer, $5::integer, " +
  "$6::text, $7::text, $8::text, $9::integer, $10::text, p_providers => $11::text[], " +
  "p_cost => $12::integer, p_model_revision => $13::bigint, p_text_per_minute => $14::integer) c " +
  "left join public.models m on m.id = $2::text " +
  "left join public.models f on f.id = m.fallback_model and f.enabled";
// Ours reads the enabled models once per isolate (src/models/catalog.cpp) and prices a job
// from them; the twin does the same read, and prices flat models only (pricing.base).
const MODELS_SQL =
  "select id, provider, content_type, is_default, revision, input_schema, input_map, pricing " +
  "from public.models where enabled order by is_default desc, id";
const CATALOG_TTL_MS = 30_000;
let catalog: { readAt: number; rows: Row[] } | null = null;
const TRANSITION_SQL =
  "select applied, status, refunded, charged_credits from public.transition_job($1::uuid, $2::text, " +
  "$3::jsonb, $4::jsonb, $5::integer, $6::jsonb, $7::bigint)";
const FIND_JOB_SQL =
  "select id, user_id, status, model, run_model, content_type, cost_credits, " +
  "public.job_charged_credits(id, status) as charged_credits, provider, provider_job_id, result, error, outputs, " +
  "created_at, updated_at, finished_at, webhook_token_hash, provider_endpoint_id, enqueued_at " +
  "from public.jobs where id = $1::uuid";
const INSERT_EVENT_SQL = "insert into public.events (event_id, type, payload) values ($1::uuid, $2, $3::jsonb)";
const CLAIM_WEBHOOKS_SQL = "select * from public.claim_job_webhooks($1::uuid, $2::integer)";

const RECENT_ENTRIES = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUNPOD_STATUS: Record<string, string> = {
  IN_QUEUE: "submitted",
  IN_PROGRESS: "running",
  COMPLETED: "completed",
  FAILED: "failed",
  CANCELLED: "cancelled",
  TIMED_OUT: "timed_out",
};
const isOpen = (status: unknown) => status === "queued" || status === "submitted" || status === "running";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function jobRoutes(app: App) {
  app.get("/credits", async (c) => {
    const claims = await verifyUser(c.env, c.req.header("authorization"));
    if (!claims?.sub) return c.json({ ok: false, error: "unauthorized" }, 401);
    c.set("logFields", { user_id: claims.sub });
    const db = database(c.env);
    try {
      const rows = await db.query(CREDITS_SQL, [claims.sub, welcome(c.env), RECENT_ENTRIES]);
      // a user without entries is one row whose entry columns are null
      const entries = rows.filter((r) => r.id !== null).map((r) => ({
        id: Number(r.id),
        delta: Number(r.delta),
        kind: r.kind,
        reason: r.reason ?? null,
        job_id: r.job_id ?? null,
        created_at: iso(r.created_at),
      }));
      return c.json({ ok: true, balance: Number(rows[0].balance), entries });
    } finally {
      c.executionCtx.waitUntil(db.end());
    }
  });

  // Reserve and record (one call), submit to RunPod, record the submission with its answer.
  app.post("/jobs", async (c) => {
    const claims = await verifyUser(c.env, c.req.header("authorization"));
    if (!claims?.sub) return c.json({ ok: false, error: "unauthorized" }, 401);
    c.set("logFields", { user_id: claims.sub });
    let body: { prompt?: unknown; model?: string; input?: Record<string, unknown> };
    try {
      body = await c.req.json();
    } catch {
      return c.json({ ok: false, error: "invalid_request" }, 400);
    }
    if (typeof body?.prompt !== "string" || body.prompt.length === 0) {
      return c.json({ ok: false, error: "invalid_request" }, 400);
    }
    const payload = JSON.stringify(body);
    const token = randomHex(16);
    const db = database(c.env);
    try {
      if (!catalog || Date.now() - catalog.readAt >= CATALOG_TTL_MS) {
        catalog = { readAt: Date.now(), rows: await db.query(MODELS_SQL, []) };
      }
      const model = catalog.rows.find((m) => (body.model ? m.id === body.model : m.is_default));
      if (!model) return c.json({ ok: false, error: "invalid_request" }, 400);
      const cost = Math.ceil(Number((model.pricing as { base?: number }).base ?? 0));
      const input = { prompt: body.prompt };
      const stored = { input, provider_input: input, ...(body.model ? { model: body.model } : {}) };
      // both drivers send an object parameter as JSON
      const [created] = await db.query(CREATE_JOB_SQL, [
        claims.sub, model.id, stored, Number(c.env.JOBS_PER_HOUR ?? "10"), welcome(c.env), claims.sub,
        c.req.header("idempotency-key") ?? null, await sha256Hex(payload), 7200, await sha256Hex(token), "{runpod}",
        cost, model.revision, Number(c.env.TEXT_REQUESTS_PER_MINUTE ?? "60"),
      ]);
      if (created.outcome !== "created") return c.json({ ok: false, error: created.outcome }, 409);
      const jobId = String(created.job_id);
      const endpoint = (created.model_endpoint_id as string | null) || c.env.RUNPOD_ENDPOINT_ID;
      const sent = { ...input, ...(body.model ? { model: body.model } : {}) };
      const webhook = `${new URL(c.req.url).origin}/webhooks/runpod/${jobId}?token=${token}`;
      const reply = await fetch(`${c.env.RUNPOD_API_BASE}/${endpoint}/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${c.env.RUNPOD_API_KEY}`, accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ input: sent, webhook }),
      });
      const state = reply.ok ? ((await reply.json()) as Row) : null;
      if (!state?.id) return c.json({ ok: false, error: "provider_error", job_id: jobId }, 502);
      const answer = {
        ok: true, status: "submitted", provider: "runpod", provider_job_id: state.id, job_id: jobId, result: state,
        cost_credits: Number(created.cost_credits), balance: created.balance === null ? null : Number(created.balance),
      };
      await db.query(TRANSITION_SQL, [
        jobId, "submitted", { source: "submit" },
        { provider: "runpod", provider_job_id: state.id, provider_endpoint_id: created.model_endpoint_id ?? null,
          run_model: created.model_id, result: state },
        200, answer, null,
      ]);
      return c.json(answer);
    } finally {
      c.executionCtx.waitUntil(db.end());
    }
  });

  app.get("/jobs/:id", async (c) => {
    const claims = await verifyUser(c.env, c.req.header("authorization"));
    if (!claims?.sub) return c.json({ ok: false, error: "unauthorized" }, 401);
    c.set("logFields", { user_id: claims.sub });
    const id = c.req.param("id");
    const db = database(c.env);
    try {
      const [row] = UUID.test(id) ? await db.query(FIND_JOB_SQL, [id]) : [];
      if (!row || row.user_id !== claims.sub) return c.json({ ok: false, error: "not_found" }, 404);
      // a finished job: nothing to ask RunPod
      return c.json({
        ok: true,
        status: row.status,
        model: row.model,
        run_model: row.run_model,
        content_type: row.content_type,
        provider: row.provider,
        provider_job_id: row.provider_job_id,
        result: row.result,
        error: row.error,
        outputs: row.outputs ?? [],
        created_at: iso(row.created_at),
        updated_at: iso(row.updated_at),
        finished_at: iso(row.finished_at),
        job_id: row.id,
        user_id: row.user_id,
        cost_credits: Number(row.cost_credits),
        charged_credits: row.charged_credits === null ? null : Number(row.charged_credits),
      });
    } finally {
      c.executionCtx.waitUntil(db.end());
    }
  });

  // RunPod's callback: the job's token checked against its hash, the new status recorded, the
  // delivery logged and a finished job's webhooks claimed in the background.
  app.post("/webhooks/runpod/:job_id", async (c) => {
    const id = c.req.param("job_id");
    const db = database(c.env);
    try {
      const [row] = UUID.test(id) ? await db.query(FIND_JOB_SQL, [id]) : [];
      const token = c.req.query("token");
      const expected = row?.webhook_token_hash as string | undefined;
      if (!expected || !token || !timingSafeEqualText(await sha256Hex(token), expected)) {
        return c.json({ ok: false, error: "unauthorized" }, 401);
      }
      const state = (await c.req.json()) as Row;
      const next = RUNPOD_STATUS[String(state.status)];
      if (!next) return c.json({ ok: false, error: "invalid_request" }, 400);
      const detail = { source: "webhook", provider_status: state.status };
      const fields = { provider_job_id: state.id, result: state };
      if (row.status === "queued" && next !== "submitted") {
        await db.query(TRANSITION_SQL, [id, "submitted", detail, fields, null, null, null]);
      }
      const [applied] = await db.query(TRANSITION_SQL, [id, next, detail, fields, null, null, null]);
      // ours sends its log of the delivery once the transition is answered, in the background
      const headers = Object.fromEntries(c.req.raw.headers);
      c.executionCtx.waitUntil(db.query(INSERT_EVENT_SQL, [crypto.randomUUID(), c.req.path, { headers, body: state }]));
      // ours puts the delivery on its Queue, whose consumer (the same Worker) makes this claim
      if (applied.applied && !isOpen(applied.status)) c.executionCtx.waitUntil(db.query(CLAIM_WEBHOOKS_SQL, [id, 50]));
      return c.json({ ok: true, received: true, applied: applied.applied, status: applied.status });
    } finally {
      c.executionCtx.waitUntil(db.end());
    }
  });
}

function buildApp(contract: boolean): App {
  const app: App = new Hono();
  if (contract) useContract(app);
  return routes(app);
}

const plain = buildApp(false);
const withContract = buildApp(true);

export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) =>
    (env.HONO_CONTRACT ? withContract : plain).fetch(request, env, ctx),
};
