// A streamed body (src/abi/README.md, "Streamed bodies"): the core's response head arrives while
// its task goes on; each `stream.write` effect is a chunk of the body, the task's `done` closes
// it, and a client that goes away (the reader cancels) ends the task in the core at once.

const encoder = new TextEncoder();

export class BodyStream {
  /** @param {() => void} onGone called once when the client stops reading */
  constructor(onGone) {
    this.gone = false;
    this.readable = new ReadableStream({
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => {
        this.gone = true;
        onGone();
      },
    });
  }

  /** Queues `text`; false once the client has gone. */
  write(text) {
    if (this.gone) return false;
    this.controller.enqueue(encoder.encode(text));
    return true;
  }

  close() {
    if (this.gone) return;
    this.gone = true;
    this.controller.close();
  }
}

/** The `stream.write` effect. */
export function performStreamWrite(effect, scope) {
  if (!scope.stream) return { error: { code: "unsupported", message: "the task has no streamed body" } };
  if (!scope.stream.write(String(effect.data ?? ""))) return { error: { code: "closed", message: "the client has gone" } };
  return {};
}
