// The loops of the kept-channel DGC heads (dgc_kept.cc), written once with GCC vector extensions and compiled once per
// ISA (dgc_kept_avx2.cc: AVX2 + FMA; dgc_kept_base.cc: baseline x86-64) inside the namespace CHANLAB_ISA;
// dgc_kept.cc picks the build the CPU runs. Include only from those files.
//
// The convolution is an indirect one: for a block of P output pixels and each tap, P row pointers into the sample's
// activations [H·W, C] (a zero row where the window leaves the input); per kept channel q, the activation of channel
// idx[q] of each row is broadcast against the packed filter row q (NV vectors of L outputs).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>
#include "dgc_kept_isa.h"
#include "rows.h"

namespace chanlab {
namespace CHANLAB_ISA {

template <int L> struct Vec;
template <> struct Vec<8> { typedef float T __attribute__((vector_size(32))); typedef int32_t I __attribute__((vector_size(32))); };
template <> struct Vec<4> { typedef float T __attribute__((vector_size(16))); };
template <> struct Vec<1> { typedef float T; };

template <int L>
inline typename Vec<L>::T loadu(const float* p) {
  typename Vec<L>::T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <int L>
inline typename Vec<L>::T splat(float x) {
  if constexpr (L == 8) return typename Vec<L>::T{x, x, x, x, x, x, x, x};
  else if constexpr (L == 4) return typename Vec<L>::T{x, x, x, x};
  else return x;
}

template <int L>
inline void storeu(float* p, typename Vec<L>::T v) {
  std::memcpy(p, &v, sizeof v);
}

// out[p·ldo + n] = Σ_t Σ_q rows[t·P + p][idx[q]] · wp[(t·K + q)·NV·L + n], p < np, n < NV·L.
template <int L, int P, int NV>
void block(const float* const* rows, int64_t T, const int32_t* idx, int64_t K, const float* wp, float* out,
           int64_t ldo, int64_t np) {
  using V = typename Vec<L>::T;
  V acc[P][NV];
#pragma GCC unroll 16
  for (int p = 0; p < P; p++) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[p][v] = V{};
  }
  const float* w = wp;
  for (int64_t t = 0; t < T; t++) {
    const float* r[P];
#pragma GCC unroll 16
    for (int p = 0; p < P; p++) r[p] = rows[t * P + p];
    for (int64_t q = 0; q < K; q++, w += NV * L) {
      const int64_t c = idx[q];
      V wv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) wv[v] = loadu<L>(w + v * L);
#pragma GCC unroll 16
      for (int p = 0; p < P; p++) {
        const V a = splat<L>(r[p][c]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) acc[p][v] += a * wv[v];
      }
    }
  }
  for (int64_t p = 0; p < np; p++) {
    for (int v = 0; v < NV; v++) storeu<L>(out + p * ldo + v * L, acc[p][v]);
  }
}

// Row pointers of the output pixels [p0, p0 + n) for every tap: rows[(blk·T + t)·P + p] (blocks of P pixels; pixels
// past the end point at the zero row).
template <int P>
void taps(const DgcTileGeometry& g, const float* a, const float* zero, int64_t p0, int64_t n, const float** rows) {
  const int64_t T = g.k * g.k, blocks = (n + P - 1) / P;
  int64_t oy = p0 / g.Wo, ox = p0 % g.Wo;
  for (int64_t blk = 0; blk < blocks; blk++) {
    for (int64_t p = 0; p < P; p++) {
      const float** rp = rows + blk * T * P + p;
      if (blk * P + p >= n) {
        for (int64_t t = 0; t < T; t++) rp[t * P] = zero;
        continue;
      }
      const int64_t iy0 = oy * g.stride - g.pad, ix0 = ox * g.stride - g.pad;
      for (int64_t ky = 0; ky < g.k; ky++) {
        const int64_t iy = iy0 + ky;
        for (int64_t kx = 0; kx < g.k; kx++) {
          const int64_t ix = ix0 + kx;
          const bool in = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W;
          rp[(ky * g.k + kx) * P] = in ? a + (iy * g.W + ix) * g.C : zero;
        }
      }
      if (++ox == g.Wo) ox = 0, oy++;
    }
  }
}

// y[p·ldy + j·h + i] = tile[p·ldt + i·nb + j] for p < np, j < nb.
void interleave(const float* tile, int64_t ldt, float* y, int64_t ldy, int64_t np, int64_t h, int64_t nb) {
  if (h == 4 && nb % 8 == 0) {
    using V = Vec<8>::T;
    using I = Vec<8>::I;
    for (int64_t p = 0; p < np; p++) {
      const float* t = tile + p * ldt;
      float* o = y + p * ldy;
      for (int64_t j0 = 0; j0 < nb; j0 += 8, o += 32) {
        const V a0 = loadu<8>(t + j0), a1 = loadu<8>(t + nb + j0);
        const V a2 = loadu<8>(t + 2 * nb + j0), a3 = loadu<8>(t + 3 * nb + j0);
        const V lo01 = __builtin_shuffle(a0, a1, I{0, 8, 1, 9, 2, 10, 3, 11});
        const V hi01 = __builtin_shuffle(a0, a1, I{4, 12, 5, 13, 6, 14, 7, 15});
        const V lo23 = __builtin_shuffle(a2, a3, I{0, 8, 1, 9, 2, 10, 3, 11});
        const V hi23 = __builtin_shuffle(a2, a3, I{4, 12, 5, 13, 6, 14, 7, 15});
        storeu<8>(o, __builtin_shuffle(lo01, lo23, I{0, 1, 8, 9, 2, 3, 10, 11}));
        storeu<8>(o + 8, __builtin_shuffle(lo01, lo23, I{4, 5, 12, 13, 6, 7, 14, 15}));
        storeu<8>(o + 16, __builtin_shuffle(hi01, hi23, I{0, 1, 8, 9, 2, 3, 10, 11}));
        storeu<8>(o + 24, __builtin_shuffle(hi01, hi23, I{4, 5, 12, 13, 6, 7, 14, 15}));
      }
    }
    return;
  }
  for (int64_t p = 0; p < np; p++) {
    for (int64_t i = 0; i < h; i++) {
      for (int64_t j = 0; j < nb; j++) y[p * ldy + j * h + i] = tile[p * ldt + i * nb + j];
    }
  }
}

// Tasks [t0, t1) of one sample, task = (chunk, pixel range): every head's block outputs of the chunk into the tile
// (head-major, nb each), interleaved into y's columns [chunk·nb·h, (chunk + 1)·nb·h).
template <int L, int P, int NV>
void convT(const DgcTileGeometry& g, const float* a, const SampleKept& kept, const float* wp, int64_t slot, float* y,
           int64_t t0, int64_t t1, float* tile) {
  constexpr int64_t nb = L * NV;
  const int64_t T = g.k * g.k, HoWo = g.Ho * g.Wo, ldt = g.h * nb;
  static thread_local std::vector<const float*> rows;
  static thread_local std::vector<float> zero;
  if (static_cast<int64_t>(zero.size()) < g.C) zero.assign(static_cast<size_t>(g.C), 0.f);
  const int64_t maxRows = (g.range + P - 1) / P * P * T;
  if (static_cast<int64_t>(rows.size()) < maxRows) rows.resize(static_cast<size_t>(maxRows));
  int64_t rowsFor = -1;
  for (int64_t t = t0; t < t1; t++) {
    const int64_t chunk = t / g.ranges, p0 = (t % g.ranges) * g.range, n = std::min(g.range, HoWo - p0);
    if (rowsFor != p0) taps<P>(g, a, zero.data(), p0, n, rows.data()), rowsFor = p0;
    for (int64_t i = 0; i < g.h; i++) {
      const int64_t K = kept.K[i];
      const int32_t* idx = kept.idx + i * g.C;
      const float* w = wp + i * slot + chunk * T * K * nb;
      for (int64_t blk = 0; blk * P < n; blk++) {
        block<L, P, NV>(rows.data() + blk * T * P, T, idx, K, w, tile + blk * P * ldt + i * nb, ldt,
                        std::min<int64_t>(P, n - blk * P));
      }
    }
    interleave(tile, ldt, y + p0 * g.Co + chunk * nb * g.h, g.Co, n, g.h, nb);
  }
}

void conv(const DgcTileGeometry& g, const float* a, const SampleKept& kept, const float* wp, int64_t slot, float* y,
          int64_t t0, int64_t t1, float* tile) {
  if (g.nb == 16) convT<8, 6, 2>(g, a, kept, wp, slot, y, t0, t1, tile);
  else if (g.nb == 8) convT<8, 12, 1>(g, a, kept, wp, slot, y, t0, t1, tile);
  else if (g.nb == 4) convT<4, 12, 1>(g, a, kept, wp, slot, y, t0, t1, tile);
  else convT<1, 12, 1>(g, a, kept, wp, slot, y, t0, t1, tile);
}

void pack(const DgcTileGeometry& g, const float* w, const SampleKept& kept, int64_t slot, float* wp, int64_t i0,
          int64_t i1) {
  const int64_t T = g.k * g.k, nb = g.nb;
  for (int64_t i = i0; i < i1; i++) {
    const int64_t K = kept.K[i];
    const int32_t* idx = kept.idx + i * g.C;
    const float* s = kept.s + i * g.C;
    float* dst = wp + i * slot;
    for (int64_t chunk = 0; chunk < g.chunks; chunk++) {
      const int64_t col = i * g.cph + chunk * nb;
      for (int64_t t = 0; t < T; t++) {
        for (int64_t q = 0; q < K; q++, dst += nb) {
          const float* src = w + (t * g.C + idx[q]) * g.Co + col;
          const float sq = s[q];
          for (int64_t n = 0; n < nb; n++) dst[n] = sq * src[n];
        }
      }
    }
  }
}

// The k-th smallest (1 ≤ k ≤ n) of g[0..n), all in [0, ∞] (no NaN): the bit patterns of such floats are ordered like
// their values, so bisect on them for the smallest u with #{g ≤ u} ≥ k, counting with vector compares (no branches
// on the data, unlike a partition).
float kthSmallest(const float* g, int64_t n, int64_t k) {
  typedef uint32_t U __attribute__((vector_size(32)));
  typedef int32_t S __attribute__((vector_size(32)));
  uint32_t lo = 0x7f800000u, hi = 0;
  for (int64_t c = 0; c < n; c++) {
    uint32_t u;
    std::memcpy(&u, g + c, 4);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const U m = U{} + mid;
    S cnt = S{};
    int64_t c = 0;
    for (; c + 8 <= n; c += 8) {
      U u;
      std::memcpy(&u, g + c, sizeof u);
      cnt -= reinterpret_cast<S>(u <= m);  // true is −1
    }
    int64_t total = 0;
    for (int j = 0; j < 8; j++) total += cnt[j];
    for (; c < n; c++) {
      uint32_t u;
      std::memcpy(&u, g + c, 4);
      total += u <= mid;
    }
    if (total >= k) hi = mid;
    else lo = mid + 1;
  }
  float t;
  std::memcpy(&t, &lo, 4);
  return t;
}

// out[c] = max(x[c]·k[c] + b[c], 0), acc[c] += out[c] (double).
void bnReluRow(float* __restrict out, const float* __restrict x, const float* __restrict k, const float* __restrict b,
               double* __restrict acc, int64_t n) {
  using V = Vec<8>::T;
  typedef float F4 __attribute__((vector_size(16)));
  typedef double D4 __attribute__((vector_size(32)));
  int64_t c = 0;
  for (; c + 8 <= n; c += 8) {
    const V v = loadu<8>(x + c) * loadu<8>(k + c) + loadu<8>(b + c);
    const V r = v > V{} ? v : V{};
    storeu<8>(out + c, r);
    F4 lo, hi;
    std::memcpy(&lo, &r, sizeof lo);
    std::memcpy(&hi, reinterpret_cast<const char*>(&r) + sizeof lo, sizeof hi);
    D4 a0, a1;
    std::memcpy(&a0, acc + c, sizeof a0);
    std::memcpy(&a1, acc + c + 4, sizeof a1);
    a0 += __builtin_convertvector(lo, D4);
    a1 += __builtin_convertvector(hi, D4);
    std::memcpy(acc + c, &a0, sizeof a0);
    std::memcpy(acc + c + 4, &a1, sizeof a1);
  }
  for (; c < n; c++) {
    const float v = x[c] * k[c] + b[c];
    out[c] = v > 0.f ? v : 0.f;
    acc[c] += out[c];
  }
}

void prepare(const DgcTileGeometry& g, const float* x, const float* kb, const float* bb, const DgcMlp& mlp,
             int64_t kDrop, float* a, float* gated, int64_t ldg, const SampleKept& kept, float* work) {
  const int64_t C = g.C, d = g.d, HW = g.H * g.W;
  float* z = work;
  float* gr = work + C;
  float* hid = work + 3 * C;
  // BN with running statistics as batchNormInference computes it (x·kb + bb, contracted to one FMA where the ISA has
  // it, as rowAffine's clones), ReLU, and the mean over pixels in double in pixel order (as spatialMean): one pass
  static thread_local std::vector<double> acc;
  acc.assign(static_cast<size_t>(C), 0.0);
  for (int64_t p = 0; p < HW; p++) bnReluRow(a + p * C, x + p * C, kb, bb, acc.data(), C);
  for (int64_t c = 0; c < C; c++) z[c] = static_cast<float>(acc[c] / static_cast<double>(HW));
  for (int64_t i = 0; i < g.h; i++) {
    // g = relu(relu(z·w1_i)·w2_i + b2_i): the matrix-vector passes of the 1×1-conv kernel (rowsMatVec)
    std::fill(hid, hid + d, 0.f);
    rowsMatVec(hid, z, mlp.w1 + i * C * d, C, d, d);
    for (int64_t j = 0; j < d; j++) hid[j] = hid[j] > 0.f ? hid[j] : 0.f;
    std::memcpy(gr, mlp.b2 + i * C, sizeof(float) * static_cast<size_t>(C));
    rowsMatVec(gr, hid, mlp.w2 + i * d * C, d, C, C);
    for (int64_t c = 0; c < C; c++) gr[c] = gr[c] > 0.f ? gr[c] : 0.f;
    // the gate: drop everything <= the kDrop-th smallest (docs/methods/dgc.md §1.3); branch-free lists
    const float th = kDrop > 0 ? kthSmallest(gr, C, kDrop) : -1.f;
    float* out = gated + i * ldg;
    int32_t* idx = kept.idx + i * C;
    float* s = kept.s + i * C;
    int64_t n = 0;
    for (int64_t c = 0; c < C; c++) {
      const float v = gr[c];
      const bool keep = v > th && v != 0.f;
      out[c] = keep ? v : 0.f;
      idx[n] = static_cast<int32_t>(c);
      s[n] = v;
      n += keep;
    }
    kept.K[i] = n;
  }
}

extern const DgcTileKernels kTileKernels = {pack, conv, prepare};

}  // namespace CHANLAB_ISA
}  // namespace chanlab
