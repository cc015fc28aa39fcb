// Finite-difference gradient checks (central differences) of Conv2d (groups, stride 2) and BatchNorm2d in training
// mode, on the cpu reference backend: analytic gradients from tf.grads must match numerical ones.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/index.js';
import { BatchNorm2d, Conv2d } from '../../src/nn/index.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { randn } from '../helpers/tensors.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('finite-difference gradients', () => {
  it('Conv2d with groups 2, stride 2, padding 1, bias', () => {
    const m = new Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 2 });
    expect(gradCheck(m, randn([2, 7, 6, 4], 1))).toBeLessThan(2e-3);
  });
  it('depthwise Conv2d, stride 2', () => {
    const m = new Conv2d({ inChannels: 3, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 3 });
    expect(gradCheck(m, randn([2, 5, 7, 3], 2))).toBeLessThan(2e-3);
  });
  it('BatchNorm2d in training mode (through the batch statistics)', () => {
    const m = new BatchNorm2d(3);
    m.weight!.reset(randn([3], 3));
    m.bias!.reset(randn([3], 4));
    expect(gradCheck(m, randn([2, 3, 4, 3], 5), 12, 1e-2)).toBeLessThan(5e-3);
  });
  it('detects a wrong gradient (the check can fail)', () => {
    // A module whose custom gradient is deliberately off by 2x must be caught.
    class Wrong extends Conv2d {
      override forward(x: tf.Tensor): tf.Tensor {
        const f = tf.customGrad(((xx: tf.Tensor) => ({ value: tf.mul(xx, 1), gradFunc: (dy: tf.Tensor) => tf.mul(dy, 2) })) as unknown as Parameters<typeof tf.customGrad>[0]);
        return super.forward(f(x) as tf.Tensor);
      }
    }
    const m = new Wrong({ inChannels: 2, outChannels: 2, kernelSize: 1 });
    expect(gradCheck(m, randn([1, 3, 3, 2], 6))).toBeGreaterThan(0.1);
  });
});
