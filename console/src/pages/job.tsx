// One job: its status, price, timeline and outputs (image / video / audio / text), download and
// cancel. While it is open, its event stream (GET /jobs/:id/events) updates the page live.
import { useEffect, useState } from "preact/hooks";
import { api, unwrap, type Job } from "../api/client";
import { readEvents } from "../api/events";
import { Curl } from "../components/curl";
import { SignInFirst } from "../components/layout";
import { Media } from "../components/media";
import { bytes, Card, credits, ErrorNote, Show, StatusBadge, useAction, useLoad, when } from "../components/ui";
import { href } from "../router";
import { useSession } from "../session";

const OPEN = new Set(["queued", "submitted", "running"]);

interface Step {
  status: string;
  at: string;
  note?: string;
}

/** The provider's latest progress report, as a line of text (RunPod's output while running). */
function progressText(result: unknown): string | null {
  const output = (result as { output?: unknown } | null)?.output;
  if (typeof output === "string") return output;
  return null;
}

function Outputs({ job }: { job: Job }) {
  const outputs = job.outputs ?? [];
  if (!outputs.length) return job.status === "completed" ? <p class="muted">The job finished without files.</p> : null;
  return (
    <ul class="outputs">
      {outputs.map((o, i) => (
        <li key={o.key ?? i} class="output">
          {o.url ? (
            <>
              <Media url={o.url} type={o.content_type ?? ""} label={`Output ${i + 1} of job ${job.job_id}`} />
              <p class="row">
                <span class="muted">{o.content_type} · {bytes(o.size)}</span>
                <a class="button button-small button-quiet" href={o.url} download={o.key?.split("/").pop()}>Download</a>
              </p>
            </>
          ) : (
            <p class="muted">{o.deleted_at ? `Deleted by retention on ${when(o.deleted_at)}.` : `Not copied: ${o.error ?? "unknown"} (${o.source ?? ""})`}</p>
          )}
        </li>
      ))}
    </ul>
  );
}

function Timeline({ steps }: { steps: Step[] }) {
  return (
    <ol class="timeline" aria-label="Timeline">
      {steps.map((s, i) => (
        <li key={i}>
          <StatusBadge status={s.status} /> <span class="muted">{when(s.at)}</span>
          {s.note && <span class="note-inline"> {s.note}</span>}
        </li>
      ))}
    </ol>
  );
}

function JobView({ id }: { id: string }) {
  const loaded = useLoad(() => unwrap(api.GET("/jobs/{id}", { params: { path: { id } } })), [id]);
  const [job, setJob] = useState<Job | null>(null);
  const [steps, setSteps] = useState<Step[]>([]);
  const [progress, setProgress] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const current = job ?? loaded.data;

  useEffect(() => {
    const first = loaded.data;
    if (!first) return;
    setJob(first);
    setSteps([{ status: "created", at: first.created_at ?? new Date().toISOString() }, ...(OPEN.has(first.status) ? [] : [{ status: first.status, at: first.finished_at ?? first.updated_at ?? "" }])]);
    if (!OPEN.has(first.status)) return;
    const abort = new AbortController();
    setLive(true);
    readEvents(`/jobs/${encodeURIComponent(id)}/events`, (e) => {
      if (e.event === "progress") {
        setProgress(progressText((JSON.parse(e.data) as { result?: unknown }).result));
        return;
      }
      if (e.event !== "status") return;
      const next = JSON.parse(e.data) as Job;
      setJob(next);
      setSteps((s) => (s[s.length - 1]?.status === next.status ? s : [...s, { status: next.status, at: next.updated_at ?? new Date().toISOString() }]));
    }, abort.signal)
      .catch((err) => abort.signal.aborted || setError(err))
      .finally(() => setLive(false));
    return () => abort.abort();
  }, [loaded.data]);

  const cancelling = useAction();
  const cancel = () =>
    cancelling.run(async () => {
      await unwrap(api.POST("/jobs/{id}/cancel", { params: { path: { id } } }));
      loaded.reload();
    });

  return (
    <Show state={loaded} what="the job">
      {() => {
        const j = current!;
        const open = OPEN.has(j.status);
        return (
          <>
            <div class="grid">
              <Card title="Status" actions={live ? <span class="live" role="status">live</span> : undefined}>
                <p class="big">
                  <StatusBadge status={j.status} />
                </p>
                {open && progress && <p class="muted" aria-live="polite">{progress}</p>}
                <dl class="facts">
                  <dt>Model</dt>
                  <dd>{j.model ?? "—"}{j.run_model && j.run_model !== j.model ? ` (ran on ${j.run_model})` : ""}</dd>
                  <dt>Price</dt>
                  <dd>{credits(j.cost_credits ?? 0)} reserved{j.charged_credits !== null && j.charged_credits !== undefined ? `, ${j.charged_credits} charged` : ""}</dd>
                  <dt>Created</dt>
                  <dd>{when(j.created_at)}</dd>
                  <dt>Finished</dt>
                  <dd>{when(j.finished_at)}</dd>
                </dl>
                {j.error ? <ErrorNote error={typeof j.error === "string" ? j.error : JSON.stringify(j.error)} title="The job failed" /> : null}
                <ErrorNote error={error} title="The live updates stopped" />
                <ErrorNote error={cancelling.error} title="Could not cancel" />
                {open && (
                  <button type="button" class="button button-danger" onClick={cancel} disabled={cancelling.busy}>
                    Cancel job
                  </button>
                )}
              </Card>
              <Card title="Timeline">
                <Timeline steps={steps} />
              </Card>
            </div>
            <Card title="Outputs">
              {open ? <p class="loading" role="status" data-waiting><span class="spinner" aria-hidden="true" /> Waiting for the job to finish…</p> : <Outputs job={j} />}
            </Card>
            <Curl calls={[{ path: `/jobs/${id}` }, { path: `/jobs/${id}/events`, extra: ["-N"] }, ...(open ? [{ method: "POST", path: `/jobs/${id}/cancel` }] : [])]} />
          </>
        );
      }}
    </Show>
  );
}

export function JobPage({ id }: { id: string }) {
  const { session } = useSession();
  return (
    <>
      <p class="crumbs">
        <a href={href("jobs")}>Jobs</a> / <span class="mono">{id}</span>
      </p>
      <h1>Job</h1>
      {session ? <JobView id={id} /> : <SignInFirst what="this job" />}
    </>
  );
}
