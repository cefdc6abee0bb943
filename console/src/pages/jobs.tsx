// Jobs: pick a model, fill in its inputs (a form made from its input schema) with the price
// estimated as you type, create the job; your jobs, filtered by status, page by page.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, unwrap, type JobStatus, type Model } from "../api/client";
import { Curl } from "../components/curl";
import { JobsTable } from "../components/jobs-table";
import { SignInFirst } from "../components/layout";
import { SchemaForm, type Inputs } from "../components/schema-form";
import { Card, credits, Empty, ErrorNote, Pager, Show, useAction, useCursors, useLoad } from "../components/ui";
import { navigate } from "../router";
import { useSession } from "../session";

const STATUSES: JobStatus[] = ["queued", "submitted", "running", "completed", "failed", "cancelled", "timed_out", "error", "noop"];
const PAGE = 20;

/** POST /jobs' body: the prompt at the top, the other inputs under `input`. */
function jobBody(model: string, inputs: Inputs, webhookUrl: string) {
  const { prompt, ...input } = inputs;
  return {
    model,
    prompt: typeof prompt === "string" ? prompt : "",
    ...(Object.keys(input).length ? { input } : {}),
    ...(webhookUrl ? { webhook_url: webhookUrl } : {}),
  };
}

function Estimate({ body }: { body: ReturnType<typeof jobBody> }) {
  const [debounced, setDebounced] = useState(body);
  const key = JSON.stringify(body);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(body), 350);
    return () => clearTimeout(timer);
  }, [key]);
  const estimate = useLoad(
    () => (debounced.prompt ? unwrap(api.POST("/jobs/estimate", { body: debounced })) : Promise.resolve(null)),
    [JSON.stringify(debounced)],
  );
  if (!debounced.prompt) return <p class="estimate muted">Write a prompt to see the price.</p>;
  if (estimate.error) return <ErrorNote error={estimate.error} title="Not a valid job yet" />;
  if (!estimate.data) return <p class="estimate muted" aria-live="polite">Estimating…</p>;
  const e = estimate.data;
  return (
    <p class={`estimate ${e.affordable ? "" : "estimate-short"}`} aria-live="polite" data-testid="estimate">
      Price: <strong>{credits(e.cost_credits)}</strong>
      {e.balance !== null && <> · your balance {e.balance}</>}
      {!e.affordable && <> · not enough credits</>}
    </p>
  );
}

function NewJob({ models }: { models: Model[] }) {
  const [modelId, setModelId] = useState(models.find((m) => m.default)?.id ?? models[0]?.id ?? "");
  const model = models.find((m) => m.id === modelId);
  const [inputs, setInputs] = useState<Inputs>({});
  const { busy, error, run } = useAction();
  const [webhookUrl, setWebhookUrl] = useState("");
  const body = useMemo(() => jobBody(modelId, inputs, webhookUrl.trim()), [modelId, inputs, webhookUrl]);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const created = await unwrap(api.POST("/jobs", { body, params: { header: { "Idempotency-Key": crypto.randomUUID() } } }));
      navigate("jobs", created.job_id);
    });
  };
  return (
    <Card title="New job">
      <form class="form" onSubmit={submit}>
        <label>
          Model
          <select name="model" value={modelId} onChange={(e) => { setModelId(e.currentTarget.value); setInputs({}); }}>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id} ({m.content_type}, from {credits(m.cost_credits)})
              </option>
            ))}
          </select>
        </label>
        {model && <SchemaForm key={model.id} schema={model.input_schema} values={inputs} onChange={setInputs} />}
        <label>
          <span>
            Webhook URL <span class="muted">(optional)</span>
          </span>
          <input type="url" name="webhook_url" inputMode="url" placeholder="https://example.com/hooks/alphogen" value={webhookUrl}
            onInput={(e) => setWebhookUrl(e.currentTarget.value)} aria-describedby="webhook-hint" />
        </label>
        <p class="hint" id="webhook-hint">Called once when the job finishes, signed with your secret (see Webhooks).</p>
        <Estimate body={body} />
        <ErrorNote error={error} title="The job was refused" />
        <button type="submit" class="button" disabled={busy || !body.prompt}>
          {busy ? "Creating…" : "Create job"}
        </button>
      </form>
      <Curl calls={[{ method: "POST", path: "/jobs/estimate", body }, { method: "POST", path: "/jobs", body }]} />
    </Card>
  );
}

function JobList() {
  const [status, setStatus] = useState("");
  const { cursor, back, forward } = useCursors([status]);
  const jobs = useLoad(() => unwrap(api.GET("/jobs", { params: { query: { limit: PAGE, cursor, ...(status ? { status } : {}) } } })), [status, cursor]);
  const query = `limit=${PAGE}${status ? `&status=${status}` : ""}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
  return (
    <Card title="Your jobs">
      <label class="inline">
        Status
        <select name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>{s.replace("_", " ")}</option>
          ))}
        </select>
      </label>
      <Show state={jobs} what="jobs">
        {(page) => (
          <>
            {page.jobs.length ? <JobsTable jobs={page.jobs} caption="Your jobs" /> : <Empty>No jobs{status ? ` with status ${status}` : ""}.</Empty>}
            <Pager back={back} forward={forward(page.cursor)} />
          </>
        )}
      </Show>
      <Curl calls={[{ path: `/jobs?${query}` }]} />
    </Card>
  );
}

export function JobsPage() {
  const { session } = useSession();
  const models = useLoad(() => unwrap(api.GET("/models")), []);
  if (!session) return <SignInFirst what="your jobs" />;
  return (
    <>
      <h1>Jobs</h1>
      <Show state={models} what="models">
        {(m) => (m.models.length ? <NewJob models={m.models} /> : <Empty>No models are enabled on this API.</Empty>)}
      </Show>
      <JobList />
    </>
  );
}
