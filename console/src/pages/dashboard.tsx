// Dashboard: the API's health (deep for the admin), the caller's balance, their newest jobs and
// the things one comes here to do.
import { api, unwrap } from "../api/client";
import { Curl } from "../components/curl";
import { JobsTable } from "../components/jobs-table";
import { Card, Empty, Show, useLoad, when } from "../components/ui";
import { href } from "../router";
import { useSession } from "../session";

function Health({ deep }: { deep: boolean }) {
  const health = useLoad(async () => {
    const { data, error, response } = await api.GET("/health", { params: { query: deep ? { deep: "1" } : {} } });
    // a deep check that failed answers 503 with the same document
    if (response.status === 503 && error) return error as unknown as NonNullable<typeof data>;
    return unwrap(Promise.resolve({ data, error, response }));
  }, [deep]);
  return (
    <Card title={deep ? "Health (deep)" : "Health"} actions={<button type="button" class="button button-small button-quiet" onClick={health.reload}>Refresh</button>}>
      <Show state={health} what="health">
        {(h) => (
          <>
            <p class="big">
              <span class={`dot ${h.ok ? "dot-ok" : "dot-bad"}`} aria-hidden="true" />
              {h.ok ? "Healthy" : "Unhealthy"}
            </p>
            <dl class="facts">
              <dt>Version</dt>
              <dd class="mono">{h.version}</dd>
              <dt>Checked</dt>
              <dd>{when(new Date(h.ts).toISOString())}</dd>
              {h.checks && (
                <>
                  <dt>Database</dt>
                  <dd>{h.checks.database?.ok ? "ok" : `failing (${h.checks.database?.error ?? "?"})`}</dd>
                  <dt>Storage (R2)</dt>
                  <dd>{h.checks.storage?.ok ? "ok" : `failing (${h.checks.storage?.error ?? "?"})`}</dd>
                </>
              )}
              {h.live_tasks !== undefined && (
                <>
                  <dt>Live tasks</dt>
                  <dd>{h.live_tasks}</dd>
                </>
              )}
            </dl>
          </>
        )}
      </Show>
      <Curl calls={[{ path: deep ? "/health?deep=1" : "/health", auth: deep }]} />
    </Card>
  );
}

function Balance() {
  const credits = useLoad(() => unwrap(api.GET("/credits", {})), []);
  return (
    <Card title="Balance">
      <Show state={credits} what="your balance">
        {(c) => (
          <p class="big">
            {c.balance} <span class="unit">credits</span>
          </p>
        )}
      </Show>
      <p>
        <a href={href("billing")}>Buy credits</a>
      </p>
      <Curl calls={[{ path: "/credits" }]} />
    </Card>
  );
}

function RecentJobs() {
  const jobs = useLoad(() => unwrap(api.GET("/jobs", { params: { query: { limit: 5 } } })), []);
  return (
    <Card title="Recent jobs" actions={<a href={href("jobs")}>All jobs</a>}>
      <Show state={jobs} what="recent jobs">
        {(page) => (page.jobs.length ? <JobsTable jobs={page.jobs} caption="Recent jobs" /> : <Empty>No jobs yet. <a href={href("jobs")}>Create your first one.</a></Empty>)}
      </Show>
      <Curl calls={[{ path: "/jobs?limit=5" }]} />
    </Card>
  );
}

export function DashboardPage() {
  const { session } = useSession();
  return (
    <>
      <h1>Dashboard</h1>
      <div class="grid">
        <Health deep={session?.kind === "admin"} />
        {session?.kind === "user" && <Balance />}
        <Card title="Quick actions">
          <ul class="actions">
            <li><a class="button" href={href("jobs")}>New job</a></li>
            <li><a class="button button-quiet" href={href("assets")}>Upload a file</a></li>
            {session?.kind !== "admin" && <li><a class="button button-quiet" href={href("billing")}>Buy credits</a></li>}
            <li><a class="button button-quiet" href="/docs/">API reference</a></li>
          </ul>
          {!session && <p>Sign in on the <a href={href("account")}>Account</a> page to create jobs and upload files.</p>}
        </Card>
      </div>
      {session && <RecentJobs />}
    </>
  );
}
