// The usual alternative to our Worker, written the way the 002 seed's stack would: Hono routes,
// jose for Supabase access tokens, stripe's async webhook verifier, postgres.js over Hyperdrive
// (or DATABASE_URL).
// It does the same work per request as ours (same SQL, same driver settings, one client per
// request), so the benchmark compares request handling, not data access.
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
import postgres from "postgres";
import Stripe from "stripe";

type Env = {
  HYPERDRIVE?: { connectionString: string };
  DATABASE_URL?: string;
  SUPABASE_URL: string;
  SUPABASE_JWT_SECRET: string;
  STRIPE_WEBHOOK_SECRET: string;
  WELCOME_CREDITS?: string;
  HONO_CONTRACT?: string;
};
type Variables = { requestId: string; logFields: Record<string, unknown> };
type App = Hono<{ Bindings: Env; Variables: Variables }>;

const encoder = new TextEncoder();
const cryptoProvider = Stripe.createSubtleCryptoProvider();
let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

function database(env: Env) {
  // like ours: Hyperdrive in production, a direct URL where there is no binding
  return postgres(env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL ?? "", {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 5,
    idle_timeout: 0,
    onnotice: () => {},
  });
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

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : (value ?? null));

function routes(app: App): App {
  app.get("/health", (c) => c.json({ ok: true, ts: Date.now(), version: "bench-hono" }));

  app.get("/me", async (c) => {
    const claims = await verifyUser(c.env, c.req.header("authorization"));
    if (!claims?.sub) return c.json({ ok: false, error: "unauthorized" }, 401);
    c.set("logFields", { user_id: claims.sub });
    const sql = database(c.env);
    try {
      const welcome = Number(c.env.WELCOME_CREDITS ?? "10");
      const [row] = await sql.unsafe(ACCOUNT_SQL, [claims.sub, welcome]);
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
      c.executionCtx.waitUntil(sql.end({ timeout: 5 }));
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
    const sql = database(c.env);
    try {
      // the driver sends an object parameter as JSON
      const object = (event.data as { object: Record<string, unknown> }).object;
      const [row] = await sql.unsafe(
        "select public.stripe_apply_event($1::text, $2::text, $3::bigint, $4::boolean, $5::jsonb) as outcome",
        [event.id, event.type, event.created, event.livemode, object as never],
      );
      c.set("logFields", { stripe_event_id: event.id, stripe_event_type: event.type, stripe_outcome: row.outcome });
    } catch {
      return c.json({ ok: false, error: "internal" }, 500);
    } finally {
      c.executionCtx.waitUntil(sql.end({ timeout: 5 }));
    }
    return c.json({ received: true });
  });
  return app;
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
