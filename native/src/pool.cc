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
#include "generated/kernels.h"

namespace chanlab {

struct PoolGeometry {
  int64_t n, h, w, c, oh, ow, fh, fw, sh, sw, pt, pl;
  explicit PoolGeometry(I32 v)
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

// The walkers take the geometry and the body by value and give each thread its own copy (firstprivate); walkers and
// bodies copy the sizes they loop over into locals: node-gyp compiles with -fno-strict-aliasing, so a size read
// through a struct inside the loops would be reloaded after every store.

// Calls f(window) for every output position, parallel over the N·OH output rows.
template <typename F>
static void forEachWindow(PoolGeometry g, F f) {
#pragma omp parallel for schedule(static) firstprivate(g, f)
  for (int64_t i = 0; i < g.n * g.oh; i++) {
    const int64_t oh = g.oh, ow = g.ow, c = g.c, b = i / oh, r = i % oh;
    for (int64_t q = 0; q < ow; q++) f(Window{b, r, q, ((b * oh + r) * ow + q) * c});
  }
}

// Gradient walk, parallel over images: zeroes an image's dx and calls f(window, dx of the image) for the image's
// output positions in row-major order. (maxPoolGrad keeps its own loop: through this walker, with per-thread
// scratch, it ran ~6% more instructions.)
template <typename F>
static void forEachWindowGrad(PoolGeometry g, float* dx, F f) {
#pragma omp parallel for schedule(static) firstprivate(g, f)
  for (int64_t b = 0; b < g.n; b++) {
    const int64_t oh = g.oh, ow = g.ow, c = g.c;
    float* dxb = dx + b * g.image();
    std::memset(dxb, 0, sizeof(float) * g.image());
    for (int64_t r = 0; r < oh; r++) {
      for (int64_t q = 0; q < ow; q++) f(Window{b, r, q, ((b * oh + r) * ow + q) * c}, dxb);
    }
  }
}

// Calls f(tap) for the in-bounds taps of a window in row-major order; tap = offset of [ih, iw, 0] in its image.
template <typename F>
static void forEachTap(const PoolGeometry& g, const Window& win, F f) {
  const int64_t ih0 = g.r0(win.r), ih1 = g.r1(win.r), iw0 = g.c0(win.q), iw1 = g.c1(win.q), w = g.w, c = g.c;
  for (int64_t ih = ih0; ih < ih1; ih++) {
    for (int64_t iw = iw0; iw < iw1; iw++) f((ih * w + iw) * c);
  }
}

// The forward kernels: body(xb, out, win) per window, xb = x of the window's image, out = y + win.out.
template <typename F>
static void poolForward(I32 geometry, const float* x, float* y, F body) {
  const PoolGeometry g(geometry);
  forEachWindow(g, [=](const Window& win) { body(g, x + win.b * g.image(), y + win.out, win); });
}

void maxPool(I32 geometry, F32 x, F32 y) {
  poolForward(geometry, x.data, y.data, [](const PoolGeometry& g, const float* xb, float* out, const Window& win) {
    const int64_t c = g.c;
    std::fill(out, out + c, -std::numeric_limits<float>::infinity());
    forEachTap(g, win, [=](int64_t tap) {
      const float* in = xb + tap;
      for (int64_t k = 0; k < c; k++) out[k] = in[k] > out[k] ? in[k] : out[k];
    });
  });
}

void maxPoolGrad(I32 geometry, F32 xs, F32 dys, F32 dxs) {
  const PoolGeometry g(geometry);
  const float* x = xs.data;
  const float* dy = dys.data;
  float* dx = dxs.data;
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
}

void avgPool(I32 geometry, F32 x, F32 y) {
  poolForward(geometry, x.data, y.data, [](const PoolGeometry& g, const float* xb, float* out, const Window& win) {
    const int64_t c = g.c;
    std::fill(out, out + c, 0.f);
    int64_t count = 0;
    forEachTap(g, win, [&](int64_t tap) {
      const float* in = xb + tap;
      for (int64_t k = 0; k < c; k++) out[k] += in[k];
      count++;
    });
    const float inv = count > 0 ? 1.f / static_cast<float>(count) : 0.f;
    for (int64_t k = 0; k < c; k++) out[k] = count > 0 ? out[k] * inv : std::numeric_limits<float>::quiet_NaN();
  });
}

void avgPoolGrad(I32 geometry, F32 dys, F32 dx) {
  const PoolGeometry g(geometry);
  const float* dy = dys.data;
  const float scale = 1.f / static_cast<float>(g.fh * g.fw);
  forEachWindowGrad(g, dx.data, [=](const Window& win, float* dxb) {
    const int64_t c = g.c;
    const float* d = dy + win.out;
    forEachTap(g, win, [=](int64_t tap) {
      float* o = dxb + tap;
      for (int64_t k = 0; k < c; k++) o[k] += d[k] * scale;
    });
  });
}

}  // namespace chanlab
