// Cheap architecture guesses from a state dict's keys and shapes (for error hints and `inspect`), without building
// models: torchvision / CHEX ResNets, PiX-ResNets (official keys), VGG, DGC models.

const RESNET_DEPTHS: Record<string, number> = {
  'basic:2,2,2,2': 18, 'basic:3,4,6,3': 34, 'bottleneck:3,4,6,3': 50, 'bottleneck:3,4,23,3': 101, 'bottleneck:3,8,36,3': 152,
};
const TV_WIDTHS = [64, 128, 256, 512];

/** Blocks per stage from keys like `layer{s}.{b}.…` (or `layer{s}.blocks.{b}.…` with `blocks`). */
export function stageBlockCounts(keys: Iterable<string>, blocks = false): number[] {
  const re = blocks ? /^layer(\d+)\.blocks\.(\d+)\./ : /^layer(\d+)\.(\d+)\./;
  const counts: number[] = [];
  for (const k of keys) {
    const m = re.exec(k);
    if (!m) continue;
    const s = Number(m[1]) - 1;
    counts[s] = Math.max(counts[s] ?? 0, Number(m[2]) + 1);
  }
  return Array.from(counts, (c) => c ?? 0);
}

function classesOf(shapes: Map<string, number[]>, key: string): string {
  const s = shapes.get(key);
  return s ? `${s[0]} classes` : 'no classifier';
}

/** One line naming the most likely architecture, or null when nothing matches. */
export function guessArchitecture(shapes: Map<string, number[]>): string | null {
  const keys = [...shapes.keys()];
  if (keys.some((k) => k.endsWith('_inactive_channels'))) {
    const kind = keys.some((k) => k.startsWith('features.denseblock')) ? 'dydensenet' : 'dyresnet18';
    return `a DGC ${kind} checkpoint (DGC layers with _inactive_channels)`;
  }
  if (shapes.has('conv_stem.weight') && keys.some((k) => /^layer\d+\.blocks\.\d+\.conv_sqz\./.test(k))) {
    const counts = stageBlockCounts(keys, true);
    const bottleneck = keys.some((k) => /\.conv_exp\./.test(k));
    const depth = RESNET_DEPTHS[`${bottleneck ? 'bottleneck' : 'basic'}:${counts.join(',')}`];
    const outs = counts.map((_, s) => shapes.get(`layer${s + 1}.blocks.0.${bottleneck ? 'conv_exp' : 'conv2'}.weight`)?.[0]);
    return `a PiX-ResNet${depth ? `-${depth}` : ` (blocks [${counts.join(',')}])`} (pix_resnet${depth ?? ''}_cs) checkpoint, ` +
      `stage outputs ${outs.join('/')}, ${classesOf(shapes, 'classifier.weight')}`;
  }
  if (shapes.has('conv1.weight') && keys.some((k) => /^layer1\.0\.conv1\./.test(k))) {
    const counts = stageBlockCounts(keys);
    const bottleneck = keys.some((k) => /^layer\d+\.\d+\.conv3\./.test(k));
    const e = bottleneck ? 4 : 1;
    const outs = counts.map((_, s) => (shapes.get(`layer${s + 1}.0.${bottleneck ? 'conv3' : 'conv2'}.weight`)?.[0] ?? 0) / e);
    const stem = shapes.get('conv1.weight')!;
    const small = stem[2] === 3;
    let name: string;
    const depth = RESNET_DEPTHS[`${bottleneck ? 'bottleneck' : 'basic'}:${counts.join(',')}`];
    if (depth) name = `resnet${depth}${small ? '_small' : ''}`;
    else if (!bottleneck && counts.length === 3 && counts.every((c) => c === counts[0])) name = `resnet${6 * counts[0]! + 2}_small`;
    else name = `a ${bottleneck ? 'bottleneck' : 'basic-block'} ResNet with blocks [${counts.join(',')}]`;
    const std = counts.length === 4 && outs.every((w, i) => w === TV_WIDTHS[i]);
    // inner widths narrower than the stage width somewhere → a compact (CHEX-pruned) network
    let compact = false;
    counts.forEach((n, s) => {
      for (let b = 0; b < n; b++) {
        const c1 = shapes.get(`layer${s + 1}.${b}.conv1.weight`)?.[0];
        const c2 = bottleneck ? shapes.get(`layer${s + 1}.${b}.conv2.weight`)?.[0] : c1;
        if (c1 !== outs[s] || c2 !== outs[s]) compact = true;
      }
    });
    return `${compact ? 'a compact (pruned, CHEX cfg-style) ' : ''}${name} checkpoint` +
      `${std ? '' : ` with stage widths ${outs.join('/')}`}, ${classesOf(shapes, 'fc.weight')}`;
  }
  const convs = keys.filter((k) => /^features\.\d+\.weight$/.test(k) && shapes.get(k)!.length === 4).length;
  if (convs > 0 && keys.some((k) => k.startsWith('classifier.'))) {
    const bn = keys.some((k) => /^features\.\d+\.running_mean$/.test(k));
    const vgg: Record<number, string> = { 8: 'vgg11', 10: 'vgg13', 13: 'vgg16', 16: 'vgg19' };
    const last = keys.filter((k) => /^classifier\.(\d+\.)?weight$/.test(k)).pop();
    return `${vgg[convs] ? `a ${vgg[convs]}${bn ? '_bn' : ''}` : `a VGG-like network with ${convs} convs`} checkpoint, ` +
      `${last ? classesOf(shapes, last) : 'no classifier'}`;
  }
  return null;
}
