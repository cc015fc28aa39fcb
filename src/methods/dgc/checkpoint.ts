// DGC checkpoints (docs/methods/dgc.md §3.5, §5): the official training script saves {'epoch', 'state_dict' with
// DataParallel 'module.' keys, 'best_prec1', 'optimizer'}; each DGC layer's `_inactive_channels` buffer carries the
// sparsity the layer was trained to. Loading goes through the generic loader (src/checkpoint/load.ts, which strips
// 'module.'); this file holds the DGC-specific checks it runs (the export back is src/checkpoint/dgc.ts).

const BUFFER = '_inactive_channels';

/** DGC layer prefixes of a state dict: those with a `_inactive_channels` key, or with `headconv_0.fc1.weight`. */
function dgcPrefixes(keys: Iterable<string>): { withBuffer: Set<string>; withHeads: Set<string> } {
  const withBuffer = new Set<string>();
  const withHeads = new Set<string>();
  for (const k of keys) {
    if (k === BUFFER || k.endsWith(`.${BUFFER}`)) withBuffer.add(k.slice(0, -BUFFER.length));
    const m = /^(.*?)headconv_0\.fc1\.weight$/.exec(k);
    if (m) withHeads.add(m[1]!);
  }
  return { withBuffer, withHeads };
}

/**
 * Errors a generic strict load would report only as a list of keys: a DGC checkpoint given to a model without DGC
 * layers, and DGC layers saved without their `_inactive_channels` buffer (the model would silently evaluate unpruned).
 */
export function checkDgcCheckpoint(modelKeys: Iterable<string>, checkpointKeys: Iterable<string>): void {
  const model = dgcPrefixes(modelKeys);
  const ckpt = dgcPrefixes(checkpointKeys);
  const dgcInCheckpoint = ckpt.withBuffer.size + ckpt.withHeads.size > 0;
  if (dgcInCheckpoint && model.withHeads.size === 0) {
    const n = new Set([...ckpt.withBuffer, ...ckpt.withHeads]).size;
    throw new Error(`model: the checkpoint holds ${n} DGC layers (headconv_*/${BUFFER} keys) but the model has none; ` +
      'load it into a DGC model (dydensenet86_cifar10, dydensenet86_cifar100, dydensenet_imagenet, dyresnet18)');
  }
  const missing = [...ckpt.withHeads].filter((p) => model.withHeads.has(p) && !ckpt.withBuffer.has(p));
  if (missing.length > 0) {
    throw new Error(`checkpoint: ${missing.length} DGC layer(s) have no ${BUFFER} buffer (input channels dropped per head), ` +
      `e.g. '${missing[0]}${BUFFER}'; without it the model would evaluate unpruned. Save the buffer with the state dict ` +
      '(the official training script does)');
  }
}
