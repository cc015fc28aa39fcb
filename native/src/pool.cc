// 2-D max / average pooling and their gradients on NHWC float32, with tfjs's semantics (those of its cpu kernels):
//   max: over in-bounds taps; gradient to the first (row-major) tap holding the window's maximum.
//   avg: sum of in-bounds taps / their count; gradient dy / (filterH·filterW) to every in-bounds tap.
// geometry (Int32Array, 12): N, H, W, C, OH, OW, FH, FW, sh, sw, padTop, padLeft. Parallel over images (OpenMP):
// every image is written by one thread, so results do not depend on the thread count.
#include <omp.h>
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>
#include "common.h"
#include "kernels.h"

namespace chanlab {

struct PoolGeometry {
  int64_t n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl;
  explicit PoolGeometry(const std::vector<int64_t>& v)
      : n(v[0]), h(v[1]), w(v[2]), c(v[3]), oh(v[4]), ow(v[5]), fh(v[6]), fw(v[7]), sh(v[8]), sw(v[9]), pt(v[10]),
        pl(v[11]) {}
  int64_t r0(int64_t r) const { return std::max<int64_t>(0, r * sh - pt); }
  int64_t r1(int64_t r) const { return std::min<int64_t>(h, r * sh - pt + fh); }
  int64_t c0(int64_t q) const { return std::max<int64_t>(0, q * sw - pl); }
  int64_t c1(int64_t q) const { return std::min<int64_t>(w, q * sw - pl + fw); }
};

// maxPool(geometry, x, y)
napi_value maxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PoolGeometry g(ints(env, a.v[0], "geometry", 12));
    const float* x = f32(env, a.v[1], "x");
    float* y = f32(env, a.v[2], "y");
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < g.n * g.oh; i++) {
      const int64_t b = i / g.oh, r = i % g.oh;
      for (int64_t q = 0; q < g.ow; q++) {
        float* out = y + ((b * g.oh + r) * g.ow + q) * g.c;
        std::fill(out, out + g.c, -std::numeric_limits<float>::infinity());
        for (int64_t ih = g.r0(r); ih < g.r1(r); ih++) {
          for (int64_t iw = g.c0(q); iw < g.c1(q); iw++) {
            const float* in = x + ((b * g.h + ih) * g.w + iw) * g.c;
            for (int64_t k = 0; k < g.c; k++) out[k] = in[k] > out[k] ? in[k] : out[k];
          }
        }
      }
    }
  });
}

// maxPoolGrad(geometry, x, dy, dx)
napi_value maxPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PoolGeometry g(ints(env, a.v[0], "geometry", 12));
    const float* x = f32(env, a.v[1], "x");
    const float* dy = f32(env, a.v[2], "dy");
    float* dx = f32(env, a.v[3], "dx");
#pragma omp parallel
    {
      std::vector<float> best(g.c);
      std::vector<int64_t> pos(g.c);
#pragma omp for schedule(static)
      for (int64_t b = 0; b < g.n; b++) {
        float* dxb = dx + b * g.h * g.w * g.c;
        std::memset(dxb, 0, sizeof(float) * g.h * g.w * g.c);
        for (int64_t r = 0; r < g.oh; r++) {
          for (int64_t q = 0; q < g.ow; q++) {
            std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
            std::fill(pos.begin(), pos.end(), -1);
            for (int64_t ih = g.r0(r); ih < g.r1(r); ih++) {
              for (int64_t iw = g.c0(q); iw < g.c1(q); iw++) {
                const int64_t base = (ih * g.w + iw) * g.c;
                const float* in = x + b * g.h * g.w * g.c + base;
                for (int64_t k = 0; k < g.c; k++) {
                  if (in[k] > best[k]) {
                    best[k] = in[k];
                    pos[k] = base + k;
                  }
                }
              }
            }
            const float* d = dy + ((b * g.oh + r) * g.ow + q) * g.c;
            for (int64_t k = 0; k < g.c; k++) {
              if (pos[k] >= 0) dxb[pos[k]] += d[k];
            }
          }
        }
      }
    }
  });
}

// avgPool(geometry, x, y)
napi_value avgPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PoolGeometry g(ints(env, a.v[0], "geometry", 12));
    const float* x = f32(env, a.v[1], "x");
    float* y = f32(env, a.v[2], "y");
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < g.n * g.oh; i++) {
      const int64_t b = i / g.oh, r = i % g.oh;
      for (int64_t q = 0; q < g.ow; q++) {
        float* out = y + ((b * g.oh + r) * g.ow + q) * g.c;
        std::fill(out, out + g.c, 0.f);
        int64_t count = 0;
        for (int64_t ih = g.r0(r); ih < g.r1(r); ih++) {
          for (int64_t iw = g.c0(q); iw < g.c1(q); iw++) {
            const float* in = x + ((b * g.h + ih) * g.w + iw) * g.c;
            for (int64_t k = 0; k < g.c; k++) out[k] += in[k];
            count++;
          }
        }
        const float inv = count > 0 ? 1.f / static_cast<float>(count) : 0.f;
        for (int64_t k = 0; k < g.c; k++) out[k] = count > 0 ? out[k] * inv : std::numeric_limits<float>::quiet_NaN();
      }
    }
  });
}

// avgPoolGrad(geometry, dy, dx)
napi_value avgPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PoolGeometry g(ints(env, a.v[0], "geometry", 12));
    const float* dy = f32(env, a.v[1], "dy");
    float* dx = f32(env, a.v[2], "dx");
    const float scale = 1.f / static_cast<float>(g.fh * g.fw);
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < g.n; b++) {
      float* dxb = dx + b * g.h * g.w * g.c;
      std::memset(dxb, 0, sizeof(float) * g.h * g.w * g.c);
      for (int64_t r = 0; r < g.oh; r++) {
        for (int64_t q = 0; q < g.ow; q++) {
          const float* d = dy + ((b * g.oh + r) * g.ow + q) * g.c;
          for (int64_t ih = g.r0(r); ih < g.r1(r); ih++) {
            for (int64_t iw = g.c0(q); iw < g.c1(q); iw++) {
              float* o = dxb + (ih * g.w + iw) * g.c;
              for (int64_t k = 0; k < g.c; k++) o[k] += d[k] * scale;
            }
          }
        }
      }
    }
  });
}

}  // namespace chanlab
