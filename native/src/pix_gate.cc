// The PiX gate (docs/methods/pix.md §3): p = act(GAP(x)·W + b) per sample, one call instead of mean, 1×1 conv
// and activation. The mean and the product are the passes of the Mean and matrix-vector Conv2D kernels (passes.h),
// so p equals what those kernels and the activation give.
#include <cmath>
#include <vector>
#include "common.h"
#include "generated/kernels.h"
#include "passes.h"

namespace chanlab {

// pixGate (native/kernels.json): x [N, HW, C], weight [C, G], bias [G] or null, p [N, G].
void pixGate(F32 xs, F32 weight, F32 bias, F32 ps, I32 dims) {
  const int64_t n = dims[0], hw = dims[1], c = dims[2], g = dims[3], act = dims[4];
  if (n < 1 || hw < 1 || c < 1 || g < 1) throw ArgError("dims: expected positive N, HW, C, G");
  if (act != 0 && act != 1) throw ArgError("dims[4] (activation): expected 0 (sigmoid) or 1 (half tanh)");
  expectCount(xs, "x", n * hw * c);
  expectCount(weight, "weight", c * g);
  if (!bias.null()) expectCount(bias, "bias", g);
  expectCount(ps, "p", n * g);
  float* p = ps.data;
  std::vector<float> m(static_cast<size_t>(n * c));
  spatialMeans(xs.data, m.data(), n, hw, c);
  matVec(m.data(), weight.data, bias.data, p, n, c, g);
  for (int64_t i = 0; i < n * g; i++) {
    p[i] = act == 0 ? 1.f / (1.f + std::exp(-p[i])) : 0.5f * (1.f + std::tanh(p[i]));
  }
}

}  // namespace chanlab

