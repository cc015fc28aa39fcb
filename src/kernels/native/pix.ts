// Native PiX kernels (ChanlabPix / ChanlabPixGrad) for the wasm backend: the loops of src/kernels/wasm/Pix*.ts in
// C++, parallel over pixels, in place on the wasm heap. The branch table (per sample and group) is built here.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ChanlabPix, ChanlabPixGrad, PIX_LOWEST, type PixAttrs } from '../../ops/pix/kernel_names.js';
import type { PixDims } from '../../ops/pix/shape.js';
import { pixKernelArgs } from '../pix/args.js';
import { fillModes, pixTables } from '../wasm/PixCommon.js';
import { addon, type KernelArgs, views } from './common.js';

function tables(d: PixDims, a: PixAttrs, p: Float32Array) {
  const { sizes, divs, modes } = pixTables(p, d, a, d.N);
  for (let n = 0; n < d.N; n++) fillModes(modes.subarray(n * d.G, (n + 1) * d.G), p, n, d.G, a);
  return { dims: Int32Array.of(d.N, d.HW, d.C, d.G, d.zeta), modes, sizes, divs };
}

function forward(args: KernelArgs): TensorInfo {
  const b = args.backend as BackendWasm;
  const { a, x, p, d } = pixKernelArgs(args.inputs, args.attrs);
  const out = b.makeOutput([d.N, d.H, d.W, d.G], 'float32');
  const [xv, pv, yv] = views(b, x, p, out);
  const t = tables(d, a, pv!);
  addon().pixForward(t.dims, t.modes, t.sizes, t.divs, PIX_LOWEST, xv!, pv!, yv!);
  return out;
}

function backward(args: KernelArgs): TensorInfo[] {
  const b = args.backend as BackendWasm;
  const { a, x, p, d } = pixKernelArgs(args.inputs, args.attrs);
  const dy = args.inputs.dy as TensorInfo;
  const outs = [b.makeOutput([...x.shape], 'float32'), b.makeOutput([...p.shape], 'float32')];
  const [xv, pv, dyv, dxv, dpv] = views(b, x, p, dy, ...outs);
  const t = tables(d, a, pv!);
  addon().pixBackward(t.dims, t.modes, t.sizes, t.divs, PIX_LOWEST, xv!, pv!, dyv!, dxv!, dpv!);
  return outs;
}

export const nativePixKernels = [
  { kernelName: ChanlabPix, kernelFunc: forward },
  { kernelName: ChanlabPixGrad, kernelFunc: backward },
];
