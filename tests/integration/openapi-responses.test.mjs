// The Worker's real answers match GET /openapi.json: for one walk over every endpoint (an admin,
// a user, anonymous callers, the noop job path), each answer's status is documented for its
// operation, and each JSON body validates against the documented schema (JSON Schema 2020-12,
// formats included, with Ajv). A status or shape the document does not describe fails here.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { startWorker } from "./harness/worker.mjs";
import { createTestDatabase } from "./harness/postgres.mjs";
import { startSupabaseAuth } from "./harness/supabase-auth.mjs";

const ADMIN = "admin-token-for-openapi-tests";
const WEBHOOK = "webhook-secret-for-openapi-tests";
const HS_SECRET = "openapi-test-legacy-jwt-secret-with-at-least-32-chars";

let db;
let auth;
let worker;
let doc;

before(async () => {
  db = await createTestDatabase({ prefix: "ag_oas" });
  auth = await startSupabaseAuth({ hsSecret: HS_SECRET });
  worker = await startWorker({
    db: db.url,
    vars: { APP_ADMIN_TOKEN: ADMIN, WEBHOOK_SECRET: WEBHOOK, SUPABASE_URL: auth.url, SUPABASE_JWT_SECRET: HS_SECRET },
  });
  doc = await SwaggerParser.dereference(await (await worker.fetch("/openapi.json")).json());
});

after(async () => {
  await worker?.stop();
  await auth?.close();
  await db?.drop();
});

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
let validatedBodies = 0;

/**
 * One request against a documented operation; asserts its status is documented there and its
 * JSON body matches the schema. Answers the parsed body.
 */
