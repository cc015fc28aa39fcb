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

// A float's bits mapped to an unsigned key ordered like the values (no NaN): negatives reversed below positives.
inline uint32_t orderedKey(float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  return u & 0x80000000u ? ~u : u | 0x80000000u;
}

// The k-th smallest (1 ≤ k ≤ n) of g[0..n) (no NaN): bisection on the ordered keys for the smallest u with
// #{key ≤ u} ≥ k, counting with vector compares (no branches on the data, unlike a partition).
float kthSmallest(const float* g, int64_t n, int64_t k, uint32_t* keys) {
  typedef uint32_t U __attribute__((vector_size(32)));
  typedef int32_t S __attribute__((vector_size(32)));
  uint32_t lo = ~0u, hi = 0;
  for (int64_t c = 0; c < n; c++) {
    keys[c] = orderedKey(g[c]);
    lo = std::min(lo, keys[c]);
    hi = std::max(hi, keys[c]);
  }
  if (n <= 64) {  // a short row: selection is cheaper than 32 counting passes
    std::nth_element(keys, keys + (k - 1), keys + n);
    lo = hi = keys[k - 1];
  }
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const U m = U{} + mid;
    S cnt = S{};
    int64_t c = 0;
    for (; c + 8 <= n; c += 8) {
      U u;
      std::memcpy(&u, keys + c, sizeof u);
      cnt -= reinterpret_cast<S>(u <= m);  // true is −1
    }
    int64_t total = 0;
    for (int j = 0; j < 8; j++) total += cnt[j];
    for (; c < n; c++) total += keys[c] <= mid;
    if (total >= k) hi = mid;
    else lo = mid + 1;
  }
  const uint32_t u = lo & 0x80000000u ? lo & 0x7fffffffu : ~lo;
  float t;
  std::memcpy(&t, &u, 4);
  return t;
}

