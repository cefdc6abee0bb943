// Jobs priced by what they ask (issue 23): a model's input schema, input map and pricing, set
// by PUT /admin/models, decide what a job may ask, what its provider receives and what it
// costs. POST /jobs/estimate shows the price POST /jobs then reserves. Uses the rig of
// harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the Worker in
// workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { call, newUser } from "./harness/http.mjs";
import {
  useJobsRig, ADMIN, auth, db, main, postJob, jobRow, ledger, balance, userJobs, runRequests,
} from "./harness/jobs.mjs";
import { PROMPT } from "./harness/inputs.mjs";

useJobsRig();

const put = (id, body) => call(main, `/admin/models/${id}`, { method: "PUT", token: ADMIN, body });
const estimate = (token, body) => call(main, "/jobs/estimate", { method: "POST", token, body });

/** A video model priced by its length, size and count, as the example. */
const VIDEO = {
  provider: "runpod",
  content_type: "video",
  input_schema: {
    type: "object", required: ["prompt"], additionalProperties: false,
    properties: {
      prompt: PROMPT,
      duration: { type: "integer", minimum: 1, maximum: 10, default: 2 },
      quality: { type: "string", enum: ["standard", "hd"], default: "standard" },
      num_outputs: { type: "integer", minimum: 1, maximum: 4, default: 1 },
      seed: { type: "integer", minimum: 0, maximum: 1000 },
    },
  },
  input_map: { duration: "seconds", num_outputs: "n" },
  pricing: {
    base: 0.5,
    per: { duration: 1.25 },
    per_value: { quality: { standard: 0, hd: 2 } },
    times: "num_outputs",
  },
};
/** (0.5 + 1.25 × duration + (hd ? 2 : 0)) × num_outputs, rounded up once. */
const priceOf = ({ duration = 2, quality = "standard", num_outputs = 1 }) =>
  Math.ceil((0.5 + 1.25 * duration + (quality === "hd" ? 2 : 0)) * num_outputs);

async function videoModel() {
  const id = `video-${crypto.randomUUID().slice(0, 8)}`;
  const res = await put(id, VIDEO);
  assert.equal(res.status, 201, res.text);
  return id;
}

