// A stand-in for RunPod Serverless (`https://api.runpod.ai/v2`, queue endpoints) on a loopback
// port: jobs that move through scripted states, failures on demand, and webhooks sent like
// RunPod sends them (PROTOCOLS.md "RunPod Serverless").
//
//   const runpod = await startRunPod({ apiKey: "rp-key", endpointId: "ep1" });
//   runpod.url              // "http://127.0.0.1:PORT": the Worker's RUNPOD_API_BASE
//   runpod.script({ steps: ["IN_QUEUE", "IN_PROGRESS", { status: "COMPLETED", output: { video_url } }] });
//   runpod.script({ steps: [{ status: "FAILED", error: "CUDA out of memory" }] });  // fails at once
//   runpod.script({ run: { status: 429 } }, { times: 3 });  // the next 3 submissions get a 429
//   runpod.script({ status: { status: 500, times: 2 } });   // next job: 2 failed polls, then normal
//   runpod.script({ steps: ["IN_PROGRESS"] }, { job: id }); // re-script a job that already exists
//   const job = runpod.lastJob();      // runpod.jobs: Map id → job (see "Jobs" below)
//   await runpod.finish(id, { status: "COMPLETED", output: {...} });  // resolves once its webhook is done
//   const url = runpod.serveFile("clip.mp4", bytes, "video/mp4");    // `${runpod.url}/files/clip.mp4`
//   runpod.requests          // every request seen: [{method, path, query, url, headers, body, text, json()}]
//   runpod.webhookDeliveries // every webhook attempt: [{jobId, url, attempt, status, error?, body, at}]
//   await runpod.webhooksSettled();    // waits for every scheduled webhook attempt (retries included)
//   await runpod.close();
//
// Endpoints (all JSON; `Authorization: Bearer <apiKey>` required except on /files):
//   POST /{endpointId}/run           {"input":{...},"webhook"?:url,"policy"?:{...}}
//                                    → 200 {"id":"<uuid>-e1","status":"IN_QUEUE"}; 400 when the body
//                                    is not JSON or `input` is not an object; 413 over 10 MiB
//   GET|POST /{endpointId}/status/{id}  → {id, status, delayTime?, executionTime?, workerId?,
//                                    output?, error?}; 404 {"error":"request does not exist"}
//   POST /{endpointId}/cancel/{id}   → {id, status:"CANCELLED"}: an open job becomes CANCELLED and
//                                    its webhook fires; a job already ended answers its own status
//                                    as /status does (output or error included)
//   GET /{endpointId}/health         → {jobs:{completed,failed,inProgress,inQueue,retried}, workers}
//   GET|HEAD /files/{name}           the bytes given to serveFile (no auth, like a presigned URL)
//   wrong/missing key → 401 {"error":"Unauthorized"}; other endpoint id → 404 {"error":"endpoint not found"}
//
// Scripts. `runpod.script(spec, { times = 1 })` queues `spec` for the next `times` valid
// submissions (Infinity: until `runpod.clearScripts()`); unscripted jobs follow `defaultSteps`.
// `runpod.script(spec, { job: id })` changes an existing job. A spec has any of:
//   steps    the states the job goes through: "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED" | "FAILED" |
//            "CANCELLED" | "TIMED_OUT", or {status, output?, error?, delayTime?, executionTime?}
//            (an IN_PROGRESS step may carry a partial `output`, like progress updates). The job
//            is in steps[0] when submitted (/run still answers IN_QUEUE, as RunPod always does);
//            each /status call answers the current step and then moves to the next one; the last
//            step stays. Entering a terminal step (the last four) ends the job and fires its webhook
//            (a job whose steps[0] is terminal ends at submission: its webhook may race /run's answer).
//   stepMs   advance by time instead: one step every `stepMs` ms from submission (polls don't advance)
//   run      how /run answers this submission: {status?, body?, raw?, delayMs?, createJob?}
//   status   how the next /status calls for this job answer: {status?, body?, raw?, delayMs?, times?}
//   cancel   the same for /cancel calls (an error answer cancels nothing)
//   webhook  {delayMs?, drop?}: wait before the first attempt; `drop: true` never sends it
// A fault ({status, body, raw, delayMs, times}): `status` is the HTTP status (default 200),
// `body` a JSON body to answer instead, `raw` a string sent verbatim as application/json (a
// malformed body), `delayMs` waits before answering (slow), `times` how many calls it covers
// (default 1; then normal answers). For `run`, the job is created when `createJob` (default:
// status < 400), before any delay: a slow /run still queues the job. A fault on /status does not
// advance the job; it still counts in `statusCalls`. Error statuses without body/raw answer
// {"error": "..."} like RunPod.
//
// Jobs (`runpod.jobs.get(id)`): {id, input, webhook, policy, status, output, error, statusCalls,
// cancelCalls, history: [{status, at}], submittedAt, startedAt, endedAt}.
// `runpod.finish(id, outcome)` ends an open job now (outcome: a status string or
// {status, output?, error?}); it throws for a job that has already ended. Returns a promise of
// the job's webhook attempts. `runpod.redeliver(id)` sends the webhook of an ended job again (a
// duplicate delivery); `runpod.forget(id)` drops a job (RunPod keeps results 30 min) so /status
// answers 404.
//
// Webhooks: when a job ends, POST its /status body plus `input` to its webhook URL with
// `content-type: application/json`. Any 2xx is delivered; otherwise (or on a network error)
// it retries at most `webhookRetries` (2) more times, `webhookRetryDelayMs` apart (RunPod: 10 s;
// here 200 ms by default). `webhookDelayMs` delays every first attempt.

