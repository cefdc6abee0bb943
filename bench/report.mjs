// The benchmark's results as Markdown (the figures BENCHMARKS.md quotes).

const KB = 1024;
const MB = 1024 * 1024;

const fixed = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "–");
const pct = (x) => (Number.isFinite(x) ? `±${(x * 50).toFixed(0)} %` : "–"); // half the range
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : "–");
const mib = (x) => (Number.isFinite(x) ? `${(x / MB).toFixed(1)} MiB` : "–");

function table(head, rows) {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function loadSection(load, labels) {
  const rows = [];
  for (const r of load.values()) {
    rows.push([
      labels[r.endpoint],
      r.target,
      `\`${r.path}\``,
      fixed(r.rps.median),
      pct(r.rps.spread),
      fixed(r.cpuMicros?.median),
      pct(r.cpuMicros?.spread),
      fixed(r.p50.median, 1),
      fixed(r.p90.median, 1),
      fixed(r.p99.median, 1),
      String(r.failures),
    ]);
  }
  const ratios = [];
  const names = {
    bare: "bare JS",
    "bare-headers": "bare JS with ours' headers",
    hono: "Hono",
    "hono-contract": "Hono with ours' headers and access line",
    ours: "ours",
  };
  for (const r of load.values()) {
    if (r.target !== "ours" && r.target !== "alt") continue;
    for (const base of r.target === "alt" ? ["ours"] : ["bare", "bare-headers", "hono", "hono-contract"]) {
      const b = load.get(`${r.endpoint}/${base}`);
      if (!b) continue;
      // req/s: higher is better for ours; latency: lower is better
      ratios.push([
        labels[r.endpoint],
        r.target,
        names[base],
        ratio(r.rps.median, b.rps.median),
        ratio(r.cpuMicros?.median, b.cpuMicros?.median),
        ratio(r.p50.median, b.p50.median),
        ratio(r.p90.median, b.p90.median),
        ratio(r.p99.median, b.p99.median),
      ]);
    }
  }
  const failed = [...load.values()].filter((r) => r.failures > 0).map((r) => `${r.endpoint}/${r.target}`);
  return [
    "### Throughput and latency (medians over the rounds; spread = half the min–max range)",
    "",
    "CPU µs/req: what the target's workerd process (every thread: HTTP, JavaScript, wasm, GC)",
    "spent per request, from its user + system time over the run; less sensitive than req/s to",
    "the load generator and other processes sharing the cores, and what Workers bill.",
    "",
    ...(failed.length ? [`**Not comparable: non-2xx answers in ${failed.join(", ")}.**`, ""] : []),
    table(["endpoint", "target", "path", "req/s", "spread", "CPU µs/req", "spread", "p50 ms", "p90 ms", "p99 ms", "non-2xx"], rows),
    "",
    "### Ours relative to the baselines (req/s: > 1 is faster; CPU and latency: < 1 is faster)",
    "",
    table(["endpoint", "target", "versus", "req/s", "CPU/req", "p50", "p90", "p99"], ratios),
  ].join("\n");
}

function startupSection(s) {
  const rows = [
    ["wasm size", `${fixed(s.size.raw / KB, 1)} KiB raw, ${fixed(s.size.gzip / KB, 1)} KiB gzip`],
    ["compile (node V8, median)", `${fixed(s.instantiate.compileMs, 2)} ms`],
    ["instantiate + initialise (CoreInstance: ag_init with the env)", `${fixed(s.instantiate.instantiateMs, 2)} ms`],
    ["CPU per `GET /health` through shim + core, in process (no runtime, no network)", `${fixed(s.healthCpuMicros)} µs`],
  ];
  const starts = Object.entries(s.fresh).map(([name, f]) => [name, fixed(f.readyMs), fixed(f.firstMs, 1), fixed(f.steadyMs, 1)]);
  return [
    "### Size and start-up",
    "",
    table(["figure", "value"], rows),
    "",
    "Fresh isolate (a new workerd per start; medians): ready = workerd up with the module compiled;",
    "first = the first `GET /health` (ours instantiates the core there); next 20 = the median of",
    "the 20 after it, sent one at a time (V8 is still tiering the code up then).",
    "",
    table(["target", "ready ms", "first request ms", "next 20: median ms"], starts),
  ].join("\n");
}

function memorySection(m) {
  const linear = m.linear.map((p) => [String(p.requests), mib(p.bytes), String(p.failures)]);
  const uploads = m.uploads.map((u) => [u.target, mib(u.size), mib(u.baseline), mib(u.peak), mib(u.growth), u.linear === null ? "–" : mib(u.linear)]);
  return [
    "### Memory",
    "",
    `Core linear memory over a mix of ${m.mix.join(", ")} (read from the admin deep health check):`,
    "",
    table(["requests served", "linear memory", "non-2xx so far"], linear),
    "",
    "workerd resident memory during one streamed `PUT /assets/...` (R2 persisted on disk):",
    "",
    table(["target", "upload", "RSS before", "RSS peak", "growth", "core linear memory after"], uploads),
  ].join("\n");
}

function workSection(work, labels) {
  const cell = (w) => `${w.roundTrips} rt / ${w.statements} stmt / ${w.connections} conn / ${w.providerCalls} provider`;
  const rows = work.map((w) => [labels[w.endpoint], w.target, `\`${w.path}\``, cell(w.first), cell(w.steady)]);
  return [
    "### Work per request",
    "",
    "Postgres round trips (Sync/Flush/Query messages), statements and connections counted by a",
    "proxy, provider calls counted at the Supabase Auth and RunPod stand-ins; background work included.",
    "",
    table(["endpoint", "target", "path", "first request of an isolate", "next request"], rows),
  ].join("\n");
}

/** The work section's target whose statements a latency target sends: the contract changes none. */
const WORK_TARGET = { ours: "ours", "hono-contract": "hono", "hono-pg": "hono-pg" };

function latencySection(latency, work, labels) {
  const rtt = latency.rttMs;
  const counted = (r) => work?.find((w) => w.endpoint === r.endpoint && w.target === WORK_TARGET[r.target])?.steady;
  const rows = latency.results.map((r) => {
    const w = counted(r);
    return [
      labels[r.endpoint] ?? r.label,
      r.target,
      w ? `${w.roundTrips} / ${w.statements}` : "–",
      fixed(r.p50.median, 1),
      pct(r.p50.spread),
      fixed(r.p99.median, 1),
      pct(r.p99.spread),
      fixed(r.p50.median / rtt, 2),
      fixed(r.p99.median / rtt, 2),
    ];
  });
  const verdicts = [];
  for (const r of latency.results.filter((x) => x.target === "ours")) {
    const w = counted(r);
    const bound = w ? 1.2 * w.roundTrips * rtt + 5 : NaN;
    const of = (target) => latency.results.find((x) => x.endpoint === r.endpoint && x.target === target);
    const [contract, onPg] = [of("hono-contract"), of("hono-pg")];
    verdicts.push([
      labels[r.endpoint] ?? r.label,
      `${fixed(r.p50.median, 1)} ≤ ${fixed(bound, 1)}: ${Number.isFinite(bound) ? (r.p50.median <= bound ? "met" : "not met") : "–"}`,
      `${ratio(r.p50.median, contract?.p50.median)}: ${r.p50.median <= 0.6 * contract?.p50.median ? "met" : "not met"}`,
      ratio(r.p50.median, onPg?.p50.median),
    ]);
  }
  return [
    "### Latency with the database at a distance",
    "",
    `A delaying proxy adds ${rtt} ms of round trip between the pooler and Postgres; requests one at a time,`,
    `${latency.requests} timed per round after a warm-up, ${latency.rounds} interleaved rounds; medians over the rounds of each`,
    "round's p50 and p99 (spread = half the min–max range), and the same in units of the injected",
    "round trip. rt / stmt: the work section's count for the next request (background work included).",
    `Through the proxy: ${latency.proxy.connections} connections, ${latency.proxy.chunks} chunks, ${latency.proxy.bytes} bytes.`,
    "",
    table(["endpoint", "target", "rt / stmt", "p50 ms", "spread", "p99 ms", "spread", "p50 ÷ RTT", "p99 ÷ RTT"], rows),
    "",
    `Ours against the targets: p50 within 1.2 × (round trips × ${rtt} ms) + 5 ms, and ≤ 0.6 × \`hono-contract\`'s;`,
    "beside them, ours ÷ the same Hono on ours' driver (`hono-pg`).",
    "",
    table(["endpoint", "p50 ms ≤ bound", "÷ hono-contract (≤ 0.6)", "÷ hono-pg"], verdicts),
  ].join("\n");
}

const percent = (x) => `${(100 * x).toFixed(1)} %`;

function profileSection(profiles, labels) {
  const parts = [
    "### Where the CPU goes under load",
    "",
    "A V8 CPU profile of each Worker's isolate in workerd (its inspector, 100 µs sampling) while",
    "autocannon loads the endpoint: self time by kind of code, as shares of the samples (idle",
    "included, so a busier isolate shows less idle), then ours' busiest functions (wasm",
    "functions are unnamed in the deploy build). The profiler slows every target alike.",
  ];
  for (const endpoint of [...new Set(profiles.map((p) => p.endpoint))]) {
    const runs = profiles.filter((p) => p.endpoint === endpoint);
    const kinds = [...new Set(runs.flatMap((p) => p.kinds.map((k) => k.name)))];
    const shareOf = (p, kind) => p.kinds.find((k) => k.name === kind)?.share ?? 0;
    const ours = runs.find((p) => p.target === "ours");
    parts.push(
      "",
      `#### ${labels[endpoint]} (\`${runs[0].path}\`)`,
      "",
      table(
        ["kind of code", ...runs.map((p) => `${p.target} (${p.rps.toFixed(0)} req/s)`)],
        [...kinds.map((kind) => [kind, ...runs.map((p) => percent(shareOf(p, kind)))])],
      ),
      "",
      table(["ours: function — kind", "share of samples"], ours.functions.map((f) => [f.name, percent(f.share)])),
    );
  }
  return parts.join("\n");
}

function stepsSection(steps, settings) {
  return [
    "### What each step of ours' GET /health costs inside workerd",
    "",
    `Each step of the shim's request path run ${settings.stepIterations} times inside one request of a`,
    "probe Worker (`bench/workers/steps`), on the real core; the median of",
    `${settings.stepRepeats} such requests, less that of an empty loop, per run. No load, one isolate.`,
    "",
    table(["step", "µs per run"], steps.map((s) => [s.label, s.micros.toFixed(1)])),
  ].join("\n");
}

export function renderReport(results) {
  const labels = Object.fromEntries(results.endpoints.map((e) => [e.id, e.label]));
  const m = results.machine;
  const parts = [
    `## Run of ${results.startedAt} (${results.quick ? "--quick" : "full"})`,
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${mib(m.memory)} RAM, ${m.os}; node ${m.node}, ${m.workerd}.`,
    `Load average before / after: ${m.loadBefore.map((x) => x.toFixed(2)).join(" ")} / ${m.loadAfter.map((x) => x.toFixed(2)).join(" ")}.`,
    ...(results.altWasm ? [`Target alt: our Worker with \`${results.altWasm}\`.`] : []),
  ];
  if (results.load) {
    const { rounds, duration, connections, warmup } = results.settings;
    parts.push(`Load: ${rounds} interleaved rounds × ${duration} s per endpoint and target, ${connections} connections, after a ${warmup} s warm-up each.`);
  }
  if (results.load) parts.push("", loadSection(results.load, labels));
  if (results.startup) parts.push("", startupSection(results.startup));
  if (results.memory) parts.push("", memorySection(results.memory));
  if (results.work) parts.push("", workSection(results.work, labels));
  if (results.latency) parts.push("", latencySection(results.latency, results.work, labels));
  if (results.profile) parts.push("", profileSection(results.profile, labels));
  if (results.steps) parts.push("", stepsSection(results.steps, results.settings));
  return `${parts.join("\n")}\n`;
}
