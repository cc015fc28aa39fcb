// conv → batch norm → [+ residual] → [ReLU], the unit every torchvision-shaped ResNet repeats, in as few kernels as
// the backend allows while keeping the modules' semantics:
//  - inference (BN in eval mode, no gradient being recorded) where the backend has ChanlabConvBnAct: ONE kernel
//    (the conv's epilogue applies the BN with its running statistics, the residual and the ReLU);
//  - training where the backend has the fused batch-norm kernel: the conv, then one batch-norm kernel that also adds
//    the residual, applies the ReLU and updates the running statistics (BatchNorm2d.forwardAct);
//  - otherwise, or when a hook watches any of the modules (hooks must see every call), the modules one by one.
import * as tf from '@tensorflow/tfjs-core';
import { ChanlabConvBnAct, type ConvBnActAttrs } from '../ops/conv/kernel_names.js';
import { pix, type PixOptions } from '../ops/pix/index.js';
import { validateAvgDivisor, validateReduce, validateTau, validateZeta } from '../ops/pix/validate.js';
import { BatchNorm2d } from './batchnorm.js';
import { Conv2d } from './conv.js';
import type { Module } from './module.js';
import { Sequential } from './container.js';

export interface ConvBnActOptions {
  /** The ReLU after the add: a module (called on the plain path; its hooks block fusion), 'relu' for tf.relu, or
   *  null for none. */
  relu: Module | 'relu' | null;
  /** Added after the batch norm, before the ReLU; a function is called after the conv and the BN ran (so that
   *  modules are called in the plain order: conv, bn, then the shortcut's). */
  residual?: tf.Tensor | (() => tf.Tensor);
  /** The conv's input is pix(x, p) (a PiX bottleneck's squeeze): fused into the conv's reads at inference, the pix op
   *  otherwise. The caller checks that no hook watches its PiX operator. */
  inputPix?: { p: tf.Tensor; options: PixOptions };
}

function residualOf(o: ConvBnActOptions): tf.Tensor | undefined {
  return typeof o.residual === 'function' ? o.residual() : o.residual;
}

function pixed(x: tf.Tensor, o: ConvBnActOptions): tf.Tensor {
  return o.inputPix ? pix(x as tf.Tensor4D, o.inputPix.p, o.inputPix.options) : x;
}

function plain(conv: Module, bn: Module, x: tf.Tensor, o: ConvBnActOptions): tf.Tensor {
  let y = bn.call(conv.call(pixed(x, o)));
  const r = residualOf(o);
  if (r) y = tf.add(y, r);
  if (o.relu === 'relu') return tf.relu(y);
  return o.relu ? o.relu.call(y) : y;
}

/** Whether the active backend runs conv + BN + act in one inference kernel. */
export function hasConvBnActKernel(): boolean {
  return tf.getKernel(ChanlabConvBnAct, tf.getBackend()) != null;
}

function fusedInference(conv: Conv2d, bn: BatchNorm2d, x: tf.Tensor, o: ConvBnActOptions): tf.Tensor {
  const attrs: ConvBnActAttrs = {
    strides: conv.stride, pad: conv.pad, dilations: conv.dilation, groups: conv.groups,
    activation: o.relu ? 'relu' : 'linear', eps: bn.eps,
  };
  if (o.inputPix) {
    const q = o.inputPix.options;
    attrs.pix = {
      zeta: validateZeta(q.zeta, 'convBnAct'), tau: validateTau(q.tau ?? 0.5, 'convBnAct'),
      reduce: validateReduce(q.reduce ?? 'pick-or-mix', 'convBnAct'), avgDivisor: validateAvgDivisor(q.avgDivisor ?? 'zeta'),
    };
  }
  const inputs: tf.NamedTensorMap = {
    x, filter: conv.weight.variable, mean: bn.runningMean!.variable, variance: bn.runningVar!.variable,
    gamma: bn.weight!.variable, beta: bn.bias!.variable,
  };
  if (conv.bias) inputs.bias = conv.bias.variable;
  if (o.inputPix) inputs.pixP = o.inputPix.p;
  const r = residualOf(o);
  if (r) inputs.residual = r;
  return tf.engine().runKernel(ChanlabConvBnAct, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** act(bn(conv(x)) + residual) with the semantics of the modules (torchvision's conv → bn → [+ identity] → relu). */
export function convBnAct(conv: Module, bn: Module, x: tf.Tensor, o: ConvBnActOptions): tf.Tensor {
  const reluHooked = typeof o.relu === 'object' && o.relu !== null && o.relu.hooked;
  if (!(conv instanceof Conv2d) || !(bn instanceof BatchNorm2d) || conv.hooked || bn.hooked || reluHooked) return plain(conv, bn, x, o);
  if (!bn.training) {
    const affine = bn.weight !== null && bn.bias !== null && bn.runningMean !== null;
    if (affine && hasConvBnActKernel() && !tf.engine().isTapeOn()) return fusedInference(conv, bn, x, o);
    return plain(conv, bn, x, o);
  }
  const y = conv.call(pixed(x, o));
  return bn.forwardAct(y, o.relu ? 'relu' : 'linear', residualOf(o));
}

/** A shortcut `Sequential(conv, bn)` (torchvision's downsample) through convBnAct; any other module is called. */
export function shortcut(m: Module | null, x: tf.Tensor): tf.Tensor {
  if (m === null) return x;
  if (m instanceof Sequential && m.length === 2 && !m.hooked) return convBnAct(m.at(0), m.at(1), x, { relu: null });
  return m.call(x);
}
