// The admin models API (GET /admin/models, PUT and DELETE /admin/models/:id) through the real
// Worker against real PostgreSQL: create, replace, the one-default rule, disabling, and jobs on
// what it wrote (a Replicate model made by PUT runs on the Replicate stand-in).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { call, newUser } from "./harness/http.mjs";
import { startReplicateRig } from "./harness/provider-rig.mjs";

let rig;
let db;
let auth;
let replicate;
let worker;
let ADMIN;

before(async () => {
  rig = await startReplicateRig({ prefix: "ag_models" });
  ({ db, auth, replicate, worker, admin: ADMIN } = rig);
});

after(async () => {
  await rig?.close();
});

const put = (id, body, token = ADMIN) => call(worker, `/admin/models/${id}`, { method: "PUT", token, body });
const del = (id, token = ADMIN) => call(worker, `/admin/models/${id}`, { method: "DELETE", token });
const adminList = async () => (await call(worker, "/admin/models", { token: ADMIN })).body.models;
const publicIds = async () => (await call(worker, "/models")).body.models.map((m) => m.id);
const defaultIds = async () => (await adminList()).filter((m) => m.default).map((m) => m.id);
// What a model that declares no inputs takes (src/inputs/schema.cpp's default_schema).
const DEFAULT_SCHEMA = {
  type: "object", required: ["prompt"], additionalProperties: false,
  properties: { prompt: { type: "string", minLength: 1, maxLength: 4000 } },
};
const FLUX = { provider: "replicate", provider_model: "black-forest-labs/flux-schnell", content_type: "image", pricing: { base: 2 } };