import crypto from "node:crypto";

import { startLoopbackServer } from "./loopback-server.mjs";

export const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"]);
const STATES = new Set(["IN_QUEUE", "IN_PROGRESS", ...TERMINAL]);
const MAX_PAYLOAD = 10 * 1024 * 1024;
const ERROR_TEXT = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  413: "payload too large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};


function normalizeStep(step) {
  const s = typeof step === "string" ? { status: step } : { ...step };
  if (!STATES.has(s.status)) throw new Error(`runpod stand-in: unknown job status ${JSON.stringify(s.status)}`);
  if (s.status === "FAILED" && s.error === undefined) s.error = "job failed";
  return s;
}

function normalizeSteps(steps) {
  if (!Array.isArray(steps) || steps.length === 0) throw new Error("runpod stand-in: steps must be a non-empty array");
  return steps.map(normalizeStep);
}

/** A fault spec with a remaining-calls counter. */
const armFault = (f) => (f ? { ...f, remaining: f.times ?? 1 } : null);

/**
 * Starts the stand-in.
 * @param {object} [o]
 * @param {string} [o.apiKey]               the accepted bearer key
 * @param {string} [o.endpointId]           the one endpoint id served
 * @param {Array}  [o.defaultSteps]         steps of unscripted jobs (default queue → progress → COMPLETED {})
 * @param {number} [o.webhookRetries]       extra attempts after a failed delivery (default 2, as RunPod)
 * @param {number} [o.webhookRetryDelayMs]  between attempts (default 200; RunPod waits 10 s)
 * @param {number} [o.webhookDelayMs]       before every first attempt (default 0)
 * @param {number} [o.webhookTimeoutMs]     per attempt (default 5000)
 * @param {string} [o.idSuffix]             appended to job ids (default "-e1", like RunPod's region suffix)
 */
