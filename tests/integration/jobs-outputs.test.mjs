// A completed job's outputs (URLs, base64, a chunked download) copied into R2 under
// outputs/<user>/<job>/ and served through signed links; one that cannot be fetched is
// recorded as an error.
// Uses the rig of harness/jobs.mjs (real PostgreSQL, the RunPod and Supabase Auth stand-ins, the
// Worker in workerd); after each test, balance = sum(ledger) for every user.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { newUser } from "./harness/http.mjs";
import { useJobsRig, auth, runpod, main, postJob, getJob, jobRow } from "./harness/jobs.mjs";

useJobsRig();

describe("outputs: copied into R2 when the job completes", () => {
  /** Polls GET /jobs/:id until the job leaves the open states (RunPod advances a step per /status). */
  async function pollUntilDone(token, id) {
    for (let i = 0; i < 6; i++) {
      const res = await getJob(main, token, id);
      assert.equal(res.status, 200, res.text);
      if (!["queued", "submitted", "running"].includes(res.body.status)) return res;
    }
    assert.fail("the job did not finish");
  }

  async function download(url) {
    const { pathname, search } = new URL(url);
    const res = await main.fetch(pathname + search); // no credentials: the signed link is enough
    return { status: res.status, type: res.headers.get("content-type"), bytes: Buffer.from(await res.arrayBuffer()) };
  }

  test("URL and base64 outputs land under outputs/<user>/<job>/ and download through signed links", async () => {
    const user = await newUser(auth);
    const video = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const chunkedName = `clip-${crypto.randomUUID()}.webm`;
    const webm = crypto.randomBytes(300 * 1024);
    const png = crypto.randomBytes(2048);
    const videoUrl = runpod.serveFile(`clip-${crypto.randomUUID()}.mp4`, video, "video/mp4");
    const webmUrl = runpod.serveFile(chunkedName, webm, "video/webm", { chunked: true }); // no content-length
    // A worker echoing its input: a URL there is not an output and is never fetched.
    const echoedName = `echo-${crypto.randomUUID()}.png`;
    const echoedUrl = runpod.serveFile(echoedName, crypto.randomBytes(64), "image/png");
    const output = [
      { video_url: videoUrl, input: { init_image: echoedUrl } },
      { image_url: `data:image/png;base64,${png.toString("base64")}` },
      { url: webmUrl, seed: 7 },
    ];
    runpod.script(
      {
        steps: ["IN_QUEUE", { status: "COMPLETED", output }],
        webhook: { drop: true },
      },
      { times: 1 },
    );
    const created = await postJob(main, user.token, { prompt: "outputs please" });
    assert.equal(created.status, 200, created.text);
    const id = created.body.job_id;

    const done = await pollUntilDone(user.token, id);
    assert.equal(done.body.status, "completed");
    const outputs = done.body.outputs;
    assert.equal(outputs.length, 3, JSON.stringify(outputs));
    assert.deepEqual(
      outputs.map((o) => o.key),
      [`outputs/${user.id}/${id}/1.mp4`, `outputs/${user.id}/${id}/2.png`, `outputs/${user.id}/${id}/3.webm`],
    );
    for (const [output, bytes, type] of [[outputs[0], video, "video/mp4"], [outputs[1], png, "image/png"], [outputs[2], webm, "video/webm"]]) {
      assert.equal(output.size, bytes.length);
      const got = await download(output.url);
      assert.equal(got.status, 200);
      assert.equal(got.type, type);
      assert.ok(got.bytes.equals(bytes), `${output.key}: bytes differ`);
    }
    assert.ok(!runpod.requests.some((r) => r.path.endsWith(echoedName)), "the echoed input URL was fetched");
    // Recorded once: the next GET makes no provider call and copies nothing again.
    const fileFetches = () => runpod.requests.filter((r) => r.path.startsWith("/files/")).length;
    const before = fileFetches();
    const again = await getJob(main, user.token, id);
    assert.deepEqual(again.body.outputs.map((o) => o.key), outputs.map((o) => o.key));
    assert.equal(fileFetches(), before);
    const row = await jobRow(id);
    assert.equal(row.outputs.length, 3);
    // The owner's folder, not anyone's: another user cannot read the key without the link.
    const other = await newUser(auth);
    const denied = await main.fetch(`/assets/${outputs[0].key}`, { headers: { authorization: `Bearer ${other.token}` } });
    assert.equal(denied.status, 403);
  });

  test("an output that cannot be fetched is recorded as an error; the job still completes once", async () => {
    const user = await newUser(auth);
    runpod.script(
      { steps: [{ status: "COMPLETED", output: { video_url: `${runpod.url}/files/missing-${crypto.randomUUID()}.mp4` } }], webhook: { drop: true } },
      { times: 1 },
    );
    const created = await postJob(main, user.token, { prompt: "broken output" });
    assert.equal(created.status, 200, created.text);
    const done = await pollUntilDone(user.token, created.body.job_id);
    assert.equal(done.body.status, "completed");
    assert.equal(done.body.outputs.length, 1);
    assert.equal(done.body.outputs[0].error, "fetch_failed");
    assert.equal(done.body.outputs[0].url, undefined);
  });
});
