// GET /jobs/:id/events read with fetch: a browser EventSource cannot send the Authorization
// header, so the Server-Sent Events are parsed here.
import { ApiError, currentBearer } from "./client";

export interface ServerEvent {
  event: string;
  id: string | null;
  data: string;
}

/** Calls `onEvent` for each event until the stream closes (or `signal` aborts it). */
export async function readEvents(path: string, onEvent: (e: ServerEvent) => void, signal: AbortSignal) {
  const token = currentBearer();
  const res = await fetch(path, { headers: { accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
  if (res.status === 204) return;
  if (!res.ok || !res.body) throw new ApiError(res.status, `http_${res.status}`, "the event stream was refused");
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: ServerEvent = { event: "message", id: null, data: "" };
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event.event = text;
        else if (field === "id") event.id = text;
        else if (field === "data") data.push(text);
      }
      if (data.length) onEvent({ ...event, data: data.join("\n") });
    }
  }
}
