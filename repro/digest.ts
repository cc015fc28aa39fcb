// A result record's digest: sha256 of its metrics and manifest, written with the record and checked whenever the
// result file is read, so a number edited by hand after the run is refused instead of being printed as reproduced.
// Records from before digests are checked against their manifest instead (a training run's manifest holds its
// top-1/top-5 in `result`).
import { createHash } from 'node:crypto';
import type { Metrics } from './definition.js';

/** JSON with object keys sorted at every level (the digest must not depend on key order). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function recordDigest(r: { metrics: Metrics; manifest: unknown }): string {
  return `sha256:${createHash('sha256').update(canonical({ metrics: r.metrics, manifest: r.manifest })).digest('hex')}`;
}

/** The record with its digest. */
export function sealed<T extends { metrics: Metrics; manifest: unknown }>(r: T): T & { digest: string } {
  return { ...r, digest: recordDigest(r) };
}

/** Why a record does not verify (its digest, else its manifest's result, disagrees with its metrics), or null. */
export function unverified(r: { metrics: Metrics; manifest: unknown; digest?: unknown }): string | null {
  if (r.digest !== undefined) {
    return r.digest === recordDigest(r) ? null : 'its metrics or manifest differ from what the run wrote (digest mismatch: edited by hand?)';
  }
  const result = (r.manifest as { result?: Record<string, unknown> } | null)?.result;
  for (const [metric, key] of [['top1', 'testTop1'], ['top5', 'testTop5']] as const) {
    const a = r.metrics[metric];
    const b = result?.[key];
    if (a !== undefined && typeof b === 'number' && a !== b) {
      return `metrics.${metric} ${a} differs from its manifest's result.${key} ${b} (edited by hand?)`;
    }
  }
  return null;
}
