// Where our Worker's CPU goes under load: a V8 CPU profile of its isolate inside workerd, taken
// through workerd's inspector while autocannon loads one endpoint, then summarised by kind of
// code. In-process figures (bench/startup.mjs) leave out the runtime; this does not.

import net from "node:net";
import WebSocket from "ws";
import { hammer } from "./load.mjs";

// The isolate of the Worker itself; Miniflare's own service Workers have titles of their own.
const USER_WORKER_TITLE = "workerd: worker core:user:";
const SAMPLING_INTERVAL_US = 100;

/** Kind of code a profile node belongs to, from its call frame. */
function kindOf({ functionName, url }) {
  if (functionName === "(idle)") return "idle (waiting for I/O)";
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)" || functionName === "(root)") return "runtime (native, outside JS)";
  if (url.startsWith("wasm://")) return "core (wasm)";
  if (url.startsWith("node-internal:")) return "workerd's node: layer (console formatting, Buffer, streams)";
  if (url === "") return "JS builtins (Response, Headers, JSON, TextDecoder...)";
  return "bundled JavaScript (shim or app, database driver)";
}

/** A port nobody listens on now, for the inspector. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function inspectorSession(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const target = targets.find((t) => t.title === USER_WORKER_TITLE);
  if (!target) throw new Error(`no ${USER_WORKER_TITLE} among ${targets.map((t) => t.title).join(", ")}`);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let lastId = 0;
  const waiting = new Map();
  ws.on("message", (data) => {
    const message = JSON.parse(data);
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  return {
    send(method, params = {}) {
      const id = ++lastId;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}

/**
 * Self time per kind of code and per function, as shares of all samples. An unnamed function
 * is named by its caller: the runtime's native functions (console.log among them) are unnamed
 * in V8's profiles, and "(anonymous)" alone would lump them all together.
 */
export function summarizeProfile(profile, top) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const callers = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) callers.set(child, n);
  const kinds = new Map();
  const functions = new Map();
  for (const id of profile.samples) {
    const frame = nodes.get(id).callFrame;
    const kind = kindOf(frame);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const caller = callers.get(id)?.callFrame.functionName;
    const unnamed = caller && caller !== "(root)" ? `(anonymous, called by ${caller})` : "(anonymous, called by the runtime)";
    const name = `${frame.functionName || unnamed} — ${kind}`;
    functions.set(name, (functions.get(name) ?? 0) + 1);
  }
  const share = (entries) =>
    [...entries].sort((a, b) => b[1] - a[1]).map(([name, n]) => ({ name, share: n / profile.samples.length }));
  return { samples: profile.samples.length, kinds: share(kinds), functions: share(functions).slice(0, top) };
}

/**
 * Loads `plan` on a Worker started by `start(inspectorPort)` for `seconds` (after a warm-up)
 * while profiling its isolate; returns {rps, samples, kinds, functions}.
 */
export async function profileUnderLoad(start, plan, { port, seconds, warmup, connections, top = 12 }) {
  const target = await start(port);
  try {
    await hammer(target, plan, { connections, duration: warmup });
    const session = await inspectorSession(port);
    try {
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
      await session.send("Profiler.start");
      const load = await hammer(target, plan, { connections, duration: seconds });
      const { result } = await session.send("Profiler.stop");
      return { rps: load.rps, ...summarizeProfile(result.profile, top) };
    } finally {
      session.close();
    }
  } finally {
    await target.stop();
  }
}
