// Which code a self-contained bundle (scripts/bundle.mjs) was built from. A bundle runs outside any git checkout, so
// the commit that a run's manifest and a reproduction result record comes from here instead of `git`. esbuild
// replaces __CHANLAB_BUNDLE__ with the build's values; in the repository it does not exist and this returns null.
declare const __CHANLAB_BUNDLE__: BundleInfo | undefined;
// The bundle's folder (its chanlab.mjs, chanlab_native.node, configs/): a constant of the bundle's banner.
declare const __chanlabBundleDir: string | undefined;

export interface BundleInfo {
  /** HEAD when the bundle was built. */
  commit: string;
  /** The last commit touching anything outside repro/results (what reproduction results are keyed by). */
  codeCommit: string;
  /** Tracked files differed from HEAD when the bundle was built. */
  dirty: boolean;
}

export function bundleInfo(): BundleInfo | null {
  return typeof __CHANLAB_BUNDLE__ === 'undefined' ? null : __CHANLAB_BUNDLE__;
}

/** The folder of the running bundle (where its native addon sits), or null outside a bundle. */
export function bundleDir(): string | null {
  return typeof __chanlabBundleDir === 'undefined' ? null : __chanlabBundleDir;
}
