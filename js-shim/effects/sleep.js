// `sleep`: resumes the task after `ms` milliseconds (a Prefer: wait poll between two looks at
// a job, a streamed body's pause). Bounded, so no effect can hold a request open for longer
// than a minute; cut short when the task is cancelled (its client went away).

const MAX_MS = 60_000;

export async function performSleep(effect, scope) {
  const ms = Number(effect?.ms);
  if (!Number.isFinite(ms) || ms < 0) return { error: { code: "invalid_effect", message: "sleep needs ms ≥ 0" } };
  const signal = scope?.cancelled;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.min(ms, MAX_MS));
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
  return {};
}
