// The `queue.send` effect: a JSON message onto the Cloudflare Queue bound as `effect.queue`.

export async function performQueueSend(effect, scope) {
  const queue = scope.env[effect.queue];
  if (!queue || typeof queue.send !== "function") {
    return { error: { code: "unavailable", message: `no queue binding ${JSON.stringify(effect.queue)}` } };
  }
  await queue.send(effect.body, { contentType: "json" });
  return {};
}
