// PiX from stock tfjs ops (docs/methods/pix.md §1.8 forward, §2.5 customGrad backward), for backends without the custom
// kernels (e.g. tfjs-node 'tensorflow'), and as the baseline the kernels are benchmarked against.
//
// x: [N,H,W,C], p: [N,G] or [N,1,1,G]  ->  y: [N,H,W,G]. The channels are padded to G*zeta (0 for the sum, -FLT_MAX / +FLT_MAX
// for max / min) and reshaped to [N,HW,G,zeta]: rank 4 at most, because tfjs-webgpu runs Tile (broadcastTo) of rank-5
// tensors on the CPU through a synchronous read, which fails in Node. The backward builds a first-arg-extremum mask with cumsum so that,
// like the CUDA kernel, only the lowest tied channel gets the gradient (tfjs's own max gradient splits it among ties).
// NaN caveat: tfjs max/min may propagate NaN where the kernel skips it (docs/methods/pix.md §1.6); parity on NaN x is not promised.
import * as tf from '@tensorflow/tfjs-core';
import { PIX_LOWEST, type PixAttrs } from './kernel_names.js';
import { avgDivisorOf, pixDims, type PixDims } from './shape.js';

type T = tf.Tensor;

/** x padded on the channel axis to G*zeta with `value`, reshaped to [N,HW,G,zeta]. */
function grouped(x: T, d: PixDims, value: number): T {
  const cp = d.G * d.zeta;
  const x3 = tf.reshape(x, [d.N, d.HW, d.C]);
  const padded = cp > d.C ? tf.pad(x3, [[0, 0], [0, 0], [0, cp - d.C]], value) : x3;
  return tf.reshape(padded, [d.N, d.HW, d.G, d.zeta]);
}

/** The avg divisor: the scalar zeta, or a [G] vector of group sizes. */
function divisor(d: PixDims, attrs: PixAttrs): T {
  if (attrs.avgDivisor !== 'groupSize') return tf.scalar(d.zeta);
  return tf.tensor1d(Array.from({ length: d.G }, (_, g) => avgDivisorOf(d, g, attrs)));
}

/** 1 at the first position along the last axis where xg equals ext, else 0. */
function firstMask(xg: T, ext: T): T {
  const eq = tf.cast(tf.equal(xg, tf.expandDims(ext, 3)), 'float32');
  return tf.mul(eq, tf.cast(tf.equal(tf.cumsum(eq, 3), 1), 'float32'));
}

export function pixComposite(x: tf.Tensor4D, p: tf.Tensor, attrs: PixAttrs): tf.Tensor4D {
  const d = pixDims(x.shape, attrs.zeta);
  const { reduce } = attrs;
  const needMax = reduce === 'pick-or-mix' || reduce === 'max' || reduce === 'w-pix';
  const needSum = reduce === 'pick-or-mix' || reduce === 'avg' || reduce === 'w-pix';
  const f = tf.customGrad((...args: Array<T | tf.GradSaveFunc>) => {
    const [xIn, pIn, save] = args as [T, T, tf.GradSaveFunc];
    const pB = tf.reshape(pIn, [d.N, 1, d.G]);
    const div = divisor(d, attrs);
    // ext, sum3: [N,HW,G]
    const ext = reduce === 'min' ? tf.min(grouped(xIn, d, -PIX_LOWEST), 3)
      : needMax ? tf.max(grouped(xIn, d, PIX_LOWEST), 3) : tf.zeros([1]);
    const sum3 = needSum ? tf.sum(grouped(xIn, d, 0), 3) : tf.zeros([1]);
    let y: T;
    switch (reduce) {
      case 'pick-or-mix':
        y = tf.where(tf.broadcastTo(tf.less(pB, attrs.tau), [d.N, d.HW, d.G]),
          tf.mul(pB, ext), tf.div(tf.mul(pB, sum3), div));
        break;
      case 'max': case 'min': y = tf.mul(pB, ext); break;
      case 'avg': y = tf.div(tf.mul(pB, sum3), div); break;
      case 'w-pix': y = tf.add(tf.mul(pB, ext), tf.mul(tf.sub(1, pB), tf.div(sum3, div))); break;
    }
    save([xIn, pIn, ext, sum3]);
    y = tf.reshape(y, [d.N, d.H, d.W, d.G]);
    const gradFunc = (dyIn: T | T[], saved: T[]): T[] => {
      const dy = tf.reshape(Array.isArray(dyIn) ? dyIn[0] : dyIn, [d.N, d.HW, d.G]);
      const [xs, ps, exts, sums] = saved;
      const pb = tf.reshape(ps, [d.N, 1, d.G]);
      const shape4 = [d.N, d.HW, d.G, d.zeta];
      const dv = divisor(d, attrs);
      const pdy = tf.mul(pb, dy);
      const mask = () => firstMask(grouped(xs, d, reduce === 'min' ? -PIX_LOWEST : PIX_LOWEST), exts);
      const spread = (t: T) => tf.broadcastTo(tf.expandDims(t, 3), shape4);
      let dxG: T;
      let val: T;
      switch (reduce) {
        case 'pick-or-mix': {
          const sel = tf.broadcastTo(tf.less(pb, attrs.tau), [d.N, d.HW, d.G]);
          dxG = tf.where(spread(sel), tf.mul(mask(), tf.expandDims(pdy, 3)), spread(tf.div(pdy, dv)));
          val = tf.where(sel, exts, tf.div(sums, dv));
          break;
        }
        case 'max': case 'min':
          dxG = tf.mul(mask(), tf.expandDims(pdy, 3));
          val = exts;
          break;
        case 'avg':
          dxG = spread(tf.div(pdy, dv));
          val = tf.div(sums, dv);
          break;
        case 'w-pix':
          dxG = tf.add(tf.mul(mask(), tf.expandDims(pdy, 3)), spread(tf.div(tf.mul(tf.sub(1, pb), dy), dv)));
          val = tf.sub(exts, tf.div(sums, dv));
          break;
      }
      let dx = tf.reshape(dxG, [d.N, d.HW, d.G * d.zeta]);
      if (d.G * d.zeta > d.C) dx = tf.slice(dx, [0, 0, 0], [d.N, d.HW, d.C]);
      dx = tf.reshape(dx, [d.N, d.H, d.W, d.C]);
      const dp = tf.reshape(tf.sum(tf.mul(dy, val), 1), ps.shape);
      return [dx, dp];
    };
    return { value: y, gradFunc };
  });
  return f(x, p) as tf.Tensor4D;
}
