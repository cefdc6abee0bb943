// `sleep`: resumes the task after `ms` milliseconds (a Prefer: wait poll between two looks at
// a job). Bounded, so no effect can hold a request open for longer than a minute.

const MAX_MS = 60_000;

export async function performSleep(effect) {
  const ms = Number(effect?.ms);
  if (!Number.isFinite(ms) || ms < 0) return { error: { code: "invalid_effect", message: "sleep needs ms ≥ 0" } };
  await new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_MS)));
  return {};
}
