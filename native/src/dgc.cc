// The element-wise passes of the DGC head kernels (docs/methods/dgc.md §1.3, §1.6) around one grouped oneDNN
// convolution (conv.cc): the h scaled copies of the input side by side (the official layout), the channel shuffle of
// the head-major output, and the reduction of the copies' gradient back to da and dg. NHWC float32, in place.
// dg is summed per (sample, channel block) over pixels in pixel order, so it does not depend on the thread count.
#include <omp.h>
#include <algorithm>
#include <vector>
#include "common.h"
#include "generated/kernels.h"

namespace chanlab {

// The dims argument [B, HW, C, h] of dgcExpand / dgcReduce: samples, pixels, channels of a, heads. The kernels copy
// the sizes into local constants: node-gyp compiles with -fno-strict-aliasing, so sizes read through a struct in
// the loops would be reloaded after every store.
struct HeadDims {
  int64_t B, HW, C, h;
  explicit HeadDims(I32 d) : B(d[0]), HW(d[1]), C(d[2]), h(d[3]) {}
};

// dgcExpand(dims [B, HW, C, h], a [B,HW,C], g [h,B,C], xs [B,HW,h·C]): xs[b,p,i·C+c] = a[b,p,c]·g[i,b,c]
void dgcExpand(I32 dims, F32 as, F32 gs, F32 xss) {
  const HeadDims d(dims);
  const int64_t B = d.B, HW = d.HW, C = d.C, h = d.h;
  const float* a = as.data;
  const float* g = gs.data;
  float* xs = xss.data;
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < B * HW; row++) {
    const int64_t b = row / HW;
    const float* ar = a + row * C;
    float* o = xs + row * h * C;
    for (int64_t i = 0; i < h; i++) {
      const float* gi = g + (i * B + b) * C;
      for (int64_t c = 0; c < C; c++) o[i * C + c] = ar[c] * gi[c];
    }
  }
}

// dgcShuffle(dims [R, C'/h, h], src, dst, inverse): forward dst[r, j·h+i] = src[r, i·C'/h + j]; inverse the reverse.
void dgcShuffle(I32 dims, F32 srcs, F32 dsts, bool inverse) {
  const int64_t R = dims[0], cph = dims[1], h = dims[2], co = cph * h;
  const float* src = srcs.data;
  float* dst = dsts.data;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < R; r++) {
    const float* s = src + r * co;
    float* t = dst + r * co;
    for (int64_t i = 0; i < h; i++) {
      for (int64_t j = 0; j < cph; j++) {
        if (inverse) t[i * cph + j] = s[j * h + i];
        else t[j * h + i] = s[i * cph + j];
      }
    }
  }
}

static constexpr int64_t kDgcBlock = 64;  // channels per task of the reduction

// dgcReduce(dims [B, HW, C, h], dxs [B,HW,h·C], a [B,HW,C], g [h,B,C], da [B,HW,C], dg [h,B,C]):
// da[b,p,c] = Σ_i g[i,b,c]·dxs[b,p,i·C+c]; dg[i,b,c] = Σ_p dxs[b,p,i·C+c]·a[b,p,c] (double, pixel order)
void dgcReduce(I32 dims, F32 dxss, F32 as, F32 gs, F32 das, F32 dgs) {
  const HeadDims d(dims);
  const int64_t B = d.B, HW = d.HW, C = d.C, h = d.h;
  const float* dxs = dxss.data;
  const float* a = as.data;
  const float* g = gs.data;
  float* da = das.data;
  float* dg = dgs.data;
  const int64_t blocks = (C + kDgcBlock - 1) / kDgcBlock;
#pragma omp parallel for schedule(static)
  for (int64_t task = 0; task < B * blocks; task++) {
    const int64_t b = task / blocks, c0 = (task % blocks) * kDgcBlock, c1 = std::min(C, c0 + kDgcBlock);
    std::vector<double> acc(static_cast<size_t>(h * kDgcBlock), 0.0);
    for (int64_t p = 0; p < HW; p++) {
      const int64_t row = b * HW + p;
      const float* ar = a + row * C;
      const float* xr = dxs + row * h * C;
      float* dr = da + row * C;
      for (int64_t c = c0; c < c1; c++) dr[c] = 0.f;
      for (int64_t i = 0; i < h; i++) {
        const float* gi = g + (i * B + b) * C;
        const float* xi = xr + i * C;
        double* ai = acc.data() + i * kDgcBlock - c0;
        for (int64_t c = c0; c < c1; c++) {
          dr[c] += gi[c] * xi[c];
          ai[c] += static_cast<double>(xi[c]) * ar[c];
        }
      }
    }
    for (int64_t i = 0; i < h; i++) {
      for (int64_t c = c0; c < c1; c++) dg[(i * B + b) * C + c] = static_cast<float>(acc[i * kDgcBlock + c - c0]);
    }
  }
}

}  // namespace chanlab
