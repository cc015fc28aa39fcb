// Convolution kernel benchmark on the active tfjs backend: forward conv, input gradient (Conv2DBackpropInput) and
// filter gradient (Conv2DBackpropFilter) for a few ResNet-style shapes, plus one depthwise layer. Every row counts
// the same 2·B·OH·OW·KH·KW·Cin·Cout FLOPs (depthwise: 2·B·OH·OW·KH·KW·C·M), so GFLOP/s compare directly.
import * as tf from '@tensorflow/tfjs-core';
import { median } from '../core/stats.js';

export interface ConvBenchRow {
  op: string;
  shape: string;
  ms: number;
  gflops: number;
}

export interface ConvBenchOptions {
  /** Batch 8 and 2 timed repetitions instead of batch 32 and 5. */
  quick?: boolean;
}

interface ConvShape {
  name: string;
  x: [number, number, number, number];
  k: number;
  /** Output channels (regular) or channel multiplier (depthwise). */
  out: number;
  stride: number;
  depthwise?: boolean;
}

function shapes(batch: number): ConvShape[] {
  return [
    { name: `b${batch} 64→64ch 32×32 3×3 s1`, x: [batch, 32, 32, 64], k: 3, out: 64, stride: 1 },
    { name: `b${batch} 128→128ch 16×16 3×3 s2`, x: [batch, 16, 16, 128], k: 3, out: 128, stride: 2 },
    { name: `b${batch} 256→256ch 8×8 1×1 s1`, x: [batch, 8, 8, 256], k: 1, out: 256, stride: 1 },
    { name: `b${batch} dw 128ch×1 16×16 3×3 s1`, x: [batch, 16, 16, 128], k: 3, out: 1, stride: 1, depthwise: true },
  ];
}

/** Median wall time of `reps` runs of f (after one warm-up), reading the result back each time. */
async function timeMs(f: () => tf.Tensor, reps: number): Promise<number> {
  const warm = f();
  await warm.data();
  warm.dispose();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = f();
    await r.data();
    times.push(performance.now() - t0);
    r.dispose();
  }
  return median(times);
}

/** Times conv forward / backprop-input / backprop-filter on the active backend. */
export async function benchConvKernels(opts: ConvBenchOptions = {}): Promise<ConvBenchRow[]> {
  const batch = opts.quick ? 8 : 32;
  const reps = opts.quick ? 2 : 5;
  const rows: ConvBenchRow[] = [];
  for (const s of shapes(batch)) {
    const cin = s.x[3];
    const pad = (s.k - 1) >> 1;
    const explicit: [[number, number], [number, number], [number, number], [number, number]] =
      [[0, 0], [pad, pad], [pad, pad], [0, 0]];
    const filterShape: [number, number, number, number] = [s.k, s.k, cin, s.out];
    const info = tf.backend_util.computeConv2DInfo(s.x, filterShape, s.stride, 1, explicit, undefined, !!s.depthwise);
    const flops = 2 * info.batchSize * info.outHeight * info.outWidth * s.k * s.k * cin * s.out;
    const x = tf.randomNormal(s.x) as tf.Tensor4D;
    const w = tf.randomNormal(filterShape) as tf.Tensor4D;
    const dy = tf.randomNormal(info.outShape) as tf.Tensor4D;
    const engine = tf.engine();
    const cases: [string, () => tf.Tensor][] = s.depthwise ? [
      ['depthwiseConv2d', () => tf.depthwiseConv2d(x, w, s.stride, explicit)],
      ['depthwiseBackpropInput', () => engine.runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w },
        { strides: s.stride, pad: explicit, dilations: 1, inputShape: s.x } as never) as tf.Tensor],
      ['depthwiseBackpropFilter', () => engine.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy },
        { strides: s.stride, pad: explicit, dilations: 1, filterShape } as never) as tf.Tensor],
    ] : [
      ['conv2d', () => tf.conv2d(x, w, s.stride, explicit)],
      ['conv2dBackpropInput', () => engine.runKernel('Conv2DBackpropInput', { dy, filter: w },
        { strides: s.stride, pad: explicit, dataFormat: 'NHWC', inputShape: s.x } as never) as tf.Tensor],
      ['conv2dBackpropFilter', () => engine.runKernel('Conv2DBackpropFilter', { x, dy },
        { strides: s.stride, pad: explicit, dataFormat: 'NHWC', filterShape } as never) as tf.Tensor],
    ];
    try {
      for (const [op, f] of cases) {
        const ms = await timeMs(f, reps);
        rows.push({ op, shape: s.name, ms, gflops: flops / ms / 1e6 });
      }
    } finally {
      tf.dispose([x, w, dy]);
    }
  }
  return rows;
}
