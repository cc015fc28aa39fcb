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
  int64_t image() const { return h * w * c; }  // floats per image
};

// One pooling window: image b, output row r and column q; `out` is the offset of y[b, r, q, 0] (and of dy's).
struct Window {
  int64_t b, r, q, out;
};

// Calls f(window) for every output position, parallel over the N·OH output rows.
template <typename F>
static void forEachWindow(const PoolGeometry& g, F f) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < g.n * g.oh; i++) {
    const int64_t b = i / g.oh, r = i % g.oh;
    for (int64_t q = 0; q < g.ow; q++) f(Window{b, r, q, ((b * g.oh + r) * g.ow + q) * g.c});
  }
}

// Gradient walk, parallel over images: each thread makes its scratch once (`scratch()`), zeroes an image's dx and
// calls f(scratch, window, dx of the image) for the image's output positions in row-major order.
template <typename S, typename F>
static void forEachWindowGrad(const PoolGeometry& g, float* dx, S scratch, F f) {
#pragma omp parallel
  {
    auto local = scratch();
#pragma omp for schedule(static)
    for (int64_t b = 0; b < g.n; b++) {
      float* dxb = dx + b * g.image();
      std::memset(dxb, 0, sizeof(float) * g.image());
      for (int64_t r = 0; r < g.oh; r++) {
        for (int64_t q = 0; q < g.ow; q++) f(local, Window{b, r, q, ((b * g.oh + r) * g.ow + q) * g.c}, dxb);
      }
    }
  }
}

// Calls f(tap) for the in-bounds taps of a window in row-major order; tap = offset of [ih, iw, 0] in its image.
template <typename F>
static void forEachTap(const PoolGeometry& g, const Window& win, F f) {
  for (int64_t ih = g.r0(win.r); ih < g.r1(win.r); ih++) {
    for (int64_t iw = g.c0(win.q); iw < g.c1(win.q); iw++) f((ih * g.w + iw) * g.c);
  }
}

// maxPool(geometry, x, y)
napi_value maxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PoolGeometry g(ints(env, a.v[0], "geometry", 12));
    const float* x = f32(env, a.v[1], "x");
    float* y = f32(env, a.v[2], "y");
    forEachWindow(g, [&](const Window& win) {
      float* out = y + win.out;
      std::fill(out, out + g.c, -std::numeric_limits<float>::infinity());
      forEachTap(g, win, [&](int64_t tap) {
        const float* in = x + win.b * g.image() + tap;
        for (int64_t k = 0; k < g.c; k++) out[k] = in[k] > out[k] ? in[k] : out[k];
      });
    });
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
    struct Best {  // per channel: the window's maximum so far and its offset in the image (−1: none)
      std::vector<float> value;
      std::vector<int64_t> pos;
    };
    const auto scratch = [&] { return Best{std::vector<float>(g.c), std::vector<int64_t>(g.c)}; };
    forEachWindowGrad(g, dx, scratch, [&](Best& best, const Window& win, float* dxb) {
      std::fill(best.value.begin(), best.value.end(), -std::numeric_limits<float>::infinity());
      std::fill(best.pos.begin(), best.pos.end(), -1);
      forEachTap(g, win, [&](int64_t tap) {
        const float* in = x + win.b * g.image() + tap;
        for (int64_t k = 0; k < g.c; k++) {
          if (in[k] > best.value[k]) {
            best.value[k] = in[k];
            best.pos[k] = tap + k;
          }
        }
      });
      const float* d = dy + win.out;
      for (int64_t k = 0; k < g.c; k++) {
        if (best.pos[k] >= 0) dxb[best.pos[k]] += d[k];
      }
    });
  });
}

// avgPool(geometry, x, y)
napi_value avgPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    PoolGeometry g(ints(env, a.v[0], "geometry", 12));
    const float* x = f32(env, a.v[1], "x");
    float* y = f32(env, a.v[2], "y");
    forEachWindow(g, [&](const Window& win) {
      float* out = y + win.out;
      std::fill(out, out + g.c, 0.f);
      int64_t count = 0;
      forEachTap(g, win, [&](int64_t tap) {
        const float* in = x + win.b * g.image() + tap;
        for (int64_t k = 0; k < g.c; k++) out[k] += in[k];
        count++;
      });
      const float inv = count > 0 ? 1.f / static_cast<float>(count) : 0.f;
      for (int64_t k = 0; k < g.c; k++) out[k] = count > 0 ? out[k] * inv : std::numeric_limits<float>::quiet_NaN();
    });
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
    const auto scratch = [] { return 0; };  // none
    forEachWindowGrad(g, dx, scratch, [&](int, const Window& win, float* dxb) {
      const float* d = dy + win.out;
      forEachTap(g, win, [&](int64_t tap) {
        float* o = dxb + tap;
        for (int64_t k = 0; k < g.c; k++) o[k] += d[k] * scale;
      });
    });
  });
}

}  // namespace chanlab
