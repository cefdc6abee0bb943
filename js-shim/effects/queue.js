// The `queue.send` effect: a JSON message onto the Cloudflare Queue bound as `effect.queue`,
// delivered after `effect.delay_seconds` when given (the Queue's own per-message delay: a job
// webhook's retry waits on the Queue, not in a task).

const MAX_DELAY_SECONDS = 43200; // Cloudflare Queues: delaySeconds up to 12 hours

export async function performQueueSend(effect, scope) {
  const queue = scope.env[effect.queue];
  if (!queue || typeof queue.send !== "function") {
    return { error: { code: "unavailable", message: `no queue binding ${JSON.stringify(effect.queue)}` } };
  }
  const delay = effect.delay_seconds;
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= MAX_DELAY_SECONDS)) {
    return { error: { code: "invalid_effect", message: `delay_seconds must be an integer from 0 to ${MAX_DELAY_SECONDS}` } };
  }
  await queue.send(effect.body, delay ? { contentType: "json", delaySeconds: delay } : { contentType: "json" });
  return {};
}
