// The PiX channel-reduction op (docs/methods/pix.md §1) forward and backward on NHWC float32, each one pass over
// memory, parallel over pixels. The branch is fixed per (sample, group) by the caller (`modes`). Channels whose
// groups fill 16-lane vectors (zeta ∈ {1, 2, 4, 8, 16}) go through the AVX-512 row kernels of pix_simd.cc where the
// CPU has AVX-512F (float sums, pairwise); the rest, and every channel elsewhere, through the scalar loops here
// (the arithmetic of src/kernels/wasm/Pix*.ts: sums in double). dp is summed per sample over a fixed number of
// pixel blocks in block order, so it does not depend on the thread count.
#include <omp.h>
#include <algorithm>
#include <cstring>
#include <vector>
#include "common.h"
#include "generated/kernels.h"
#include "pix.h"

namespace chanlab {

// Lane tables for the vector row kernels (pix.h).
void PixPlan::prepare(bool simd) {
  hasMode.assign(static_cast<size_t>(n * 4), 0);
  for (int64_t s = 0; s < n; s++) {
    for (int64_t k = 0; k < g; k++) {
      const int32_t m = modes[s * g + k];
      if (m < kPixMax || m > kPixWpix) throw ArgError("modes: expected branch codes 0..3");
      hasMode[s * 4 + m] = 1;
    }
  }
  vecC = simd && zeta <= 16 && 16 % zeta == 0 ? c / 16 * 16 : 0;
  if (vecC == 0) return;
  const size_t lanes = static_cast<size_t>(n * c);
  lp.resize(lanes), lpd.resize(lanes), lq.resize(lanes), lid.resize(lanes), lmode.resize(lanes);
  for (int64_t s = 0; s < n; s++) {
    for (int64_t l = 0; l < vecC; l++) {
      const int64_t k = l / zeta, i = s * c + l;
      const double pv = p[s * g + k], div = divs[k];
      lp[i] = static_cast<float>(pv);
      lpd[i] = static_cast<float>(pv / div);
      lq[i] = static_cast<float>((1 - pv) / div);
      lid[i] = static_cast<float>(1 / div);
      lmode[i] = modes[s * g + k];
    }
  }
}

static bool simdEnabled = true;     // setPixSimd(false) forces the scalar kernels (for parity tests of both)
static bool streamEnabled = true;  // setPixSimd(on, stream): backward dx through non-temporal stores (default)

bool pixSimdSupported() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

// The call's arguments as a plan (x and p are checked here).
static PixPlan plan(I32 dims, I32 modes, I32 sizes, F64 divs, double lowest, F32 x, F32 p) {
  PixPlan d;
  d.n = dims[0], d.hw = dims[1], d.c = dims[2], d.g = dims[3], d.zeta = dims[4];
  if (d.zeta < 1 || d.g != (d.c + d.zeta - 1) / d.zeta) throw ArgError("dims: expected G = ceil(C / zeta)");
  expectCount(modes, "modes", d.n * d.g);
  expectCount(sizes, "sizes", d.g);
  expectCount(divs, "divs", d.g);
  expectCount(p, "p", d.n * d.g);
  expectCount(x, "x", d.n * d.hw * d.c);
  d.modes = modes.data;
  d.sizes = sizes.data;
  d.divs = divs.data;
  d.p = p.data;
  d.lowest = static_cast<float>(lowest);
  d.prepare(simdEnabled && pixSimdSupported());
  d.stream = streamEnabled && d.vecC == d.c && d.vecC > 0;
  return d;
}

// One group of one pixel row, scalar: sums in double, the first max (min) wins.
static float forwardGroup(const PixPlan& d, int64_t n, int64_t g, const float* xr) {
  const float* v = xr + g * d.zeta;
  const int64_t len = d.sizes[g];
  const double pi = d.p[n * d.g + g];
  switch (d.modes[n * d.g + g]) {
    case kPixMax: {
      float m = d.lowest;
      for (int64_t i = 0; i < len; i++) m = m < v[i] ? v[i] : m;
      return static_cast<float>(pi * m);
    }
    case kPixAvg: {
      double s = 0;
      for (int64_t i = 0; i < len; i++) s += v[i];
      return static_cast<float>((pi * s) / d.divs[g]);
    }
    case kPixMin: {
      float m = -d.lowest;
      for (int64_t i = 0; i < len; i++) m = m > v[i] ? v[i] : m;
      return static_cast<float>(pi * m);
    }
    default: {
      float m = d.lowest;
      double s = 0;
      for (int64_t i = 0; i < len; i++) {
        m = m < v[i] ? v[i] : m;
        s += v[i];
      }
      return static_cast<float>(pi * m + (1 - pi) * (s / d.divs[g]));
    }
  }
}

// pixForward (native/kernels.json): dims N, HW, C, G, zeta; modes [N·G] (0 max, 1 avg, 2 min, 3 w-pix);
// sizes [G] (channels in group g); divs [G] (avg divisor).
void pixForward(I32 dims, I32 modes, I32 sizes, F64 divs, double lowest, F32 xs, F32 p, F32 ys) {
  const PixPlan d = plan(dims, modes, sizes, divs, lowest, xs, p);
  expectCount(ys, "y", d.n * d.hw * d.g);
  const float* x = xs.data;
  float* y = ys.data;
  const int64_t g0 = d.vecC / d.zeta;  // groups of the vector part
#pragma omp parallel for schedule(static) if (d.n * d.hw * d.c >= kParallelMin)
  for (int64_t row = 0; row < d.n * d.hw; row++) {
    const int64_t n = row / d.hw;
    const float* xr = x + row * d.c;
    float* yr = y + row * d.g;
    if (g0 > 0) pixForwardRowSimd(d, n, xr, yr);
    for (int64_t g = g0; g < d.g; g++) yr[g] = forwardGroup(d, n, g, xr);
  }
}

// One group of one pixel row, scalar: dx, and acc[g] += the group's dp contribution.
static void backwardGroup(const PixPlan& d, int64_t n, int64_t g, const float* xr, const float* dyr, float* dxr,
                          double* acc) {
  const float* v = xr + g * d.zeta;
  float* o = dxr + g * d.zeta;
  const int64_t len = d.sizes[g];
  const double pi = d.p[n * d.g + g];
  const double gy = dyr[g];
  const int mode = d.modes[n * d.g + g];
  double& dp = acc[g];
  if (mode == kPixAvg) {
    double s = 0;
    const float share = static_cast<float>((pi * gy) / d.divs[g]);
    for (int64_t i = 0; i < len; i++) {
      s += v[i];
      o[i] = share;
    }
    dp += gy * (s / d.divs[g]);
  } else if (mode == kPixMax || mode == kPixMin) {
    const float sign = mode == kPixMax ? 1.f : -1.f;
    float m = d.lowest;
    int64_t am = 0;
    for (int64_t i = 0; i < len; i++) {
      const float t = sign * v[i];
      if (m < t) {
        m = t;
        am = i;
      }
      o[i] = 0.f;
    }
    o[am] = static_cast<float>(pi * gy);
    dp += gy * sign * m;
  } else {
    float m = d.lowest;
    int64_t am = 0;
    double s = 0;
    const double share = ((1 - pi) * gy) / d.divs[g];
    for (int64_t i = 0; i < len; i++) {
      if (m < v[i]) {
        m = v[i];
        am = i;
      }
      s += v[i];
      o[i] = static_cast<float>(share);
    }
    o[am] = static_cast<float>(share + pi * gy);
    dp += gy * (m - s / d.divs[g]);
  }
}

static constexpr int64_t kPixBlocks = 16;

// pixBackward: dx and dp in one pass over x and dy. dp is summed per sample over a fixed number of pixel blocks in
// block order, so it does not depend on the thread count.
void pixBackward(I32 dims, I32 modes, I32 sizes, F64 divs, double lowest, F32 xs, F32 p, F32 dys, F32 dxs, F32 dps) {
  const PixPlan d = plan(dims, modes, sizes, divs, lowest, xs, p);
  expectCount(dys, "dy", d.n * d.hw * d.g);
  expectCount(dxs, "dx", d.n * d.hw * d.c);
  expectCount(dps, "dp", d.n * d.g);
  const float* x = xs.data;
  const float* dy = dys.data;
  float* dx = dxs.data;
  float* dp = dps.data;
  const int64_t blocks = std::min<int64_t>(kPixBlocks, std::max<int64_t>(1, d.hw));
  const int64_t g0 = d.vecC / d.zeta;
  // Per (sample, block): one accumulator per group.
  std::vector<double> part(static_cast<size_t>(d.n * blocks * d.g), 0.0);
#pragma omp parallel if (d.n * d.hw * d.c >= kParallelMin)
  {
    std::vector<float> staged(d.stream ? static_cast<size_t>(d.c) : 0);  // one dx row (d.stream)
#pragma omp for schedule(static)
    for (int64_t nb = 0; nb < d.n * blocks; nb++) {
      const int64_t n = nb / blocks, k = nb % blocks;
      double* acc = part.data() + nb * d.g;
      for (int64_t hw = d.hw * k / blocks; hw < d.hw * (k + 1) / blocks; hw++) {
        const int64_t row = n * d.hw + hw;
        const float* xr = x + row * d.c;
        const float* dyr = dy + row * d.g;
        float* dxr = dx + row * d.c;
        if (d.stream) {
          pixBackwardRowSimd(d, n, xr, dyr, staged.data(), acc);
          streamCopySimd(staged.data(), dxr, static_cast<size_t>(d.c), false);
          continue;
        }
        if (g0 > 0) pixBackwardRowSimd(d, n, xr, dyr, dxr, acc);
        for (int64_t g = g0; g < d.g; g++) backwardGroup(d, n, g, xr, dyr, dxr, acc);
      }
    }
    if (d.stream) streamFence();
  }
  for (int64_t n = 0; n < d.n; n++) {
    for (int64_t g = 0; g < d.g; g++) {
      double s = 0;
      for (int64_t k = 0; k < blocks; k++) s += part[(n * blocks + k) * d.g + g];
      dp[n * d.g + g] = static_cast<float>(s);
    }
  }
}

// setPixSimd (native/kernels.json): the AVX-512 row kernels on or off, and the backward's non-temporal dx stores.
bool setPixSimd(bool on, bool stream) {
  simdEnabled = on;
  streamEnabled = stream;
  return on && pixSimdSupported();
}

// copy (native/kernels.json): the bandwidth reference for the PiX kernels, on the same threads. method 0: each thread
// memcpy's one contiguous slice (glibc picks its own stores); 1: AVX-512 non-temporal stores (memcpy where the CPU
// lacks AVX-512F). The benchmark reports the faster.
void copy(F32 src, F32 dst, int64_t method) {
  if (dst.size < src.size) throw ArgError("dst: expected at least as many elements as src");
  if (method != 0 && method != 1) throw ArgError("method: expected 0 (memcpy) or 1 (non-temporal stores)");
  const bool stream = method == 1 && pixSimdSupported();
  const size_t n = src.size;
#pragma omp parallel
  {
    const size_t t = static_cast<size_t>(omp_get_thread_num()), T = static_cast<size_t>(omp_get_num_threads());
    const size_t lo = n * t / T, hi = n * (t + 1) / T;
    if (stream) {
      streamCopySimd(src.data + lo, dst.data + lo, hi - lo);
    } else {
      std::memcpy(dst.data + lo, src.data + lo, (hi - lo) * sizeof(float));
    }
  }
}

}  // namespace chanlab