describe("a model's inputs and price", () => {
  test("the estimate is what POST /jobs reserves, for a spread of inputs", async () => {
    const model = await videoModel();
    const user = await newUser(auth);
    const topUp = await call(main, "/admin/credits", {
      method: "POST", token: ADMIN,
      body: { user_id: user.id, amount: 200, reason: "test", idempotency_key: `top-up-${user.id}` },
    });
    assert.equal(topUp.status, 200, topUp.text);
    const start = (await estimate(user.token, { model, prompt: "a fox" })).body.balance;
    let spent = 0;
    for (const input of [
      {}, { duration: 1 }, { duration: 10 }, { quality: "hd" }, { num_outputs: 4 },
      { duration: 7, quality: "hd", num_outputs: 3 }, { seed: 5 },
    ]) {
      const body = { model, prompt: "a fox", input };
      const quoted = await estimate(user.token, body);
      assert.equal(quoted.status, 200, quoted.text);
      assert.equal(quoted.body.model, model);
      assert.equal(quoted.body.cost_credits, priceOf(input), JSON.stringify(input));
      const before = await balance(user.id);
      assert.equal(quoted.body.balance, before);
      assert.equal(quoted.body.affordable, true);

      const res = await postJob(main, user.token, body);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.cost_credits, quoted.body.cost_credits);
      assert.equal(res.body.balance, before - quoted.body.cost_credits);
      assert.equal((await jobRow(res.body.job_id)).cost_credits, quoted.body.cost_credits);
      spent += quoted.body.cost_credits;
    }
    assert.equal(spent, 3 + 2 + 13 + 5 + 12 + 34 + 3);
    assert.equal(await balance(user.id), start - spent);
  });

  test("the provider receives only the validated fields, defaults filled in, under its names", async () => {
    const model = await videoModel();
    const user = await newUser(auth);
    const res = await postJob(main, user.token, { model, prompt: "a fox", input: { duration: 3, seed: 9 } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(runRequests().at(-1).json().input, {
      prompt: "a fox", seconds: 3, quality: "standard", n: 1, seed: 9, model,
    });
    // the job records the input as priced, under our names
    assert.deepEqual((await jobRow(res.body.job_id)).payload.input, {
      prompt: "a fox", duration: 3, quality: "standard", num_outputs: 1, seed: 9,
    });
  });

  test("an input the schema does not allow is 400 invalid_input naming the field, with nothing charged or sent", async () => {
    const model = await videoModel();
    const user = await newUser(auth);
    const runs = runRequests().length;
    for (const [input, field] of [
      [{ duration: 11 }, "input.duration"],
      [{ duration: 2.5 }, "input.duration"],
      [{ quality: "4k" }, "input.quality"],
      [{ steps: 50 }, "input.steps"],
      [{ prompt: "another fox" }, "prompt"],
    ]) {
      for (const path of ["/jobs", "/jobs/estimate"]) {
        const res = await call(main, path, { method: "POST", token: user.token, body: { model, prompt: "a fox", input } });
        assert.equal(res.status, 400, `${path} ${JSON.stringify(input)}: ${res.text}`);
        assert.equal(res.body.error, "invalid_input", res.text);
        assert.ok(res.body.message.includes(field), res.text);
      }
    }
    // the prompt is the schema's too: required, bounded
    const none = await postJob(main, user.token, { model });
    assert.equal(none.body.error, "invalid_input", none.text);
    assert.match(none.body.message, /prompt/);
    assert.equal(runRequests().length, runs, "nothing reached the provider");
    assert.equal((await userJobs(user.id)).length, 0);
    assert.equal((await ledger(user.id)).length, 0);
  });

  test("a price change applies to the next job; an estimate beyond the balance is not affordable", async () => {
    const model = await videoModel();
    const user = await newUser(auth);
    assert.equal((await estimate(user.token, { model, prompt: "a fox" })).body.cost_credits, 3);
    assert.equal((await put(model, { ...VIDEO, pricing: { base: 4 } })).status, 200);
    const quoted = await estimate(user.token, { model, prompt: "a fox", input: { duration: 10 } });
    assert.equal(quoted.body.cost_credits, 4);
    const res = await postJob(main, user.token, { model, prompt: "a fox" });
    assert.equal(res.body.cost_credits, 4, res.text);

    assert.equal((await put(model, { ...VIDEO, pricing: { base: 20 } })).status, 200);
    const dear = await estimate(user.token, { model, prompt: "a fox" });
    assert.deepEqual(dear.body, { ok: true, model, cost_credits: 20, balance: 6, affordable: false });
    const refused = await postJob(main, user.token, { model, prompt: "a fox" });
    assert.equal(refused.status, 402, refused.text);
    assert.equal(refused.body.required, 20);
  });

  test("a model changed behind this isolate's back is priced from its row, never from the old copy", async () => {
    const model = await videoModel();
    const user = await newUser(auth);
    assert.equal((await estimate(user.token, { model, prompt: "a fox" })).body.cost_credits, 3); // cached now
    // as another isolate's admin call would: the row changes, this isolate's copy does not
    await db.sql`update public.models set pricing = '{"base": 7}', revision = revision + 1 where id = ${model}`;
    const res = await postJob(main, user.token, { model, prompt: "a fox" });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.cost_credits, 7, "create_job refused the stale price, and the job was priced again");
    // a schema that now allows more is read before an input is refused
    const wider = { ...VIDEO.input_schema, properties: { ...VIDEO.input_schema.properties, style: { type: "string", maxLength: 20 } } };
    await db.sql`update public.models set input_schema = ${wider}, pricing = '{"base": 1}', revision = revision + 1
                 where id = ${model}`;
    const styled = await postJob(main, user.token, { model, prompt: "a fox", input: { style: "noir" } });
    assert.equal(styled.status, 200, styled.text);
  });

  test("an asset input reaches the provider as a working signed link; another user's asset is 403 and a missing one 400, nothing charged", async () => {
    const model = `img2vid-${crypto.randomUUID().slice(0, 8)}`;
    const created = await put(model, {
      provider: "runpod", content_type: "video", pricing: { base: 2 },
      input_schema: {
        type: "object", required: ["prompt", "image"], additionalProperties: false,
        properties: { prompt: PROMPT, image: { type: "string", format: "asset" } },
      },
      input_map: { image: "image_url" },
    });
    assert.equal(created.status, 201, created.text);
    const [owner, stranger] = [await newUser(auth), await newUser(auth)];
    const key = `users/${owner.id}/start.png`;
    const bytes = "\x89PNG a first frame";
    const upload = await call(main, `/assets/${key}`, {
      method: "PUT", token: owner.token, headers: { "content-type": "image/png" }, body: bytes,
    });
    assert.equal(upload.status, 200, upload.text);

    const res = await postJob(main, owner.token, { model, prompt: "it moves", input: { image: key } });
    assert.equal(res.status, 200, res.text);
    const sent = runRequests().at(-1).json().input;
    assert.deepEqual(Object.keys(sent).sort(), ["image_url", "model", "prompt"]);
    assert.ok(!JSON.stringify(sent).includes(`"${key}"`), "the provider never gets the key itself");
    const link = new URL(sent.image_url);
    assert.ok(Number(link.searchParams.get("expires")) * 1000 > Date.now() + 3600_000, "valid until the job's deadline");
    const fetched = await fetch(link);
    assert.equal(fetched.status, 200);
    assert.equal(await fetched.text(), bytes);
    assert.equal((await jobRow(res.body.job_id)).payload.input.image, key, "the job records the asset it used");

    const runs = runRequests().length;
    for (const path of ["/jobs", "/jobs/estimate"]) {
      const refused = await call(main, path, {
        method: "POST", token: stranger.token, body: { model, prompt: "it moves", input: { image: key } },
      });
      assert.equal(refused.status, 403, refused.text);
      assert.match(refused.body.message, /input\.image/);
    }
    const malformed = await postJob(main, stranger.token, { model, prompt: "it moves", input: { image: "../etc" } });
    assert.equal(malformed.body.error, "invalid_input", malformed.text);
    const missing = await postJob(main, stranger.token, {
      model, prompt: "it moves", input: { image: `users/${stranger.id}/never-uploaded.png` },
    });
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body.error, "invalid_input");
    assert.match(missing.body.message, /input\.image names no stored asset/);
    assert.equal(runRequests().length, runs);
    assert.equal((await userJobs(stranger.id)).length, 0);
    assert.equal((await ledger(stranger.id)).filter((e) => e.kind !== "grant").length, 0);
  });

  test("GET /models shows each model's schema and pricing, and its price at the defaults", async () => {
    const model = await videoModel();
    const shown = (await call(main, "/models")).body.models.find((m) => m.id === model);
    assert.deepEqual(shown, {
      id: model, provider: "runpod", content_type: "video", default: false, cost_credits: 3,
      input_schema: VIDEO.input_schema, pricing: VIDEO.pricing,
    });
  });

  test("the estimate needs a caller, and an admin's is free to afford", async () => {
    assert.equal((await estimate(undefined, { prompt: "a fox" })).status, 401);
    const admin = await estimate(ADMIN, { prompt: "a fox" });
    assert.deepEqual(admin.body, { ok: true, model: "runpod-video", cost_credits: 1, balance: null, affordable: true });
    const unknown = await estimate(ADMIN, { prompt: "a fox", model: "no-such-model" });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error, "invalid_request");
  });
});
