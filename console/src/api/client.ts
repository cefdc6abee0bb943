// The API client, typed by the OpenAPI document (schema.d.ts is generated from it at build
// time): every path, parameter and answer the console uses is checked against the document.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Job = Schemas["Job"];
export type Model = Schemas["Model"];
export type LedgerEntry = Schemas["LedgerEntry"];
export type ListedAsset = Schemas["ListedAsset"];
export type BillingProduct = Schemas["BillingProduct"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type ClientConfig = Schemas["ClientConfig"];
export type JobStatus = Job["status"];

/** The console is served by the API itself: calls go to the page's own origin. */
export const api = createClient<paths>({ baseUrl: location.origin });

let bearer: string | null = null;

/** The token every call carries from now on (null: none). */
export function setBearer(token: string | null) {
  bearer = token;
}

export function currentBearer() {
  return bearer;
}

api.use({
  onRequest({ request }) {
    if (bearer && !request.headers.has("authorization")) request.headers.set("authorization", `Bearer ${bearer}`);
    return request;
  },
});

/** A refusal of the API: its HTTP status, error code and message, shown as they came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError built from the API's `{"ok":false,"error","message"}`. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError(0, "network_error", `The API could not be reached (${String(err)})`);
  }
  const { data, error, response } = answer;
  if (response.ok && data !== undefined) return data;
  if (response.ok) return undefined as T;
  const body = (error ?? {}) as { error?: unknown; message?: unknown; provider?: unknown };
  if (body.provider === "noop" && typeof body.message === "string") {
    // the documented 501 of an optional service this deployment has not configured
    throw new ApiError(response.status, body.message, "This API does not have that service configured", error);
  }
  const code = typeof body.error === "string" ? body.error : `http_${response.status}`;
  const message = typeof body.message === "string" ? body.message : response.statusText || "request failed";
  throw new ApiError(response.status, code, message, error);
}
