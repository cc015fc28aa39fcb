// Training-mode batch normalisation over the M = N·H·W rows of an [M, C] (NHWC) tensor, forward and the closed-form
// backward of chanlab's nn module (docs/methods: x̂ = (x − μ)·σ⁻¹, y = γ·x̂ + β;
// dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·σ⁻¹·(dy − dβ/M − x̂·dγ/M)).
// Per-channel sums are taken over a fixed number of row blocks (kBlocks) in double and combined in block order, so
// the result is the same for every thread count.
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <vector>
#include "common.h"
#include "generated/kernels.h"
#include "passes.h"
#include "rows.h"

namespace chanlab {

static constexpr int64_t kBlocks = 64;

// Σ over rows of f(row pointer, channel) per channel, deterministic.
template <typename F>
static void channelSums(int64_t m, int64_t c, std::vector<double>& out, F f) {
  const int64_t blocks = std::min<int64_t>(kBlocks, std::max<int64_t>(1, m));
  std::vector<double> part(static_cast<size_t>(blocks * c), 0.0);
#pragma omp parallel for schedule(static) if (m * c >= kParallelMin)
  for (int64_t k = 0; k < blocks; k++) {
    double* acc = part.data() + k * c;
    const int64_t r0 = m * k / blocks, r1 = m * (k + 1) / blocks;
    for (int64_t r = r0; r < r1; r++) f(r, acc);
  }
  out.assign(static_cast<size_t>(c), 0.0);
  for (int64_t k = 0; k < blocks; k++) {
    for (int64_t j = 0; j < c; j++) out[j] += part[k * c + j];
  }
}

// Calls f(r) for every row r of an [M, C] tensor, parallel over rows for large tensors. Each thread gets its own copy
// of f (firstprivate); the bodies capture by value (node-gyp compiles with -fno-strict-aliasing: values read through
// references would be reloaded after every row call).
template <typename F>
static void forEachRow(int64_t m, int64_t c, F f) {
#pragma omp parallel for schedule(static) firstprivate(f) if (m * c >= kParallelMin)
  for (int64_t r = 0; r < m; r++) f(r);
}

// The M, C arguments of the batch-norm kernels: rows and channels of their [M, C] tensors.
static void checkRows(int64_t m, int64_t c) {
  if (m < 1 || c < 1) throw ArgError("M, C: expected positive sizes");
}

void batchNormTrain(F32 xs, F32 gammas, F32 betas, F32 ys, F32 means, F32 variances, F32 invStds, int64_t m,
                    int64_t c, double epsilon) {
  checkRows(m, c);
  const float* x = xs.data;
  const float* gamma = gammas.data;
  const float* beta = betas.data;
  float* y = ys.data;
  float* mean = means.data;
  float* variance = variances.data;
  float* invStd = invStds.data;
  const float eps = static_cast<float>(epsilon);
  std::vector<double> s;
  channelSums(m, c, s, [&](int64_t r, double* acc) {
    rowAdd(acc, x + r * c, c);
  });
  std::vector<float> mu(c);
  for (int64_t j = 0; j < c; j++) mu[j] = static_cast<float>(s[j] / static_cast<double>(m));
  channelSums(m, c, s, [&](int64_t r, double* acc) { rowAddSquaredDeviation(acc, x + r * c, mu.data(), c); });
  for (int64_t j = 0; j < c; j++) {
    mean[j] = mu[j];
    variance[j] = static_cast<float>(s[j] / static_cast<double>(m));
    invStd[j] = 1.f / std::sqrt(variance[j] + eps);
  }
  forEachRow(m, c, [=, mu = mu.data()](int64_t r) {
    rowNormalize(y + r * c, x + r * c, mu, invStd, gamma, beta, c);
  });
}

void batchNormTrainGrad(F32 dys, F32 xs, F32 means, F32 invStds, F32 gammas, F32 dxs, F32 dGammas, F32 dBetas,
                        int64_t m, int64_t c) {
  checkRows(m, c);
  const float* dy = dys.data;
  const float* x = xs.data;
  const float* mean = means.data;
  const float* invStd = invStds.data;
  const float* gamma = gammas.data;
  float* dx = dxs.data;
  float* dGamma = dGammas.data;
  float* dBeta = dBetas.data;
  // One pass for both sums: acc[0, C) = Σ dy, acc[C, 2C) = Σ dy·x̂.
  std::vector<double> sums;
  channelSums(m, 2 * c, sums, [&](int64_t r, double* acc) {
    rowNormGradSums(acc, dy + r * c, x + r * c, mean, invStd, c);
  });
  std::vector<float> mb(c), mg(c), k(c);
  const float invM = 1.f / static_cast<float>(m);
  for (int64_t j = 0; j < c; j++) {
    dBeta[j] = static_cast<float>(sums[j]);
    dGamma[j] = static_cast<float>(sums[c + j]);
    mb[j] = dBeta[j] * invM;
    mg[j] = dGamma[j] * invM;
    k[j] = gamma[j] * invStd[j];
  }
  forEachRow(m, c, [=, mb = mb.data(), mg = mg.data(), k = k.data()](int64_t r) {
    rowNormGrad(dx + r * c, dy + r * c, x + r * c, mean, invStd, mb, mg, k, c);
  });
}

// Inference-mode batch norm with given statistics (tfjs FusedBatchNorm):
// y = (x − mean)·rsqrt(variance + eps)·scale + offset, per channel of an [M, C] tensor. scale/offset may be null.
void batchNormInference(F32 xs, F32 means, F32 variances, F32 scales, F32 offsets, F32 ys, int64_t m, int64_t c,
                        double epsilon) {
  checkRows(m, c);
  const float* x = xs.data;
  const float* mean = means.data;
  const float* variance = variances.data;
  const float* scale = scales.data;
  const float* offset = offsets.data;
  float* y = ys.data;
  const float eps = static_cast<float>(epsilon);
  std::vector<float> k(c), b(c);
  for (int64_t j = 0; j < c; j++) {
    k[j] = (scale != nullptr ? scale[j] : 1.f) / std::sqrt(variance[j] + eps);
    b[j] = (offset != nullptr ? offset[j] : 0.f) - mean[j] * k[j];
  }
  forEachRow(m, c, [=, k = k.data(), b = b.data()](int64_t r) { rowAffine(y + r * c, x + r * c, k, b, c); });
}

// Mean over the spatial axes of NHWC [N, HW, C] → [N, C]. Parallel over (sample, channel slice): each mean is one
// sum over the pixels in pixel order, in double, so the result does not depend on the thread count or the slicing.
// No partial buffers: at batch 1 (PiX's and SE's gates) the pass is as cheap as reading x once.
void spatialMeans(const float* x, float* y, int64_t n, int64_t hw, int64_t c) {
  const bool parallel = n * hw * c >= kParallelMin;
  const int64_t slice = channelSlice(c, n, parallel);
  const int64_t slices = (c + slice - 1) / slice;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < n * slices; t++) {
    const int64_t b = t / slices, j0 = (t % slices) * slice, len = std::min(slice, c - j0);
    double acc[kMaxSlice] = {};
    const float* xb = x + b * hw * c + j0;
    for (int64_t r = 0; r < hw; r++) rowAdd(acc, xb + r * c, len);
    for (int64_t j = 0; j < len; j++) y[b * c + j0 + j] = static_cast<float>(acc[j] / static_cast<double>(hw));
  }
}

void spatialMean(F32 x, F32 y, int64_t n, int64_t hw, int64_t c) {
  if (n < 1 || hw < 1 || c < 1) throw ArgError("N, HW, C: expected positive sizes");
  spatialMeans(x.data, y.data, n, hw, c);
}

}  // namespace chanlab
