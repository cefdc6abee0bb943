// "The same call with curl": what a page just did, as a command the signed-in caller can paste,
// with their own token (or, for a call that needs no token, without one).
import { useState } from "preact/hooks";
import { useSession } from "../session";

export interface CurlCall {
  method?: string;
  /** The path and query, e.g. "/jobs?limit=20". */
  path: string;
  body?: unknown;
  /** false: the call takes no token. */
  auth?: boolean;
  headers?: Record<string, string>;
  /** Extra curl arguments (e.g. --data-binary @file), already quoted. */
  extra?: string[];
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function curlCommand(call: CurlCall, base: string, token: string | null): string {
  const method = call.method ?? "GET";
  const parts = [`curl -s${method === "GET" ? "" : ` -X ${method}`} ${quote(base + call.path)}`];
  if (call.auth !== false) parts.push(`-H ${quote(`Authorization: Bearer ${token ?? "$TOKEN"}`)}`);
  for (const [name, value] of Object.entries(call.headers ?? {})) parts.push(`-H ${quote(`${name}: ${value}`)}`);
  if (call.body !== undefined) {
    parts.push(`-H 'Content-Type: application/json'`);
    parts.push(`-d ${quote(JSON.stringify(call.body))}`);
  }
  parts.push(...(call.extra ?? []));
  return parts.join(" \\\n  ");
}

export function Curl({ calls, title = "curl equivalent" }: { calls: CurlCall[]; title?: string }) {
  const { config, session } = useSession();
  const [copied, setCopied] = useState(false);
  const text = calls.map((c) => curlCommand(c, config?.api_base ?? location.origin, session?.token ?? null)).join("\n\n");
  const copy = async () => {
    await navigator.clipboard?.writeText(text);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <details class="curl">
      <summary>{title}</summary>
      <div class="curl-body">
        <pre tabIndex={0}>
          <code>{text}</code>
        </pre>
        <button type="button" class="button button-small" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </details>
  );
}
