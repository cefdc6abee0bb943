// Assets: upload with a progress bar, the caller's files page by page, preview, download,
// a signed link anyone can open, delete.
import { useEffect, useState } from "preact/hooks";
import { api, unwrap, type ListedAsset } from "../api/client";
import { assetPath, fetchAsset, saveBlob, uploadAsset } from "../api/bytes";
import { Curl } from "../components/curl";
import { SignInFirst } from "../components/layout";
import { Media } from "../components/media";
import { bytes, Card, Empty, ErrorNote, Notice, Pager, Show, useAction, useCursors, useLoad, when } from "../components/ui";
import { useSession } from "../session";

const PAGE = 20;

function Upload({ prefix, onDone }: { prefix: string; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [stored, setStored] = useState<string | null>(null);
  const key = `${prefix}${name}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setStored(null);
    setProgress(0);
    try {
      const answer = await uploadAsset(key, file, setProgress);
      setStored(answer.key);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  return (
    <Card title="Upload">
      <form class="form" onSubmit={submit}>
        <label>
          File
          <input
            type="file"
            name="file"
            required
            onChange={(e) => {
              const chosen = e.currentTarget.files?.[0] ?? null;
              setFile(chosen);
              if (chosen) setName(chosen.name.replace(/[^\w.-]+/g, "-"));
            }}
          />
        </label>
        <label>
          Key
          <span class="input-prefix">
            <span class="mono" aria-hidden="true">{prefix}</span>
            <input type="text" name="key" required value={name} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="key-hint" />
          </span>
        </label>
        <p class="hint" id="key-hint">Stored as <span class="mono">{key || "…"}</span>.</p>
        {progress !== null && (
          <label class="progress">
            Uploading {Math.round(progress * 100)}%
            <progress max={1} value={progress} />
          </label>
        )}
        <ErrorNote error={error} title="The upload was refused" />
        {stored && <Notice tone="success">Stored <span class="mono">{stored}</span>.</Notice>}
        <button type="submit" class="button" disabled={!file || progress !== null}>
          Upload
        </button>
      </form>
      <Curl calls={[{ method: "PUT", path: assetPath(key || `${prefix}photo.png`), headers: { "Content-Type": file?.type || "image/png" }, extra: [`--data-binary @${name || "photo.png"}`] }]} />
    </Card>
  );
}

function AssetRow({ asset, onChange }: { asset: ListedAsset; onChange: () => void }) {
  const [preview, setPreview] = useState<{ url: string; type: string } | null>(null);
  const [link, setLink] = useState<{ url: string; expires_at: string } | null>(null);
  const { error, run: perform } = useAction();
  const name = asset.key.split("/").pop() ?? asset.key;
  useEffect(() => () => preview && URL.revokeObjectURL(preview.url), [preview]);
  const run = (action: () => Promise<void>) => () => void perform(action);
  const show = run(async () => {
    if (preview) return setPreview(null);
    const blob = await fetchAsset(asset.key);
    setPreview({ url: URL.createObjectURL(blob), type: blob.type });
  });
  const download = run(async () => saveBlob(await fetchAsset(asset.key), name));
  const sign = run(async () => setLink(await unwrap(api.POST("/assets/sign", { body: { key: asset.key, expires_in: 3600 } }))));
  const remove = run(async () => {
    if (!confirm(`Delete ${asset.key}?`)) return;
    await unwrap(api.DELETE("/assets/{key}", { params: { path: { key: asset.key } } }));
    onChange();
  });
  return (
    <li class="asset">
      <div class="asset-head">
        <div>
          <div class="mono asset-key">{asset.key}</div>
          <div class="muted">
            {bytes(asset.size)} · {when(asset.uploaded)}
          </div>
        </div>
        <div class="row row-tight" role="group" aria-label={`Actions for ${name}`}>
          <button type="button" class="button button-small button-quiet" onClick={show} aria-expanded={preview !== null}>
            {preview ? "Hide" : "Preview"}
          </button>
          <button type="button" class="button button-small button-quiet" onClick={download}>Download</button>
          <button type="button" class="button button-small button-quiet" onClick={sign}>Signed link</button>
          <button type="button" class="button button-small button-danger" onClick={remove}>Delete</button>
        </div>
      </div>
      <ErrorNote error={error} />
      {link && (
        <p class="signed">
          <label>
            Signed link (anyone may open it until {when(link.expires_at)})
            <input type="text" readOnly value={link.url} onFocus={(e) => e.currentTarget.select()} />
          </label>
        </p>
      )}
      {preview && <Media url={preview.url} type={preview.type} label={asset.key} />}
    </li>
  );
}

type Caller = NonNullable<ReturnType<typeof useSession>["session"]>;

export function AssetsPage() {
  const { session } = useSession();
  return session ? <Assets session={session} /> : <SignInFirst what="your files" />;
}

function Assets({ session }: { session: Caller }) {
  const [area, setArea] = useState<"users" | "outputs">("users");
  const prefix = session.kind === "user" ? `${area}/${session.userId}/` : area === "users" ? "" : "outputs/";
  const { cursor, back, forward, restart } = useCursors([prefix]);
  const list = useLoad(() => unwrap(api.GET("/assets", { params: { query: { prefix, cursor, limit: PAGE } } })), [prefix, cursor]);
  const query = `prefix=${encodeURIComponent(prefix)}&limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  return (
    <>
      <h1>Assets</h1>
      <Upload prefix={session.kind === "user" ? `users/${session.userId}/` : "uploads/"} onDone={() => { restart(); list.reload(); }} />
      <Card title="Files">
        <div class="tabs" role="group" aria-label="Which files">
          {(["users", "outputs"] as const).map((a) => (
            <button type="button" key={a} class="button button-small" aria-pressed={area === a} onClick={() => setArea(a)}>
              {a === "users" ? (session.kind === "user" ? "My uploads" : "All files") : "Job outputs"}
            </button>
          ))}
        </div>
        <Show state={list} what="files">
          {(page) => (
            <>
              {page.objects.length ? (
                <ul class="assets">
                  {page.objects.map((asset) => (
                    <AssetRow key={asset.key} asset={asset} onChange={list.reload} />
                  ))}
                </ul>
              ) : (
                <Empty>No files here yet.</Empty>
              )}
              <Pager back={back} forward={forward(page.cursor)} />
            </>
          )}
        </Show>
        <Curl calls={[{ path: `/assets?${query}` }]} />
      </Card>
    </>
  );
}
