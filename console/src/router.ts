// Hash routing (/console/#/jobs/<id>): the static assets have no single-page fallback, so the
// page itself is always /console/ and the route lives after the '#'.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  /** The path's segments: "#/jobs/abc" → ["jobs", "abc"]; the dashboard is []. */
  segments: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  return { segments: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

export const href = (...segments: string[]) => `#/${segments.map(encodeURIComponent).join("/")}`;

export function navigate(...segments: string[]) {
  location.hash = href(...segments);
}