export async function startRunPod({
  apiKey = "rp-test-key",
  endpointId = "test-endpoint",
  defaultSteps = ["IN_QUEUE", "IN_PROGRESS", { status: "COMPLETED", output: {} }],
  webhookRetries = 2,
  webhookRetryDelayMs = 200,
  webhookDelayMs = 0,
  webhookTimeoutMs = 5000,
  idSuffix = "-e1",
} = {}) {
  const jobs = new Map();
  const files = new Map();
  const pending = []; // [{spec, remaining}] for the next submissions
  const webhookDeliveries = [];
  const inflight = new Set(); // webhook delivery promises
  const timers = new Set();
  const aborts = new Set();
  let closed = false;
  let lastId = null;
  let url; // known once the server listens
  const normalizedDefault = normalizeSteps(defaultSteps);
  const sleepers = new Map(); // timer → resolve: close() wakes them all

  /** Waits `ms` (or until close()). */
  const sleep = (ms) =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        sleepers.delete(t);
        resolve();
      }, ms);
      sleepers.set(t, resolve);
    });

  // --- jobs ------------------------------------------------------------------------------------

  /** What /status answers (and the webhook sends, with `input`). */
  function view(job) {
    const now = Date.now();
    const out = { id: job.id, status: job.status };
    const step = job.step ?? {};
    if (job.startedAt !== null || TERMINAL.has(job.status)) {
      out.delayTime = step.delayTime ?? (job.startedAt ?? job.endedAt ?? now) - job.submittedAt;
    }
    if (TERMINAL.has(job.status)) {
      out.executionTime = step.executionTime ?? (job.startedAt !== null ? job.endedAt - job.startedAt : 0);
    }
    if (job.startedAt !== null) out.workerId = job.workerId;
    if (job.output !== undefined) out.output = job.output;
    if (job.error !== undefined) out.error = job.error;
    return out;
  }

  function stopTimer(job) {
    if (job.timer) {
      clearInterval(job.timer);
      timers.delete(job.timer);
      job.timer = null;
    }
  }

  /** Puts a job in a state; a terminal state ends it and fires its webhook. */
  function enter(job, step) {
    const now = Date.now();
    job.step = step;
    job.status = step.status;
    job.output = step.output;
    job.error = step.error;
    job.history.push({ status: step.status, at: now });
    if (step.status === "IN_PROGRESS" && job.startedAt === null) job.startedAt = now;
    if (TERMINAL.has(step.status)) {
      if (job.startedAt === null && step.status !== "CANCELLED") job.startedAt = now;
      job.endedAt = now;
      stopTimer(job);
      job.delivery = deliver(job);
    }
  }

  function advance(job) {
    if (TERMINAL.has(job.status) || job.index >= job.steps.length - 1) return;
    job.index += 1;
    enter(job, job.steps[job.index]);
    if (job.index >= job.steps.length - 1) stopTimer(job); // the last step stays
  }

  function startTimer(job) {
    stopTimer(job);
    if (!job.stepMs || TERMINAL.has(job.status) || job.index >= job.steps.length - 1) return;
    job.timer = setInterval(() => advance(job), job.stepMs);
    job.timer.unref?.();
    timers.add(job.timer);
  }

  /** Applies a script spec to a job (a new job or an existing one). */
  function applyScript(job, spec) {
    if (spec.status !== undefined) job.faults.status = armFault(spec.status);
    if (spec.cancel !== undefined) job.faults.cancel = armFault(spec.cancel);
    if (spec.webhook !== undefined) job.webhookOptions = { ...spec.webhook };
    if (spec.stepMs !== undefined) job.stepMs = spec.stepMs;
    if (spec.steps !== undefined) {
      if (TERMINAL.has(job.status)) throw new Error(`runpod stand-in: job ${job.id} has already ended (${job.status})`);
      job.steps = normalizeSteps(spec.steps);
      job.index = 0;
      enter(job, job.steps[0]);
    }
    if (spec.stepMs !== undefined || spec.steps !== undefined) startTimer(job);
  }

  function createJob(body, spec) {
    const id = `${crypto.randomUUID()}${idSuffix}`;
    const job = {
      id,
      input: body.input,
      webhook: body.webhook,
      policy: body.policy,
      status: null,
      output: undefined,
      error: undefined,
      statusCalls: 0,
      cancelCalls: 0,
      history: [],
      submittedAt: Date.now(),
      startedAt: null,
      endedAt: null,
      workerId: `stand-in-${crypto.randomBytes(4).toString("hex")}`,
      steps: null,
      index: 0,
      step: null,
      stepMs: 0,
      timer: null,
      faults: { status: null, cancel: null },
      webhookOptions: {},
      delivery: Promise.resolve([]),
    };
    jobs.set(id, job);
    lastId = id;
    applyScript(job, { ...spec, steps: spec.steps ?? normalizedDefault });
    return job;
  }

  // --- webhooks --------------------------------------------------------------------------------

  /** Sends a job's webhook with retries; resolves to this delivery's attempts. */
  function deliver(job) {
    if (!job.webhook || job.webhookOptions.drop) return Promise.resolve([]);
    const body = { ...view(job), input: job.input };
    const target = job.webhook;
    const p = (async () => {
      const attempts = [];
      const firstDelay = job.webhookOptions.delayMs ?? webhookDelayMs;
      if (firstDelay > 0) await sleep(firstDelay);
      for (let attempt = 1; attempt <= 1 + webhookRetries && !closed; attempt++) {
        if (attempt > 1) await sleep(webhookRetryDelayMs);
        if (closed) break;
        const record = { jobId: job.id, url: target, attempt, status: null, body, at: Date.now() };
        const ac = new AbortController();
        aborts.add(ac);
        const t = setTimeout(() => ac.abort(new Error("webhook timeout")), webhookTimeoutMs);
        try {
          const res = await fetch(target, {
            method: "POST",
            headers: { "content-type": "application/json", "user-agent": "RunPod-stand-in" },
            body: JSON.stringify(body),
            signal: ac.signal,
          });
          record.status = res.status;
          await res.arrayBuffer().catch(() => {});
        } catch (err) {
          record.error = String(err?.message ?? err);
        } finally {
          clearTimeout(t);
          aborts.delete(ac);
        }
        webhookDeliveries.push(record);
        attempts.push(record);
        if (record.status !== null && record.status >= 200 && record.status < 300) break;
      }
      return attempts;
    })();
    inflight.add(p);
    p.finally(() => inflight.delete(p));
    return p;
  }

  // --- HTTP --------------------------------------------------------------------------------------

  const json = (status, body) => ({ status, body });
  const errorBody = (status) => ({ error: ERROR_TEXT[status] ?? `HTTP ${status}` });

  /** Answers a fault spec (its status/body/raw/delayMs), `normal` when it keeps a 2xx default. */
  async function faultAnswer(fault, normal) {
    if (fault.delayMs) await sleep(fault.delayMs);
    const status = fault.status ?? 200;
    if (fault.raw !== undefined) return { status, raw: fault.raw };
    if (fault.body !== undefined) return json(status, fault.body);
    return status < 400 ? json(status, normal()) : json(status, errorBody(status));
  }

  /** Takes the fault of a job for one call, if it still has calls left. */
  function takeFault(job, kind) {
    const f = job.faults[kind];
    if (!f || f.remaining <= 0) return null;
    f.remaining -= 1;
    return f;
  }

  function takeScript() {
    const head = pending[0];
    if (!head) return {};
    head.remaining -= 1;
    if (head.remaining <= 0) pending.shift();
    return head.spec;
  }

  async function run(req) {
    if (req.body.length > MAX_PAYLOAD) return json(413, errorBody(413));
    let body;
    try {
      body = JSON.parse(req.text);
    } catch {
      return json(400, { error: "invalid JSON body" });
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) return json(400, { error: "body must be a JSON object" });
    if (body.input === null || typeof body.input !== "object" || Array.isArray(body.input)) {
      return json(400, { error: "input is required and must be a JSON object" });
    }
    if (body.webhook !== undefined && typeof body.webhook !== "string") return json(400, { error: "webhook must be a URL string" });
    const spec = takeScript();
    const fault = spec.run ?? {};
    const create = fault.createJob ?? (fault.status ?? 200) < 400;
    const job = create ? createJob(body, spec) : null;
    return faultAnswer(fault, () => ({ id: job?.id, status: "IN_QUEUE" }));
  }

  async function status(id) {
    const job = jobs.get(id);
    if (!job) return json(404, { error: "request does not exist" });
    job.statusCalls += 1;
    const fault = takeFault(job, "status");
    if (fault) return faultAnswer(fault, () => view(job));
    const answer = view(job);
    if (!job.stepMs) advance(job);
    return json(200, answer);
  }

  async function cancel(id) {
    const job = jobs.get(id);
    if (!job) return json(404, { error: "request does not exist" });
    job.cancelCalls += 1;
    const fault = takeFault(job, "cancel");
    // RunPod answers the cancel of a job that has already ended with that job's status.
    const doCancel = () => {
      if (TERMINAL.has(job.status)) return view(job);
      enter(job, { status: "CANCELLED" });
      return { id: job.id, status: job.status };
    };
    if (fault) {
      if ((fault.status ?? 200) < 400) return faultAnswer(fault, doCancel);
      return faultAnswer(fault, () => ({}));
    }
    return json(200, doCancel());
  }

  function health() {
    const count = (...s) => [...jobs.values()].filter((j) => s.includes(j.status)).length;
    return json(200, {
      jobs: {
        completed: count("COMPLETED"),
        failed: count("FAILED", "TIMED_OUT"),
        inProgress: count("IN_PROGRESS"),
        inQueue: count("IN_QUEUE"),
        retried: 0,
      },
      workers: { idle: 1, running: count("IN_PROGRESS") },
    });
  }

  function file(req, name) {
    const f = files.get(name);
    if (!f) return { status: 404, headers: { "content-type": "text/plain" }, raw: "file not found" };
    const headers = { "content-type": f.contentType };
    if (!f.chunked) headers["content-length"] = String(f.bytes.length);
    return { status: 200, headers, bytes: req.method === "HEAD" ? null : f.bytes };
  }

  async function handle(req) {
    const path = req.path;
    const fm = /^\/files\/(.+)$/.exec(path);
    if (fm && (req.method === "GET" || req.method === "HEAD")) return file(req, decodeURIComponent(fm[1]));
    if ((req.headers.authorization ?? "") !== `Bearer ${apiKey}`) return json(401, { error: "Unauthorized" });
    const m = /^\/([^/]+)\/(run|status|cancel|health)(?:\/([^/]+))?\/?$/.exec(path);
    if (!m) return json(404, { error: "not found" });
    const [, ep, op, id] = m;
    if (ep !== endpointId) return json(404, { error: "endpoint not found" });
    const key = `${req.method} ${op}${id === undefined ? "" : " :id"}`;
    switch (key) {
      case "POST run":
        return run(req);
      case "GET status :id":
      case "POST status :id":
        return status(decodeURIComponent(id));
      case "POST cancel :id":
        return cancel(decodeURIComponent(id));
      case "GET health":
        return health();
      default:
        return json(405, { error: "method not allowed" });
    }
  }

  /** The stand-in's answer ({status, headers?} with `bytes`, `raw` or `body`) as the loop sends it. */
  function wire(answer) {
    const headers = { ...(answer.headers ?? {}) };
    if (answer.bytes !== undefined) return { status: answer.status, headers, body: answer.bytes };
    if (answer.raw !== undefined) {
      headers["content-type"] ??= "application/json";
      return { status: answer.status, headers, body: answer.raw };
    }
    if (answer.body === undefined) return { status: answer.status, headers };
    headers["content-type"] = "application/json";
    return { status: answer.status, headers, body: JSON.stringify(answer.body) };
  }

  const server = await startLoopbackServer({ "*": async (record) => wire(await handle(record)) });
  const { port, requests } = server;
  url = server.url;

  const must = (id) => {
    const job = jobs.get(id);
    if (!job) throw new Error(`runpod stand-in: no job ${id}`);
    return job;
  };

  return {
    url,
    port,
    apiKey,
    endpointId,
    /** `${url}/${endpointId}`: what the Worker's requests start with. */
    endpointUrl: `${url}/${endpointId}`,
    requests,
    jobs,
    webhookDeliveries,
    /** Queues a script for the next `times` submissions, or changes job `job` now. */
    script(spec, { times = 1, job } = {}) {
      if (spec.steps !== undefined) normalizeSteps(spec.steps); // fail early on a typo
      if (job !== undefined) applyScript(must(job), spec);
      else pending.push({ spec, remaining: times });
    },
    /** Drops every queued script. */
    clearScripts() {
      pending.length = 0;
    },
    /** The most recently created job (undefined before any). */
    lastJob() {
      return lastId === null ? undefined : jobs.get(lastId);
    },
    /** The /status body of a job as it stands (no advancing, no counting). */
    view(id) {
      return view(must(id));
    },
    /** Ends an open job now; resolves to its webhook attempts. */
    finish(id, outcome) {
      const job = must(id);
      if (TERMINAL.has(job.status)) throw new Error(`runpod stand-in: job ${id} has already ended (${job.status})`);
      const step = normalizeStep(outcome);
      if (!TERMINAL.has(step.status)) throw new Error(`runpod stand-in: finish needs a terminal status, got ${step.status}`);
      enter(job, step);
      return job.delivery;
    },
    /** Sends the webhook of an ended job once more (a duplicate delivery). */
    redeliver(id) {
      const job = must(id);
      if (!TERMINAL.has(job.status)) throw new Error(`runpod stand-in: job ${id} has not ended`);
      return deliver(job);
    },
    /** Forgets a job: /status and /cancel answer 404 for it from now on. */
    forget(id) {
      const job = must(id);
      stopTimer(job);
      jobs.delete(id);
    },
    /** Serves bytes at GET `${url}/files/<name>`; returns that URL. `chunked`: no content-length. */
    serveFile(name, bytes, contentType = "application/octet-stream", { chunked = false } = {}) {
      const b =
        typeof bytes === "string" ? Buffer.from(bytes)
        : ArrayBuffer.isView(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        : Buffer.from(bytes);
      files.set(name, { bytes: b, contentType, chunked });
      return this.fileUrl(name);
    },
    fileUrl(name) {
      return `${url}/files/${encodeURIComponent(name)}`;
    },
    /** Waits until no webhook attempt is pending or scheduled. */
    async webhooksSettled() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async close() {
      closed = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      timers.clear();
      for (const [t, resolve] of sleepers) {
        clearTimeout(t);
        resolve();
      }
      sleepers.clear();
      for (const ac of aborts) ac.abort(new Error("stand-in closed"));
      for (const job of jobs.values()) job.timer = null;
      await server.close();
    },
  };
}
