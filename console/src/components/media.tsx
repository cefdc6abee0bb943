// A file shown the way its type is meant to be seen: image, video, audio or text.
import { useEffect, useState } from "preact/hooks";

export function Media({ url, type, label }: { url: string; type: string; label: string }) {
  const [text, setText] = useState<string | null>(null);
  const isText = type.startsWith("text/") || type === "application/json";
  useEffect(() => {
    if (!isText) return;
    fetch(url).then((r) => r.text()).then(setText, () => setText("(the text could not be read)"));
  }, [url, isText]);
  if (type.startsWith("image/")) return <img class="media" src={url} alt={label} />;
  if (type.startsWith("video/")) return <video class="media" src={url} controls aria-label={label} />;
  if (type.startsWith("audio/")) return <audio class="media-audio" src={url} controls aria-label={label} />;
  if (isText) return <pre class="media-text" tabIndex={0} title={label}>{text ?? "…"}</pre>;
  return <p>No preview for {type || "this type"}.</p>;
}
