// Kept-channel execution of DGC heads (docs/methods/dgc.md §1.3, §1.6, §8.3): per sample and head only the input
// channels the gate keeps are convolved — an indirect convolution over the kept channel list with the head's filter
// rows packed (and scaled by the saliencies) per sample, written straight in the interleaved order (channel j·h + i).
// Plain functions on raw buffers (NHWC float32; filters in tfjs layout [k, k, C, C'], heads stacked head-major); the
// addon's entry points dgcKeptForward / dgcKeptHeads (native/kernels.json) check the spans and call them.
#pragma once
#include <cstdint>

namespace chanlab {

// Geometry of a DGC layer's heads: input [B, H, W, C], output [B, Ho, Wo, Co], h heads, k×k kernel, stride, symmetric
// zero padding, and for the eval pass the saliency MLP's hidden width d and the channels each head drops.
struct DgcGeometry {
  int64_t B, H, W, C, Co, h, k, stride, pad, Ho, Wo;
  int64_t d = 0, kDrop = 0;
  int64_t cph() const { return Co / h; }
  // Throws ArgError when the sizes are inconsistent.
  void check() const;
};

// The DGC layer in eval mode (docs/methods/dgc.md §1.3), one fused pass:
//   a = relu(x·kBn + bBn) (running statistics; the arithmetic of batchNormInference);
//   z = mean_HW(a) [B,C] (double, pixel order, as spatialMean);
//   g_i = relu(relu(z·w1_i)·w2_i + b2_i) [B,C] per head (w1 [h,d,C] fc1 weights [out, in], w2 [h,d,C], b2 [h,C]);
//   ĝ_i = g_i where g_i > its row's kDrop-th smallest, else 0, into `gated` [h,B,C];
//   y [B,Ho,Wo,Co] = the heads' convolutions of a·ĝ_i over the kept channels only, interleaved.
// a lives only in per-thread scratch, one sample at a time.
void dgcEvalPass(const DgcGeometry& g, const float* x, const float* mean, const float* variance, const float* gamma,
                    const float* beta, float eps, const float* w1, const float* w2, const float* b2, const float* w,
                    float* gated, float* y);

// The layer after its BN → ReLU in training (docs/methods/dgc.md §1.3): from a [B,H,W,C], z = mean_HW(a) [B,C],
// g_i = relu(relu(z·w1_i)·w2_i + b2_i) into sal [h,B,C], the gate (kDrop; 0 keeps every channel) and
// y [B,Ho,Wo,Co] = dgcHeads(a, g·mask, w) over the kept channels only.
void dgcTrainPass(const DgcGeometry& g, const float* a, const float* w1, const float* w2, const float* b2, const float* w,
                  float* sal, float* z, float* y);

// Its gradient for dy and dgExtra (the gradient reaching g from elsewhere, the lasso term; may be null): da, dw1, dw2,
// db2, dw; no gradient through the mask (dropped channels pass only dgExtra to the MLP). dw sums over samples in
// order, da and the MLP gradients over heads, pixels and samples in a fixed order: the result does not depend on the
// thread count.
void dgcTrainGradPass(const DgcGeometry& g, const float* a, const float* w1, const float* w2, const float* b2,
                      const float* w, const float* sal, const float* z, const float* dy, const float* dgExtra, float* da,
                      float* dw1, float* dw2, float* db2, float* dw);

}  // namespace chanlab
