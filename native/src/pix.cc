// The PiX channel-reduction op (docs/methods/pix.md §1) forward and backward on NHWC float32, one pass over memory,
// parallel over pixels. Same arithmetic as chanlab's wasm kernels (src/kernels/wasm/Pix*.ts): sums in double, the
// branch fixed per (sample, group) by the caller (`modes`). dp is summed per sample over a fixed number of pixel
// blocks in block order, so it does not depend on the thread count.
// dims (Int32Array, 5): N, HW, C, G, zeta.  modes: Int32Array [N·G] (0 max, 1 avg, 2 min, 3 w-pix).
// sizes: Int32Array [G] (channels in group g); divs: Float64Array [G] (avg divisor).
#include <omp.h>
#include <algorithm>
#include <cstring>
#include <vector>
#include "common.h"
#include "kernels.h"

namespace chanlab {

struct PixArgs {
  int64_t n, hw, c, g, zeta;
  const int32_t* modes;
  const int32_t* sizes;
  const double* divs;
  double lowest;
  PixArgs(napi_env env, napi_value dims, napi_value m, napi_value s, napi_value d, napi_value low) {
    auto v = ints(env, dims, "dims", 5);
    n = v[0], hw = v[1], c = v[2], g = v[3], zeta = v[4];
    size_t count = 0;
    modes = static_cast<const int32_t*>(typedData(env, m, "modes", &count));
    if (static_cast<int64_t>(count) != n * g) throw ArgError("modes: expected N·G entries");
    sizes = static_cast<const int32_t*>(typedData(env, s, "sizes", &count));
    if (static_cast<int64_t>(count) != g) throw ArgError("sizes: expected G entries");
    divs = static_cast<const double*>(typedData(env, d, "divs", &count));
    if (static_cast<int64_t>(count) != g) throw ArgError("divs: expected G entries");
    lowest = number(env, low, "lowest");
  }
};

// pixForward(dims, modes, sizes, divs, lowest, x, p, y)
napi_value pixForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PixArgs d(env, a.v[0], a.v[1], a.v[2], a.v[3], a.v[4]);
    const float* x = f32(env, a.v[5], "x");
    const float* p = f32(env, a.v[6], "p");
    float* y = f32(env, a.v[7], "y");
#pragma omp parallel for schedule(static)
    for (int64_t row = 0; row < d.n * d.hw; row++) {
      const int64_t n = row / d.hw;
      const float* xr = x + row * d.c;
      float* yr = y + row * d.g;
      for (int64_t g = 0; g < d.g; g++) {
        const float* v = xr + g * d.zeta;
        const int64_t len = d.sizes[g];
        const double pi = p[n * d.g + g];
        switch (d.modes[n * d.g + g]) {
          case 0: {
            float m = static_cast<float>(d.lowest);
            for (int64_t i = 0; i < len; i++) m = m < v[i] ? v[i] : m;
            yr[g] = static_cast<float>(pi * m);
            break;
          }
          case 1: {
            double s = 0;
            for (int64_t i = 0; i < len; i++) s += v[i];
            yr[g] = static_cast<float>((pi * s) / d.divs[g]);
            break;
          }
          case 2: {
            float m = static_cast<float>(-d.lowest);
            for (int64_t i = 0; i < len; i++) m = m > v[i] ? v[i] : m;
            yr[g] = static_cast<float>(pi * m);
            break;
          }
          default: {
            float m = static_cast<float>(d.lowest);
            double s = 0;
            for (int64_t i = 0; i < len; i++) {
              m = m < v[i] ? v[i] : m;
              s += v[i];
            }
            yr[g] = static_cast<float>(pi * m + (1 - pi) * (s / d.divs[g]));
          }
        }
      }
    }
  });
}

static constexpr int64_t kPixBlocks = 16;

// pixBackward(dims, modes, sizes, divs, lowest, x, p, dy, dx, dp)
napi_value pixBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PixArgs d(env, a.v[0], a.v[1], a.v[2], a.v[3], a.v[4]);
    const float* x = f32(env, a.v[5], "x");
    const float* p = f32(env, a.v[6], "p");
    const float* dy = f32(env, a.v[7], "dy");
    float* dx = f32(env, a.v[8], "dx");
    float* dp = f32(env, a.v[9], "dp");
    const int64_t blocks = std::min<int64_t>(kPixBlocks, std::max<int64_t>(1, d.hw));
    std::vector<double> part(static_cast<size_t>(d.n * blocks * d.g), 0.0);
#pragma omp parallel for schedule(static)
    for (int64_t nb = 0; nb < d.n * blocks; nb++) {
      const int64_t n = nb / blocks, k = nb % blocks;
      double* acc = part.data() + nb * d.g;
      for (int64_t hw = d.hw * k / blocks; hw < d.hw * (k + 1) / blocks; hw++) {
        const int64_t row = n * d.hw + hw;
        const float* xr = x + row * d.c;
        float* dxr = dx + row * d.c;
        const float* dyr = dy + row * d.g;
        for (int64_t g = 0; g < d.g; g++) {
          const float* v = xr + g * d.zeta;
          float* o = dxr + g * d.zeta;
          const int64_t len = d.sizes[g];
          const double pi = p[n * d.g + g];
          const double gy = dyr[g];
          const int mode = d.modes[n * d.g + g];
          if (mode == 1) {
            double s = 0;
            const float share = static_cast<float>((pi * gy) / d.divs[g]);
            for (int64_t i = 0; i < len; i++) {
              s += v[i];
              o[i] = share;
            }
            acc[g] += gy * (s / d.divs[g]);
          } else if (mode == 0 || mode == 2) {
            const float sign = mode == 0 ? 1.f : -1.f;
            float m = static_cast<float>(d.lowest);
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
            acc[g] += gy * sign * m;
          } else {
            float m = static_cast<float>(d.lowest);
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
            acc[g] += gy * (m - s / d.divs[g]);
          }
        }
      }
    }
    for (int64_t n = 0; n < d.n; n++) {
      for (int64_t g = 0; g < d.g; g++) {
        double s = 0;
        for (int64_t k = 0; k < blocks; k++) s += part[(n * blocks + k) * d.g + g];
        dp[n * d.g + g] = static_cast<float>(s);
      }
    }
  });
}

// copy(src, dst): a parallel memcpy, the bandwidth reference for the PiX kernels.
napi_value copyF32(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    size_t n = 0, m = 0;
    const float* src = static_cast<const float*>(typedData(env, a.v[0], "src", &n));
    float* dst = static_cast<float*>(typedData(env, a.v[1], "dst", &m));
    if (m < n) throw ArgError("dst: expected at least as many elements as src");
    const int64_t chunks = 64;
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < chunks; k++) {
      const size_t lo = n * k / chunks, hi = n * (k + 1) / chunks;
      std::memcpy(dst + lo, src + lo, (hi - lo) * sizeof(float));
    }
  });
}

}  // namespace chanlab
