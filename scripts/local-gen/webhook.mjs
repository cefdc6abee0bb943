// RunPod's completion webhook (PROTOCOLS.md "RunPod Serverless"): the job's /status body plus
// its `input`, POSTed when the job ends; any 2xx is delivered, otherwise at most 2 more
// attempts, 10 s apart. Unsigned, like RunPod's: the URL carries the receiver's secret.
import { setTimeout as sleep } from "node:timers/promises";

const ATTEMPTS = 3;
const RETRY_MS = 10_000;
const TIMEOUT_MS = 10_000;

/** Delivers `body` to `url`; resolves once delivered or given up (never rejects). */
export async function deliverWebhook(url, body, log) {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(RETRY_MS);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.ok) return;
      log(`webhook of ${body.id}: attempt ${attempt} answered ${res.status}`);
    } catch (err) {
      log(`webhook of ${body.id}: attempt ${attempt} failed: ${err.message}`);
    }
  }
}
