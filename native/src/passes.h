// Whole-tensor passes shared by several kernels: per-channel spatial means (batchnorm.cc) and the matrix-vector
// product of a 1×1 convolution on a 1×1 input (conv.cc). Both sum in a fixed order: results do not depend on the
// thread count.
#pragma once
#include <cstdint>

namespace chanlab {

// y[n, c] = mean over the HW pixels of x[n, ·, c] (NHWC), summed in double.
void spatialMeans(const float* x, float* y, int64_t n, int64_t hw, int64_t c);
// y[n, o] = bias[o] + Σ_i x[n, i]·w[i, o] (w row-major [IC, OC], the tfjs 1×1 filter); bias may be null.
void matVec(const float* x, const float* w, const float* bias, float* y, int64_t n, int64_t ic, int64_t oc);

}  // namespace chanlab
