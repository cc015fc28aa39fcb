// Row loops with one clone per ISA (rows.h).
#include "rows.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CHANLAB_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define CHANLAB_CLONES
#endif

namespace chanlab {

CHANLAB_CLONES void rowAdd(double* __restrict acc, const float* __restrict x, int64_t c) {
  for (int64_t j = 0; j < c; j++) acc[j] += x[j];
}

CHANLAB_CLONES void rowAddSquaredDeviation(double* __restrict acc, const float* __restrict x,
                                           const float* __restrict mu, int64_t c) {
  for (int64_t j = 0; j < c; j++) {
    const double d = static_cast<double>(x[j]) - mu[j];
    acc[j] += d * d;
  }
}

CHANLAB_CLONES void rowAffine(float* __restrict out, const float* __restrict x, const float* __restrict k,
                              const float* __restrict b, int64_t c) {
  for (int64_t j = 0; j < c; j++) out[j] = x[j] * k[j] + b[j];
}

CHANLAB_CLONES void rowNormalize(float* __restrict out, const float* __restrict x, const float* __restrict mu,
                                 const float* __restrict invStd, const float* __restrict gamma,
                                 const float* __restrict beta, int64_t c) {
  for (int64_t j = 0; j < c; j++) out[j] = (x[j] - mu[j]) * invStd[j] * gamma[j] + beta[j];
}

CHANLAB_CLONES void rowNormGradSums(double* __restrict acc, const float* __restrict dy, const float* __restrict x,
                                    const float* __restrict mean, const float* __restrict invStd, int64_t c) {
  double* __restrict acc2 = acc + c;
  for (int64_t j = 0; j < c; j++) {
    acc[j] += dy[j];
    acc2[j] += static_cast<double>(dy[j]) * ((x[j] - mean[j]) * invStd[j]);
  }
}

CHANLAB_CLONES void rowNormGrad(float* __restrict out, const float* __restrict dy, const float* __restrict x,
                                const float* __restrict mean, const float* __restrict invStd,
                                const float* __restrict mb, const float* __restrict mg, const float* __restrict k,
                                int64_t c) {
  for (int64_t j = 0; j < c; j++) {
    const float xhat = (x[j] - mean[j]) * invStd[j];
    out[j] = (dy[j] - mb[j] - xhat * mg[j]) * k[j];
  }
}

CHANLAB_CLONES void rowsMatVec(float* __restrict y, const float* __restrict x, const float* __restrict w, int64_t k,
                               int64_t n, int64_t ldw) {
  // Four filter rows per sweep over y: a quarter of the y loads and stores, four streams in flight.
  int64_t i = 0;
  for (; i + 4 <= k; i += 4) {
    const float x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    const float* __restrict w0 = w + i * ldw;
    const float* __restrict w1 = w0 + ldw;
    const float* __restrict w2 = w1 + ldw;
    const float* __restrict w3 = w2 + ldw;
    for (int64_t o = 0; o < n; o++) y[o] += ((x0 * w0[o] + x1 * w1[o]) + (x2 * w2[o] + x3 * w3[o]));
  }
  for (; i < k; i++) {
    const float xi = x[i];
    const float* __restrict wi = w + i * ldw;
    for (int64_t o = 0; o < n; o++) y[o] += xi * wi[o];
  }
}

}  // namespace chanlab
