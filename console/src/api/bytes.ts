// Asset bytes, which go around the JSON client: an upload with progress (XMLHttpRequest is the
// browser's only API that reports upload progress) and downloads as Blobs.
import { ApiError, currentBearer } from "./client";

/** The URL path of an asset key: each segment percent-encoded, the slashes kept. */
export const assetPath = (key: string) => `/assets/${key.split("/").map(encodeURIComponent).join("/")}`;

function refusal(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: string; message?: string };
    return new ApiError(status, body.error ?? `http_${status}`, body.message ?? "request failed", body);
  } catch {
    return new ApiError(status, `http_${status}`, text || "request failed");
  }
}

/** PUT /assets/<key> with the file's bytes; `progress` gets 0..1 as they leave. */
export function uploadAsset(key: string, file: File, progress: (fraction: number) => void): Promise<{ key: string; size: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", assetPath(key));
    const token = currentBearer();
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("content-type", file.type || "application/octet-stream");
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText));
      else reject(refusal(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "The upload did not reach the API"));
    xhr.send(file);
  });
}

/** GET /assets/<key> (with the caller's token) as a Blob. */
export async function fetchAsset(key: string): Promise<Blob> {
  const token = currentBearer();
  const res = await fetch(assetPath(key), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw refusal(res.status, await res.text());
  return res.blob();
}

/** Saves a Blob as a file, the way a download link would. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
