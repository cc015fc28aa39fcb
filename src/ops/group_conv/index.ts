// Grouped convolution (PyTorch's `groups`): op, kernel names, composite, gradient config (registered with the other
// custom gradients in src/kernels/register.ts).
export { groupConv2d, groupConv2dComposite, hasGroupConvKernel } from './group_conv.js';
export { groupConv2dGradConfig } from './gradient.js';
export {
  ChanlabGroupConv2D, ChanlabGroupConv2DBackpropFilter, ChanlabGroupConv2DBackpropInput, type GroupConvAttrs,
  type GroupConvPad,
} from './kernel_names.js';
