// A list of jobs as a table: status, model, price, when; each row opens the job's page.
import { href } from "../router";
import { StatusBadge, when } from "./ui";

/** What a list of jobs (GET /jobs) shows of each. */
interface ListedJob {
  job_id: string;
  status: string;
  model?: string | null;
  cost_credits?: number;
  created_at?: string;
}

export function JobsTable({ jobs, caption }: { jobs: ListedJob[]; caption: string }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Status</th>
            <th scope="col">Model</th>
            <th scope="col" class="num">Credits</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.job_id}>
              <td>
                <a href={href("jobs", job.job_id)} class="mono">
                  {job.job_id.slice(0, 8)}
                </a>
              </td>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td>{job.model ?? "—"}</td>
              <td class="num">{job.cost_credits ?? "—"}</td>
              <td>{when(job.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
