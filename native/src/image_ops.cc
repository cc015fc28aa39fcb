// The data pipeline's per-sample arithmetic on uint8 images, bit-identical to the TypeScript in src/data (which is
// itself Pillow/torch-exact): Pillow's ImagingResample for 8-bit images (resizeU8, the algorithm of
// src/data/resize.ts) and ToTensor + Normalize in float32 (normalizeU8, as src/data/transforms.ts normalize).
// Plain loops on the calling thread: the data loader's worker threads are the parallelism. No FMA contraction
// (the build has no -mfma), so double and float arithmetic round as in JavaScript.
#include <cmath>
#include <vector>
#include "common.h"
#include "generated/kernels.h"

namespace chanlab {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

double bilinear(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

double bicubic(double x) {
  const double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

struct Coeffs {
  int ksize = 0;
  std::vector<int> bounds;  // per output pixel: first input index, taps
  std::vector<int> kk;      // fixed-point weights [out, ksize]
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc for the input range [0, inSize).
Coeffs precompute(int inSize, int outSize, bool cubic) {
  const double support0 = cubic ? 2.0 : 1.0;
  const double scale = static_cast<double>(inSize) / outSize;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = support0 * filterscale;
  Coeffs c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(2 * static_cast<size_t>(outSize));
  c.kk.assign(static_cast<size_t>(outSize) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  const double ss = 1.0 / filterscale;
  for (int xx = 0; xx < outSize; xx++) {
    const double center = (xx + 0.5) * scale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; x++) {
      const double w = cubic ? bicubic((x + xmin - center + 0.5) * ss) : bilinear((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; x++) {
      const double v = ww != 0.0 ? k[x] / ww : k[x];
      c.kk[static_cast<size_t>(xx) * c.ksize + x] =
          v < 0 ? static_cast<int>(-0.5 + v * (1 << kPrecisionBits)) : static_cast<int>(0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[2 * xx] = xmin;
    c.bounds[2 * xx + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int v) {
  v >>= kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

}  // namespace

void resizeU8(U8 src, I32 dims, int64_t filter, U8 dst) {
  expectCount(dims, "dims", 9);
  const int H = dims[0], W = dims[1], C = dims[2], top = dims[3], left = dims[4], bh = dims[5], bw = dims[6];
  const int outH = dims[7], outW = dims[8];
  if (H <= 0 || W <= 0 || C <= 0 || bh <= 0 || bw <= 0 || outH <= 0 || outW <= 0) throw ArgError("dims: expected positive sizes");
  if (top < 0 || left < 0 || top + bh > H || left + bw > W) throw ArgError("dims: the box must lie inside the image");
  if (filter != 0 && filter != 1) throw ArgError("filter: expected 0 (bilinear) or 1 (bicubic)");
  expectCount(src, "src", static_cast<int64_t>(H) * W * C);
  expectCount(dst, "dst", static_cast<int64_t>(outH) * outW * C);
  const bool cubic = filter == 1;
  const size_t rowIn = static_cast<size_t>(W) * C;
  // horizontal pass over the box's rows (skipped when the width is unchanged), into tmp [bh, outW, C]
  std::vector<uint8_t> tmp;
  const uint8_t* mid = nullptr;
  size_t midRow = 0;
  if (outW != bw) {
    const Coeffs cx = precompute(bw, outW, cubic);
    tmp.resize(static_cast<size_t>(bh) * outW * C);
    for (int y = 0; y < bh; y++) {
      const uint8_t* row = src.data + (top + y) * rowIn + static_cast<size_t>(left) * C;
      uint8_t* out = tmp.data() + static_cast<size_t>(y) * outW * C;
      for (int x = 0; x < outW; x++) {
        const int xmin = cx.bounds[2 * x], n = cx.bounds[2 * x + 1];
        const int* k = &cx.kk[static_cast<size_t>(x) * cx.ksize];
        for (int ch = 0; ch < C; ch++) {
          int ss = 1 << (kPrecisionBits - 1);
          const uint8_t* p = row + static_cast<size_t>(xmin) * C + ch;
          for (int t = 0; t < n; t++) ss += p[static_cast<size_t>(t) * C] * k[t];
          out[static_cast<size_t>(x) * C + ch] = clip8(ss);
        }
      }
    }
    mid = tmp.data();
    midRow = static_cast<size_t>(outW) * C;
  } else {
    mid = src.data + static_cast<size_t>(top) * rowIn + static_cast<size_t>(left) * C;
    midRow = rowIn;
  }
  const size_t rowOut = static_cast<size_t>(outW) * C;
  if (outH == bh) {
    for (int y = 0; y < outH; y++) {
      const uint8_t* s = mid + y * midRow;
      std::copy(s, s + rowOut, dst.data + y * rowOut);
    }
    return;
  }
  // vertical pass: whole rows accumulated
  const Coeffs cy = precompute(bh, outH, cubic);
  std::vector<int> acc(rowOut);
  for (int y = 0; y < outH; y++) {
    const int ymin = cy.bounds[2 * y], n = cy.bounds[2 * y + 1];
    const int* k = &cy.kk[static_cast<size_t>(y) * cy.ksize];
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    for (int t = 0; t < n; t++) {
      const uint8_t* s = mid + (ymin + t) * midRow;
      const int w = k[t];
      for (size_t i = 0; i < rowOut; i++) acc[i] += s[i] * w;
    }
    uint8_t* d = dst.data + y * rowOut;
    for (size_t i = 0; i < rowOut; i++) d[i] = clip8(acc[i]);
  }
}

void normalizeU8(U8 src, F32 mean, F32 std, F32 dst) {
  const size_t C = mean.size;
  if (C == 0 || std.size != C) throw ArgError("mean, std: expected one value per channel each");
  if (src.size % C != 0) throw ArgError("src: expected a whole number of pixels");
  expectCount(dst, "dst", src.count());
  float lut[256];
  for (int v = 0; v < 256; v++) lut[v] = static_cast<float>(v / 255.0);  // ToTensor: v / 255 rounded to float32
  for (size_t i = 0; i < src.size; i += C) {
    for (size_t c = 0; c < C; c++) dst[i + c] = (lut[src[i + c]] - mean[c]) / std[c];
  }
}

}  // namespace chanlab
