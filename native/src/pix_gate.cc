// The PiX gate (docs/methods/pix.md §3): p = act(GAP(x)·W + b) per sample, one call instead of mean, 1×1 conv
// and activation. The mean and the product are the passes of the Mean and matrix-vector Conv2D kernels (passes.h),
// so p equals what those kernels and the activation give.
#include <cmath>
#include <vector>
#include "common.h"
#include "kernels.h"
#include "passes.h"

namespace chanlab {

// pixGate(x, w, bias | null, p, dims) — dims (Int32Array, 5): N, HW, C, G, activation (0 sigmoid, 1 ½(1 + tanh)).
// x [N, HW, C], w [C, G], p [N, G].
napi_value pixGate(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    auto d = ints(env, a.v[4], "dims", 5);
    const int64_t n = d[0], hw = d[1], c = d[2], g = d[3], act = d[4];
    if (n < 1 || hw < 1 || c < 1 || g < 1) throw ArgError("dims: expected positive N, HW, C, G");
    if (act != 0 && act != 1) throw ArgError("dims[4] (activation): expected 0 (sigmoid) or 1 (half tanh)");
    size_t count = 0;
    const float* x = static_cast<const float*>(typedData(env, a.v[0], "x", &count));
    if (static_cast<int64_t>(count) != n * hw * c) throw ArgError("x: expected N·HW·C entries");
    const float* w = static_cast<const float*>(typedData(env, a.v[1], "weight", &count));
    if (static_cast<int64_t>(count) != c * g) throw ArgError("weight: expected C·G entries");
    const float* bias = static_cast<const float*>(typedData(env, a.v[2], "bias", &count, true));
    if (bias != nullptr && static_cast<int64_t>(count) != g) throw ArgError("bias: expected G entries");
    float* p = static_cast<float*>(typedData(env, a.v[3], "p", &count));
    if (static_cast<int64_t>(count) != n * g) throw ArgError("p: expected N·G entries");
    std::vector<float> m(static_cast<size_t>(n * c));
    spatialMeans(x, m.data(), n, hw, c);
    matVec(m.data(), w, bias, p, n, c, g);
    for (int64_t i = 0; i < n * g; i++) {
      p[i] = act == 0 ? 1.f / (1.f + std::exp(-p[i])) : 0.5f * (1.f + std::tanh(p[i]));
    }
  });
}

}  // namespace chanlab

