// Per-channel row loops of the batch-norm and mean kernels (batchnorm.cc), one row of C channels each, and the
// matrix-vector product of a 1×1 convolution on a 1×1 input (conv.cc). They are
// compiled once per ISA (AVX-512F, AVX2+FMA, baseline x86-64) and the loader picks the clone the CPU runs
// (GCC target_clones), so the addon needs nothing beyond x86-64 while using the CPU's vector width.
#pragma once
#include <cstdint>

namespace chanlab {

// acc[j] += x[j]
void rowAdd(double* acc, const float* x, int64_t c);
// acc[j] += (x[j] − mu[j])²
void rowAddSquaredDeviation(double* acc, const float* x, const float* mu, int64_t c);
// out[j] = x[j]·k[j] + b[j]
void rowAffine(float* out, const float* x, const float* k, const float* b, int64_t c);
// out[j] = (x[j] − mu[j])·invStd[j]·gamma[j] + beta[j]
void rowNormalize(float* out, const float* x, const float* mu, const float* invStd, const float* gamma,
                  const float* beta, int64_t c);
// acc[j] += dy[j];  acc[c + j] += dy[j]·(x[j] − mean[j])·invStd[j]
void rowNormGradSums(double* acc, const float* dy, const float* x, const float* mean, const float* invStd, int64_t c);
// out[j] = (dy[j] − mb[j] − (x[j] − mean[j])·invStd[j]·mg[j])·k[j]
void rowNormGrad(float* out, const float* dy, const float* x, const float* mean, const float* invStd, const float* mb,
                 const float* mg, const float* k, int64_t c);

// y[o] += Σ_i x[i]·w[i·ldw + o] for o in [0, n), i in [0, k) (a slice of a matrix-vector product, w row-major).
void rowsMatVec(float* y, const float* x, const float* w, int64_t k, int64_t n, int64_t ldw);

}  // namespace chanlab
