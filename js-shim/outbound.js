// The Outbound entrypoint: the `fetch` effect performed in an invocation of its own, reached
// through the OUTBOUND service binding (this same Worker). NOTE: workerd fails the whole
// invocation ("exception": a cron run answers 500) when a fetch with a body cannot resolve its
// host, even though the rejection is caught; in a callee of its own, that failure stays the
// callee's and the caller gets the usual {error: network}.

import { WorkerEntrypoint } from "cloudflare:workers";
import { performFetch } from "./effects/fetch.js";

export class Outbound extends WorkerEntrypoint {
  /** performFetch's result for `effect`. */
  perform(effect) {
    return performFetch(effect, this.env);
  }
}