// The gate on one row (docs/methods/dgc.md §1.3): keep g[c] > th, th = the kDrop-th smallest (kDrop 0 keeps all);
// skipZeros also leaves out exact zeros (eval: they add nothing). Writes the kept list (channels ascending, scales
// s = g) branch-free, out[c] = g[c] or 0 when out is given; returns the count.
int64_t gateRow(const float* gr, int64_t C, int64_t kDrop, bool skipZeros, int32_t* idx, float* s, float* out,
                uint32_t* keys) {
  const float th = kDrop > 0 ? kthSmallest(gr, C, kDrop, keys) : 0.f;
  int64_t n = 0;
  for (int64_t c = 0; c < C; c++) {
    const float v = gr[c];
    const bool keep = (kDrop == 0 || v > th) && !(skipZeros && v == 0.f);
    if (out != nullptr) out[c] = keep ? v : 0.f;
    idx[n] = static_cast<int32_t>(c);
    s[n] = v;
    n += keep;
  }
  return n;
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

// BN with running statistics as batchNormInference computes it (x·kb + bb, contracted to one FMA where the ISA has
// it, as rowAffine's clones), ReLU into a, and the spatial mean z in double in pixel order (as spatialMean): one pass.
// kb null: x is the pre-activation already (training), only its mean (a unused).
void preactMean(const DgcTileGeometry& g, const float* x, const float* kb, const float* bb, float* a, float* z) {
  const int64_t C = g.C, HW = g.H * g.W;
  static thread_local std::vector<double> acc;
  acc.assign(static_cast<size_t>(C), 0.0);
  if (kb != nullptr) {
    for (int64_t p = 0; p < HW; p++) bnReluRow(a + p * C, x + p * C, kb, bb, acc.data(), C);
  } else {
    for (int64_t p = 0; p < HW; p++) rowAdd(acc.data(), x + p * C, C);
  }
  for (int64_t c = 0; c < C; c++) z[c] = static_cast<float>(acc[c] / static_cast<double>(HW));
}

// out[j] = Σ_c w[j·n + c] · x[c] for j < rows: dot products of length n (two vector accumulators, then a horizontal
// sum and the tail in order).
void dotRows(float* out, const float* w, const float* x, int64_t rows, int64_t n) {
  using V = Vec<8>::T;
  for (int64_t j = 0; j < rows; j++) {
    const float* wr = w + j * n;
    V a0 = V{}, a1 = V{};
    int64_t c = 0;
    for (; c + 16 <= n; c += 16) {
      a0 += loadu<8>(wr + c) * loadu<8>(x + c);
      a1 += loadu<8>(wr + c + 8) * loadu<8>(x + c + 8);
    }
    a0 += a1;
    float s = ((a0[0] + a0[1]) + (a0[2] + a0[3])) + ((a0[4] + a0[5]) + (a0[6] + a0[7]));
    for (; c < n; c++) s += wr[c] * x[c];
    out[j] = s;
  }
}

// hid = relu(z·w1_i) [d] (w1 rows [d, C]: dot products) and g = relu(hid·w2_i + b2_i) [C] (the matrix-vector pass
// of the 1×1-conv kernel over w2's rows).
void saliencyRow(const DgcTileGeometry& g, const float* z, const DgcMlp& mlp, int64_t i, float* hid, float* gr) {
  const int64_t C = g.C, d = g.d;
  dotRows(hid, mlp.w1 + i * d * C, z, d, C);
  for (int64_t j = 0; j < d; j++) hid[j] = hid[j] > 0.f ? hid[j] : 0.f;
  std::memcpy(gr, mlp.b2 + i * C, sizeof(float) * static_cast<size_t>(C));
  rowsMatVec(gr, hid, mlp.w2 + i * d * C, d, C, C);
  for (int64_t c = 0; c < C; c++) gr[c] = gr[c] > 0.f ? gr[c] : 0.f;
}

void saliencyGate(const DgcTileGeometry& g, const float* z, const DgcMlp& mlp, int64_t kDrop, bool skipZeros,
                  float* graw, float* gated, int64_t ldg, const SampleKept& kept, float* work) {
  const int64_t C = g.C;
  float* gr = work;
  float* hid = work + 2 * C;
  for (int64_t i = 0; i < g.h; i++) {
    float* row = graw != nullptr ? graw + i * ldg : gr;
    saliencyRow(g, z, mlp, i, hid, row);
    kept.K[i] = gateRow(row, C, kDrop, skipZeros, kept.idx + i * C, kept.s + i * C,
                        gated != nullptr ? gated + i * ldg : nullptr, reinterpret_cast<uint32_t*>(work + C));
  }
}

// The saliency MLPs' backward for head i over all samples (docs/methods/dgc.md §1.2): from dg [h,B,C] (the gradient
// reaching g: the heads' on the kept channels plus the lasso's), through the ReLUs: db2_i, dw2_i, dw1_i (assigned),
// and dzi [B, C], head i's part of dz. Samples in order: the sums do not depend on the thread count.
void mlpBackward(const DgcTileGeometry& g, int64_t B, const float* z, const DgcMlp& mlp, const float* gs,
                 const float* dg, int64_t i, float* dw1, float* dw2, float* db2, float* dzi, float* work) {
  const int64_t C = g.C, d = g.d;
  float* hid = work;
  float* dhid = work + d;
  float* dpre = work + 2 * d;
  float* gr = work + 2 * d + C;
  const float* w1 = mlp.w1 + i * d * C;
  const float* w2 = mlp.w2 + i * d * C;
  float* dw1i = dw1 + i * d * C;
  float* dw2i = dw2 + i * d * C;
  float* db2i = db2 + i * C;
  std::fill(dw1i, dw1i + d * C, 0.f);
  std::fill(dw2i, dw2i + d * C, 0.f);
  std::fill(db2i, db2i + C, 0.f);
  for (int64_t b = 0; b < B; b++) {
    const float* zb = z + b * C;
    saliencyRow(g, zb, mlp, i, hid, gr);
    const float* gi = gs + (i * B + b) * C;
    const float* dgi = dg + (i * B + b) * C;
    for (int64_t c = 0; c < C; c++) dpre[c] = gi[c] > 0.f ? dgi[c] : 0.f;
    for (int64_t c = 0; c < C; c++) db2i[c] += dpre[c];
    for (int64_t j = 0; j < d; j++) {
      const float* w2r = w2 + j * C;
      float* dw2r = dw2i + j * C;
      float s = 0.f;
      const float hj = hid[j];
      for (int64_t c = 0; c < C; c++) {
        dw2r[c] += hj * dpre[c];
        s += dpre[c] * w2r[c];
      }
      dhid[j] = hj > 0.f ? s : 0.f;
    }
    float* dz = dzi + b * C;
    std::fill(dz, dz + C, 0.f);
    for (int64_t j = 0; j < d; j++) {
      const float* w1r = w1 + j * C;
      float* dw1r = dw1i + j * C;
      const float dj = dhid[j];
      for (int64_t c = 0; c < C; c++) {
        dw1r[c] += dj * zb[c];
        dz[c] += dj * w1r[c];
      }
    }
  }
}

// ---- backward --------------------------------------------------------------------------------------------------

// Head i's columns [n0, n0 + nb) of dy_b [P, Co] (interleaved, channel n·h + i) as rows of nb: out [P, nb].
void deinterleave(const float* dy, int64_t P, int64_t Co, int64_t h, int64_t i, int64_t n0, int64_t nb, float* out) {
  for (int64_t p = 0; p < P; p++) {
    const float* src = dy + p * Co + n0 * h + i;
    float* dst = out + p * nb;
    for (int64_t n = 0; n < nb; n++) dst[n] = src[n * h];
  }
}

// acc[r, n] = Σ_p rows[p][col[r]] · dy[p·NV·L + n] for R (tap, channel) pairs of one tap, then
// dw[dwr[r] + n] += s[r] · acc[r, n] for r < nr.
template <int L, int R, int NV>
void dwBlock(const float* const* rows, int64_t P, const int32_t* col, const float* s, const float* dy, float* const* dwr,
             int64_t nr) {
  using V = typename Vec<L>::T;
  V acc[R][NV];
  int64_t c[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; r++) {
    c[r] = col[r < nr ? r : 0];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[r][v] = V{};
  }
  for (int64_t p = 0; p < P; p++) {
    const float* row = rows[p];
    V d[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) d[v] = loadu<L>(dy + p * NV * L + v * L);
#pragma GCC unroll 16
    for (int r = 0; r < R; r++) {
      const V a = splat<L>(row[c[r]]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[r][v] += a * d[v];
    }
  }
  for (int64_t r = 0; r < nr; r++) {
    for (int v = 0; v < NV; v++) storeu<L>(dwr[r] + v * L, loadu<L>(dwr[r] + v * L) + splat<L>(s[r]) * acc[r][v]);
  }
}

template <int L, int R, int NV>
void dwAccumulateT(const DgcTileGeometry& g, int64_t B, const float* a, const SampleKept* kept, const float* dy,
                   int64_t i, int64_t chunk, float* dw, float* work) {
  constexpr int64_t nb = L * NV;
  const int64_t T = g.k * g.k, P = g.Ho * g.Wo, C = g.C, n0 = chunk * nb;
  static thread_local std::vector<const float*> rows;
  static thread_local std::vector<float> zero;
  if (static_cast<int64_t>(zero.size()) < C) zero.assign(static_cast<size_t>(C), 0.f);
  if (static_cast<int64_t>(rows.size()) < T * P) rows.resize(static_cast<size_t>(T * P));
  float* dyi = work;
  for (int64_t b = 0; b < B; b++) {
    const int64_t K = kept[b].K[i];
    if (K == 0) continue;
    const int32_t* idx = kept[b].idx + i * C;
    const float* sc = kept[b].s + i * C;
    const float* ab = a + b * g.H * g.W * C;
    deinterleave(dy + b * P * g.Co, P, g.Co, g.h, i, n0, nb, dyi);
    // rows[t·P + p]: the input pixel tap t of output pixel p reads (tap-major, the order of dwBlock's loop)
    int64_t oy = 0, ox = 0;
    for (int64_t p = 0; p < P; p++) {
      for (int64_t ky = 0; ky < g.k; ky++) {
        const int64_t iy = oy * g.stride + ky - g.pad;
        for (int64_t kx = 0; kx < g.k; kx++) {
          const int64_t ix = ox * g.stride + kx - g.pad;
          rows[(ky * g.k + kx) * P + p] = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W ? ab + (iy * g.W + ix) * C : zero.data();
        }
      }
      if (++ox == g.Wo) ox = 0, oy++;
    }
    for (int64_t t = 0; t < T; t++) {
      for (int64_t q0 = 0; q0 < K; q0 += R) {
        const int64_t nr = std::min<int64_t>(R, K - q0);
        float* dwr[R];
        for (int64_t r = 0; r < nr; r++) dwr[r] = dw + (t * C + idx[q0 + r]) * g.Co + i * g.cph + n0;
        dwBlock<L, R, NV>(rows.data() + t * P, P, idx + q0, sc + q0, dyi, dwr, nr);
      }
    }
  }
}

void dwAccumulate(const DgcTileGeometry& g, int64_t B, const float* a, const SampleKept* kept, const float* dy,
                  int64_t i, int64_t chunk, float* dw, float* work) {
  if (g.nb == 16) dwAccumulateT<8, 6, 2>(g, B, a, kept, dy, i, chunk, dw, work);
  else if (g.nb == 8) dwAccumulateT<8, 12, 1>(g, B, a, kept, dy, i, chunk, dw, work);
  else if (g.nb == 4) dwAccumulateT<4, 12, 1>(g, B, a, kept, dy, i, chunk, dw, work);
  else dwAccumulateT<1, 12, 1>(g, B, a, kept, dy, i, chunk, dw, work);
}

// Rows of the transposed convolution for input pixels [p0, p0 + n): rows[(blk·T + t)·P + p] points at the row of dy
// (row length cph) of the output pixel that tap t of input pixel p feeds, or at the zero row.
template <int P>
void tapsTransposed(const DgcTileGeometry& g, const float* dyi, const float* zero, int64_t p0, int64_t n,
                    const float** rows) {
  const int64_t T = g.k * g.k, blocks = (n + P - 1) / P, s = g.stride;
  int64_t iy = p0 / g.W, ix = p0 % g.W;
  for (int64_t blk = 0; blk < blocks; blk++) {
    for (int64_t p = 0; p < P; p++) {
      const float** rp = rows + blk * T * P + p;
      const bool valid = blk * P + p < n;
      for (int64_t ky = 0; ky < g.k; ky++) {
        const int64_t ny = iy + g.pad - ky;
        const int64_t oy = s == 1 ? ny : ny / s;
        const bool yin = valid && ny >= 0 && (s == 1 || ny % s == 0) && oy < g.Ho;
        for (int64_t kx = 0; kx < g.k; kx++) {
          const int64_t nx = ix + g.pad - kx;
          const int64_t ox = s == 1 ? nx : nx / s;
          const bool in = yin && nx >= 0 && (s == 1 || nx % s == 0) && ox < g.Wo;
          rp[(ky * g.k + kx) * P] = in ? dyi + (oy * g.Wo + ox) * g.cph : zero;
        }
      }
      if (valid && ++ix == g.W) ix = 0, iy++;
    }
  }
}

// One sample's input and saliency gradients (see DgcTileKernels::dxSample). Per head, the transposed convolution
// dxs [H·W, K] = Σ_taps dy_i · w[tap, c_q, head i's columns]ᵀ as an indirect convolution over dy_i's rows (the
// forward's block; the head's filter rows packed [K chunks, k·k, cph, nb]), then da[p, c_q] += s_q · dxs[p, q] and
// dg_q = Σ_p a[p, c_q] · dxs[p, q] (double, pixel order).
template <int L, int P, int NV>
void dxSampleT(const DgcTileGeometry& g, const float* a, const SampleKept& kept, const float* w, const float* dy,
               float* da, float* dg, int64_t ldg) {
  constexpr int64_t nb = L * NV;
  const int64_t T = g.k * g.k, HW = g.H * g.W, HoWo = g.Ho * g.Wo, C = g.C, cph = g.cph;
  static thread_local std::vector<float> wt, dyi, tmp, zero;
  static thread_local std::vector<int32_t> iota;
  static thread_local std::vector<double> acc;
  static thread_local std::vector<const float*> rows;
  std::fill(da, da + HW * C, 0.f);
  if (static_cast<int64_t>(iota.size()) < cph) {
    iota.resize(static_cast<size_t>(cph));
    for (int64_t j = 0; j < cph; j++) iota[j] = static_cast<int32_t>(j);
  }
  if (static_cast<int64_t>(zero.size()) < cph) zero.assign(static_cast<size_t>(cph), 0.f);
  dyi.resize(static_cast<size_t>(HoWo * cph));
  const int64_t range = std::min((HW + P - 1) / P * P, std::max<int64_t>(P, (int64_t{1} << 14) / (g.C + nb) / P * P));
  rows.resize(static_cast<size_t>(range * T));
  for (int64_t i = 0; i < g.h; i++) {
    const int64_t K = kept.K[i];
    const int32_t* idx = kept.idx + i * C;
    const float* sc = kept.s + i * C;
    float* dgr = dg + i * ldg;
    std::fill(dgr, dgr + C, 0.f);
    if (K == 0) continue;
    const int64_t chunks = (K + nb - 1) / nb, Kpad = chunks * nb;
    wt.resize(static_cast<size_t>(chunks * T * cph * nb));
    if (Kpad > K) {  // the last chunk's columns past K are zero
      float* last = wt.data() + (chunks - 1) * T * cph * nb;
      for (int64_t r = 0; r < T * cph; r++) std::fill(last + r * nb + (K - (chunks - 1) * nb), last + (r + 1) * nb, 0.f);
    }
    for (int64_t t = 0; t < T; t++) {
      for (int64_t q = 0; q < K; q++) {
        const float* src = w + (t * C + idx[q]) * g.Co + i * cph;
        float* dst = wt.data() + (((q / nb) * T + t) * cph) * nb + q % nb;
        for (int64_t j = 0; j < cph; j++) dst[j * nb] = src[j];
      }
    }
    deinterleave(dy, HoWo, g.Co, g.h, i, 0, cph, dyi.data());
    acc.assign(static_cast<size_t>(K), 0.0);
    tmp.resize(static_cast<size_t>(range * Kpad));
    for (int64_t p0 = 0; p0 < HW; p0 += range) {
      const int64_t n = std::min(range, HW - p0);
      tapsTransposed<P>(g, dyi.data(), zero.data(), p0, n, rows.data());
      for (int64_t blk = 0; blk * P < n; blk++) {
        for (int64_t ch = 0; ch < chunks; ch++) {
          block<L, P, NV>(rows.data() + blk * T * P, T, iota.data(), cph, wt.data() + ch * T * cph * nb,
                          tmp.data() + blk * P * Kpad + ch * nb, Kpad, std::min<int64_t>(P, n - blk * P));
        }
      }
      for (int64_t p = 0; p < n; p++) {
        const float* tr = tmp.data() + p * Kpad;
        float* dar = da + (p0 + p) * C;
        const float* ar = a + (p0 + p) * C;
        for (int64_t q = 0; q < K; q++) {
          const int64_t c = idx[q];
          dar[c] += sc[q] * tr[q];
          acc[q] += static_cast<double>(ar[c]) * tr[q];
        }
      }
    }
    for (int64_t q = 0; q < K; q++) dgr[idx[q]] = static_cast<float>(acc[q]);
  }
}

void dxSample(const DgcTileGeometry& g, const float* a, const SampleKept& kept, const float* w, const float* dy,
              float* da, float* dg, int64_t ldg) {
  if (g.C >= 48) dxSampleT<8, 6, 2>(g, a, kept, w, dy, da, dg, ldg);
  else dxSampleT<8, 12, 1>(g, a, kept, w, dy, da, dg, ldg);
}

extern const DgcTileKernels kTileKernels = {pack, conv, preactMean, saliencyGate, gateRow, dwAccumulate, dxSample, mlpBackward};

}  // namespace CHANLAB_ISA
}  // namespace chanlab
