// Bad input to the PiX op and module: p outside [0, 1], non-finite x named as such, an empty batch on wasm.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/index.js';
import { PiX } from '../../../src/methods/pix/pix_module.js';
import { pix } from '../../../src/ops/pix/index.js';

describe.each(['cpu', 'wasm'])('PiX bad input on %s', (backend) => {
  it('p outside [0, 1] is refused; x = Inf is reported as bad x; an empty batch gives an empty output', async () => {
    await useBackend(backend);
    const x = tf.ones([1, 2, 2, 4]) as tf.Tensor4D;
    expect(() => pix(x, tf.tensor2d([[0.5, 1.5]]), { zeta: 2 })).toThrow(/pix: p must hold probabilities in \[0, 1\], but p\[0, 1\] is 1\.5/);
    expect(() => pix(x, tf.tensor2d([[-0.1, 0.5]]), { zeta: 2 })).toThrow(/p\[0, 0\] is -0\.1/);
    const m = new PiX({ inChannels: 8, zeta: 2 });
    expect(() => m.call(tf.fill([1, 4, 4, 8], Infinity))).toThrow(/pix: x holds 128 non-finite values \(NaN\/Inf\) of 128; expected finite activations/);
    const y = m.call(tf.zeros([0, 4, 4, 8]));
    expect(y.shape).toEqual([0, 4, 4, 4]);
    m.dispose();
  });
});