async function conforming(method, template, { path = template, token, headers = {}, body, status }) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== "string") h["content-type"] = "application/json";
  const res = await worker.fetch(path, { method, headers: h, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  const what = `${method} ${path} → ${res.status} ${text.slice(0, 300)}`;
  assert.equal(res.status, status, what);
  const operation = doc.paths[template]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${template} is not documented`);
  const documented = operation.responses[String(res.status)] ?? operation.responses.default;
  assert.ok(documented, `${what}: status not documented (documented: ${Object.keys(operation.responses)})`);
  const schema = documented.content?.["application/json"]?.schema;
  if (!schema || method === "HEAD") return null;
  const json = JSON.parse(text);
  const validate = ajv.compile(schema);
  assert.ok(validate(json), `${what}\ndoes not match the documented schema: ${ajv.errorsText(validate.errors)}`);
  validatedBodies++;
  return json;
}

test("every endpoint's answers (success, noop and errors) are documented with their shapes", async () => {
  const userId = crypto.randomUUID();
  const user = await auth.mint({ alg: "HS256", claims: { sub: userId, email: "oas@example.com" } });
  const key = `users/${userId}/doc.txt`;

  await conforming("GET", "/health", { status: 200 });
  await conforming("GET", "/health", { path: "/health?deep=1", token: ADMIN, status: 200 });
  await conforming("GET", "/health", { path: "/health?deep=1", status: 401 });
  await conforming("GET", "/openapi.json", { status: 200 });
  await conforming("GET", "/models", { status: 200 });

  await conforming("GET", "/me", { token: user, status: 200 });
  await conforming("GET", "/me", { status: 401 });
  await conforming("GET", "/me", { token: "not-a-jwt", status: 401 });
  await conforming("GET", "/credits", { token: user, status: 200 });
  await conforming("GET", "/credits", { path: `/credits?user_id=${crypto.randomUUID()}`, token: user, status: 403 });
  await conforming("GET", "/credits/ledger", { path: "/credits/ledger?limit=2", token: user, status: 200 });
  const grant = { user_id: userId, amount: 5, reason: "openapi test", idempotency_key: `oas-${userId}` };
  await conforming("POST", "/admin/credits", { token: ADMIN, body: grant, status: 200 });
  await conforming("POST", "/admin/credits", { token: ADMIN, body: { ...grant, amount: 6 }, status: 422 });
  await conforming("POST", "/admin/credits", { token: user, body: grant, status: 403 });

  await conforming("PUT", "/assets/{key}", {
    path: `/assets/${key}`,
    token: user,
    headers: { "content-type": "text/plain" },
    body: "documented",
    status: 200,
  });
  await conforming("PUT", "/assets/{key}", {
    path: `/assets/users/${crypto.randomUUID()}/x.txt`,
    token: user,
    headers: { "content-type": "text/plain" },
    body: "x",
    status: 403,
  });
  await conforming("GET", "/assets/{key}", { path: `/assets/${key}`, token: user, status: 200 });
  await conforming("GET", "/assets/{key}", { path: `/assets/${key}`, status: 401 });
  await conforming("GET", "/assets/{key}", { path: "/assets/no-such-asset.txt", status: 404 });
  await conforming("GET", "/assets/{key}", {
    path: `/assets/${key}`,
    token: user,
    headers: { range: "bytes=100-" },
    status: 416,
  });
  await conforming("HEAD", "/assets/{key}", { path: `/assets/${key}`, token: user, status: 200 });
  await conforming("GET", "/assets", { token: user, status: 200 });
  await conforming("GET", "/assets", { path: "/assets?limit=0", token: user, status: 400 });
  await conforming("POST", "/assets/sign", { token: user, body: { key, expires_in: 60 }, status: 200 });
  await conforming("POST", "/assets/sign", { token: user, body: { key, expires_in: 0 }, status: 400 });
  await conforming("DELETE", "/assets/{key}", { path: `/assets/${key}`, token: user, status: 200 });

  const created = await conforming("POST", "/jobs", { token: user, body: { prompt: "a documented cat" }, status: 202 });
  await conforming("POST", "/jobs", { token: user, body: { prompt: "" }, status: 400 });
  await conforming("GET", "/jobs/{id}", { path: `/jobs/${created.job_id}`, token: user, status: 200 });
  await conforming("GET", "/jobs/{id}", { path: `/jobs/${crypto.randomUUID()}`, token: user, status: 404 });
  await conforming("GET", "/jobs", { path: "/jobs?limit=5", token: user, status: 200 });
  await conforming("POST", "/jobs/{id}/cancel", { path: `/jobs/${created.job_id}/cancel`, token: user, status: 409 });

  await conforming("POST", "/webhooks/test", { headers: { "x-webhook-secret": WEBHOOK }, body: { test: true }, status: 200 });
  await conforming("POST", "/webhooks/test", { body: { test: true }, status: 401 });
  await conforming("POST", "/webhooks/runpod/{job_id}", {
    path: `/webhooks/runpod/${created.job_id}?token=wrong`,
    body: { id: "x", status: "COMPLETED" },
    status: 401,
  });
  const apiKey = await conforming("POST", "/keys", { token: user, body: { name: "documented" }, status: 201 });
  await conforming("POST", "/keys", { token: user, body: { name: "" }, status: 400 });
  await conforming("POST", "/keys", { token: apiKey.secret, body: { name: "by a key" }, status: 403 });
  await conforming("GET", "/keys", { token: user, status: 200 });
  await conforming("GET", "/keys", { status: 401 });
  await conforming("GET", "/jobs", { path: "/jobs?limit=1", token: apiKey.secret, status: 200 });
  await conforming("GET", "/v1/models", { token: apiKey.secret, status: 200 });
  await conforming("GET", "/v1/models", { status: 401 });
  // no RunPod here: the job would be the noop, refused as a model with no provider
  await conforming("POST", "/v1/images/generations", { token: apiKey.secret, body: { model: "runpod-video", prompt: "a cat" }, status: 400 });
  await conforming("POST", "/v1/chat/completions", { token: apiKey.secret, body: { model: "runpod-video", messages: [] }, status: 400 });
  await conforming("POST", "/v1/audio/speech", { token: ADMIN, body: { model: "runpod-video", input: "hi" }, status: 403 });
  await conforming("DELETE", "/keys/{id}", { path: `/keys/${apiKey.id}`, token: user, status: 200 });
  await conforming("DELETE", "/keys/{id}", { path: `/keys/${apiKey.id}`, token: user, status: 404 });
  await conforming("GET", "/jobs", { path: "/jobs?limit=1", token: apiKey.secret, status: 401 });
  assert.ok(validatedBodies >= 45, `only ${validatedBodies} bodies validated`);
});

test("the conformance check can fail: an answer outside its documented schema is caught", async () => {
  const operation = doc.paths["/health"].get;
  const validate = ajv.compile(operation.responses["200"].content["application/json"].schema);
  assert.equal(validate({ ok: "yes" }), false);
  assert.equal(operation.responses["418"], undefined);
});
