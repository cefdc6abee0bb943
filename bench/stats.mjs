// Summaries of repeated runs: the median, and the spread as (max - min) / median.

export function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Relative spread of the runs around their median (0.1 = the runs span 10 % of it). */
export function spread(values) {
  const v = values.filter(Number.isFinite);
  const m = median(v);
  if (v.length < 2 || !m) return 0;
  return (Math.max(...v) - Math.min(...v)) / m;
}

export function summarize(values) {
  return { median: median(values), spread: spread(values), runs: values.length };
}

/** Fisher-Yates on a copy: the order targets are run in within a round. */
export function shuffled(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
