// The jobs of the queue endpoints, run the way RunPod runs them: IN_QUEUE, then IN_PROGRESS
// with the progress in `output` ("step 2 of 6"), then COMPLETED with `output` {url,
// content_type} naming the file, or FAILED (a prompt containing "[fail]" fails after its
// steps), or CANCELLED. A job ends once, and its webhook fires then. Ended jobs and their
// files are kept 30 minutes, as RunPod keeps results.
import crypto from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { deliverWebhook } from "./webhook.mjs";

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED"]);
const KEEP_MS = 30 * 60_000;
const QUEUE_MS = 500;
const DEFAULT_STEPS = 6;
const MAX_STEPS = 1000;

/** `input.steps` when it is a whole number of steps within reason, else the default. */
function stepsOf(input) {
  return Number.isInteger(input.steps) && input.steps >= 1 ? Math.min(input.steps, MAX_STEPS) : DEFAULT_STEPS;
}

/**
 * The job table. `filesUrl`: where GET /files/<name> is served; `stepMs`: the length of one
 * progress step; `log(line)`: one line per event.
 */
export function createJobs({ filesUrl, stepMs, log }) {
  const jobs = new Map(); // id → job
  const files = new Map(); // name → {bytes, contentType, jobId}

  /** What /status answers, and the webhook sends (with `input`). */
  function view(job) {
    const out = { id: job.id, status: job.status };
    if (job.startedAt) out.delayTime = job.startedAt - job.submittedAt;
    if (job.startedAt && job.endedAt) out.executionTime = job.endedAt - job.startedAt;
    if (job.output !== undefined) out.output = job.output;
    if (job.error !== undefined) out.error = job.error;
    return out;
  }

  function end(job, status, fields = {}) {
    if (TERMINAL.has(job.status)) return;
    Object.assign(job, { status, output: undefined, ...fields, endedAt: Date.now() });
    job.abort.abort();
    const detail = job.error ? `: ${job.error}` : job.size ? ` (${job.size} bytes)` : "";
    log(`${job.endpointId} ${job.id}: ${status} after ${job.endedAt - job.submittedAt} ms${detail}`);
    if (job.webhook) deliverWebhook(job.webhook, { ...view(job), input: job.input }, log);
  }

  async function work(job, endpoint) {
    const { signal } = job.abort;
    const prompt = job.input.prompt;
    try {
      await sleep(QUEUE_MS, undefined, { signal });
      Object.assign(job, { status: "IN_PROGRESS", startedAt: Date.now() });
      for (let step = 1; step <= job.steps; step++) {
        job.output = `step ${step} of ${job.steps}`;
        await sleep(stepMs, undefined, { signal });
      }
      if (typeof prompt !== "string") return end(job, "FAILED", { error: "input.prompt must be a string" });
      if (prompt.includes("[fail]")) return end(job, "FAILED", { error: "the prompt asked to fail ([fail])" });
      job.output = "rendering";
      const bytes = await endpoint.render(prompt, { signal });
      const name = `${job.id}.${endpoint.extension}`;
      files.set(name, { bytes, contentType: endpoint.contentType, jobId: job.id });
      end(job, "COMPLETED", { output: { url: `${filesUrl}/${name}`, content_type: endpoint.contentType }, size: bytes.length });
    } catch (err) {
      if (!signal.aborted) end(job, "FAILED", { error: `rendering failed: ${err.message}` });
    }
  }

  function forgetOld() {
    const before = Date.now() - KEEP_MS;
    for (const [id, job] of jobs) if (job.endedAt && job.endedAt < before) jobs.delete(id);
    for (const [name, file] of files) if (!jobs.has(file.jobId)) files.delete(name);
  }

  return {
    /** POST /run: queues a job on `endpoint`; answers {id, status: "IN_QUEUE"}. */
    run(endpointId, endpoint, { input, webhook }) {
      forgetOld();
      const job = {
        id: `${crypto.randomUUID()}-local`,
        endpointId,
        input,
        webhook,
        steps: stepsOf(input),
        status: "IN_QUEUE",
        submittedAt: Date.now(),
        abort: new AbortController(),
      };
      jobs.set(job.id, job);
      work(job, endpoint);
      return { id: job.id, status: job.status };
    },
    /** GET /status: the job's view, or null when `endpointId` has no such job. */
    status(endpointId, id) {
      const job = jobs.get(id);
      return job?.endpointId === endpointId ? view(job) : null;
    },
    /** POST /cancel: an open job ends CANCELLED; either way answers {id, status} as it now stands. */
    cancel(endpointId, id) {
      const job = jobs.get(id);
      if (job?.endpointId !== endpointId) return null;
      end(job, "CANCELLED");
      return { id: job.id, status: job.status };
    },
    /** A finished job's file: {bytes, contentType}, or undefined. */
    file(name) {
      return files.get(name);
    },
  };
}
