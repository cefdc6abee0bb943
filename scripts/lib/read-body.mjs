// A request's body for the local stand-ins (scripts/local-gen, scripts/local-auth): the bytes,
// or null when there are more than `max` (read to the end all the same, so the answer reaches
// the client).

export function readBody(req, max) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on("end", () => resolve(size > max ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
