// What each step of ours' GET /health costs inside workerd: the probe Worker
// (bench/workers/steps/worker.js) runs one step of the shim's request path `iterations` times
// per request; a step's cost is the median time of such requests less that of the empty step,
// per iteration. Beside the steps: the bare Worker's whole answer (Response.json), the floor.

import { median } from "./stats.mjs";
import { startStepsProbe } from "./targets.mjs";

export const STEPS = [
  ["request-headers", "the request's headers as a list (`requestHeaderList`)"],
  ["start-frame", "the start frame as JSON text (`fetchStart` + `frameParts`)"],
  ["core-call", "the core's answer: frame into wasm, `ag_start`, `JSON.parse` of the step; its log entry dropped"],
  ["core-call-logged", "the same, the access line printed (`console.log` of the object) as the shim does"],
  ["access-line-alone", "the access line printed on its own, not right after a call into the core"],
  ["response", "the `Response` built from the core's answer (`toResponse`)"],
  ["core-response", "the core's answer, logged, and its `Response`, in one call: the task without its scope and `drive`"],
  ["task", "the whole task: `drive` (all of the above) + `toResponse` + scope"],
  ["bare-response", "the bare Worker's whole answer: `Response.json` of its body"],
];

async function timeRequest(probe, step, n) {
  const started = performance.now();
  const res = await probe.fetch(`/?step=${step}&n=${n}`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`step ${step}: ${res.status} ${text}`);
  return performance.now() - started;
}

/**
 * @param {{vars: object, iterations: number, repeats: number}} o
 * @returns [{step, label, micros}] µs per run of each step
 */
export async function measureSteps({ vars, iterations, repeats, log }) {
  const probe = await startStepsProbe({ vars });
  try {
    const timed = async (step) => {
      await timeRequest(probe, step, iterations); // warm-up: V8 compiles the step's code
      const times = [];
      for (let i = 0; i < repeats; i++) times.push(await timeRequest(probe, step, iterations));
      return median(times);
    };
    const empty = await timed("none");
    const out = [];
    for (const [step, label] of STEPS) {
      log(`step ${step}`);
      out.push({ step, label, micros: ((await timed(step)) - empty) * 1000 / iterations });
    }
    return out;
  } finally {
    await probe.stop();
  }
}