describe("admin models", () => {
  test("only the admin: no token 401, a user 403", async () => {
    const user = await newUser(auth);
    assert.equal((await call(worker, "/admin/models")).status, 401);
    assert.equal((await call(worker, "/admin/models", { token: user.token })).status, 403);
    assert.equal((await put("x", FLUX, user.token)).status, 403);
    assert.equal((await del("runpod-image", user.token)).status, 403);
  });

  test("PUT creates (201) then replaces (200); GET lists every model with the document's fields", async () => {
    const created = await put("flux-schnell", FLUX);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.created, true);
    assert.deepEqual(
      { ...created.body.model, created_at: undefined },
      {
        id: "flux-schnell", ...FLUX, input_schema: null, input_map: null, enabled: true, default: false,
        endpoint_id: null, fallback_model: null, max_attempts: 1, revision: 1, created_at: undefined,
      },
    );
    const replaced = await put("flux-schnell", { ...FLUX, pricing: { base: 3 } });
    assert.equal(replaced.status, 200, replaced.text);
    assert.equal(replaced.body.created, false);
    assert.deepEqual(replaced.body.model.pricing, { base: 3 });
    assert.equal(replaced.body.model.revision, 2, "every save is a new revision");
    assert.equal(replaced.body.model.created_at, created.body.model.created_at);

    const listed = (await adminList()).find((m) => m.id === "flux-schnell");
    assert.deepEqual(listed, replaced.body.model);
    const shown = (await call(worker, "/models")).body.models.find((m) => m.id === "flux-schnell");
    assert.deepEqual(shown, {
      id: "flux-schnell", provider: "replicate", content_type: "image", cost_credits: 3, default: false,
      input_schema: DEFAULT_SCHEMA, pricing: { base: 3 },
    });
  });

  test("bad ids and documents are 400 naming the field, and change nothing", async () => {
    const before = await adminList();
    for (const [id, body, field] of [
      ["bad%20id", FLUX, "model id"],
      ["m1", { ...FLUX, provider: "modal" }, "provider"],
      ["m1", { ...FLUX, content_type: "3d" }, "content_type"],
      ["m1", { ...FLUX, pricing: { base: -1 } }, "pricing.base"],
      ["m1", { ...FLUX, pricing: undefined }, "pricing is required"],
      ["m1", { ...FLUX, pricing: { base: 1, per: { steps: 1 } } }, "pricing.per.steps"],
      ["m1", { ...FLUX, input_schema: { type: "object", properties: { a: { type: "array" } } } }, "input_schema"],
      ["m1", { ...FLUX, input_map: { nope: "x" } }, "input_map.nope"],
      ["m1", { ...FLUX, provider_model: "a//b" }, "provider_model"],
      ["m1", { ...FLUX, fallback: "x" }, "unknown field fallback"],
      ["m1", { ...FLUX, fallback_model: "m1" }, "fallback_model"],
      ["m1", { ...FLUX, fallback_model: "no-such-model" }, "fallback_model"],
      ["m1", { ...FLUX, fallback_model: "runpod-video" }, "fallback_model"],
      ["m1", { ...FLUX, endpoint_id: "ep" }, "endpoint_id"],
      ["m1", { ...FLUX, default: true, enabled: false }, "default model must be enabled"],
    ]) {
      const res = await put(id, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.ok(res.body.message.includes(field), `${field}: ${res.body.message}`);
    }
    assert.deepEqual(await adminList(), before);
  });

  test("exactly one enabled default: PUT default moves the mark; the default cannot be disabled or unmarked", async () => {
    assert.deepEqual(await defaultIds(), ["runpod-video"]);
    const marked = await put("flux-default", { ...FLUX, default: true });
    assert.equal(marked.status, 201, marked.text);
    assert.deepEqual(await defaultIds(), ["flux-default"]);
    assert.equal((await call(worker, "/models")).body.models[0].id, "flux-default", "the default is listed first");

    const unmark = await put("flux-default", { ...FLUX, default: false });
    assert.equal(unmark.status, 409, unmark.text);
    assert.equal(unmark.body.error, "conflict");
    const disable = await del("flux-default");
    assert.equal(disable.status, 409, disable.text);
    assert.deepEqual(await defaultIds(), ["flux-default"]);

    // concurrent moves of the mark still leave exactly one default
    const moves = await Promise.all(
      ["runpod-video", "runpod-image", "flux-default"].map((id) =>
        put(id, { provider: id.startsWith("runpod") ? "runpod" : "replicate", content_type: "image", pricing: { base: 1 }, default: true }),
      ),
    );
    for (const res of moves) assert.ok([200, 201].includes(res.status), res.text);
    assert.equal((await defaultIds()).length, 1);
    assert.equal((await put("runpod-video", { provider: "runpod", content_type: "video", pricing: { base: 1 }, default: true })).status, 200);
    assert.deepEqual(await defaultIds(), ["runpod-video"]);
  });

  test("DELETE disables: the public list drops it, new jobs cannot name it, its jobs keep it; unknown is 404", async () => {
    await put("flux-old", FLUX);
    const user = await newUser(auth);
    const job = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: "flux-old" } });
    assert.equal(job.status, 200, job.text);
    assert.equal(job.body.provider, "replicate");

    const gone = await del("flux-old");
    assert.equal(gone.status, 200, gone.text);
    assert.equal(gone.body.model.enabled, false);
    assert.equal((await del("flux-old")).status, 200, "disabling again is fine");
    assert.ok(!(await publicIds()).includes("flux-old"));
    assert.ok((await adminList()).some((m) => m.id === "flux-old" && !m.enabled));
    const refused = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: "flux-old" } });
    assert.equal(refused.status, 400, refused.text);
    const kept = await call(worker, `/jobs/${job.body.job_id}`, { token: user.token });
    assert.equal(kept.body.model, "flux-old");
    assert.equal((await del("no-such-model")).status, 404);
  });

  test("a Replicate model made by PUT runs on Replicate as its provider_model", async () => {
    await put("flux-api", { ...FLUX, provider_model: "stability-ai/sdxl:39ed52f2a78e" });
    const user = await newUser(auth);
    const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: "flux-api" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(replicate.predictions.get(res.body.provider_job_id).version, "39ed52f2a78e");
  });

  test("failover: a submission refused for infrastructure reasons goes to the fallback, at the chosen model's price", async () => {
    assert.equal((await put("flux-backup", { ...FLUX, provider_model: "backup/flux", pricing: { base: 1 } })).status, 201);
    assert.equal((await put("flux-main", { ...FLUX, pricing: { base: 4 }, fallback_model: "flux-backup" })).status, 201);
    // the fallback must keep making what flux-main makes
    const retyped = await put("flux-backup", { ...FLUX, content_type: "video" });
    assert.equal(retyped.status, 400, retyped.text);
    assert.match(retyped.body.message, /fallback_model/);

    const user = await newUser(auth);
    replicate.failNext({ status: 503, body: { detail: "Service Unavailable" } });
    const res = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: "flux-main" } });
    assert.equal(res.status, 200, res.text);
    assert.equal(replicate.predictions.get(res.body.provider_job_id).model, "backup/flux");
    const view = await call(worker, `/jobs/${res.body.job_id}`, { token: user.token });
    assert.equal(view.body.model, "flux-main");
    assert.equal(view.body.run_model, "flux-backup");
    assert.equal(view.body.cost_credits, 4, "the price of the model the caller chose");
    const [{ balance }] = await db.sql`select balance from public.credit_balances where user_id = ${user.id}::uuid`;
    assert.equal(Number(balance), 10 - 4, "one reservation");
    const events = await db.sql`select from_status, to_status, detail from public.job_events
                                where job_id = ${res.body.job_id}::uuid order by id`;
    assert.deepEqual(
      events.map((e) => [e.from_status, e.to_status, e.detail.outcome ?? null, e.detail.model ?? null]),
      [
        [null, "queued", null, "flux-main"],
        ["queued", "queued", "refused", "flux-main"],
        ["queued", "submitted", null, null],
      ],
    );
    assert.equal(events[1].detail.http_status, 503);

    // a refusal that is the job's fault (422) is not retried elsewhere: 502, refunded
    replicate.failNext({ status: 422, body: { detail: "bad input" } });
    const before = replicate.predictions.size;
    const refused = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: "flux-main" } });
    assert.equal(refused.status, 502, refused.text);
    assert.equal(replicate.predictions.size, before, "no prediction anywhere");
    const [{ balance: after }] = await db.sql`select balance from public.credit_balances where user_id = ${user.id}::uuid`;
    assert.equal(Number(after), 10 - 4);

    // a disabled fallback is not used: the 503 is the answer
    assert.equal((await del("flux-backup")).status, 200);
    replicate.failNext({ status: 503 });
    const alone = await call(worker, "/jobs", { method: "POST", token: user.token, body: { prompt: "a fox", model: "flux-main" } });
    assert.equal(alone.status, 502, alone.text);
  });
});
