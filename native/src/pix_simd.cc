// AVX-512 row kernels of the PiX op (docs/methods/pix.md §1) for zeta ∈ {1, 2, 4, 8, 16}: 16 channels (16/ζ whole
// groups) per vector. Group max/min/sum by a butterfly inside each ζ-lane segment (every lane of a group ends with
// the group's value), the branch picked per lane by mask, the group results packed by vcompressps. The backward
// finds the first max (min) of each group from the equality mask, like the scalar loop's strict `<`.
// Compiled for AVX-512F only here (a function-level target), called only when the CPU has it (pixSimdSupported in
// pix.cc), so the addon itself runs on any x86-64.
#include "pix.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12 flags the intrinsics' deliberately undefined pass-through operands.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace chanlab {
namespace {

// Lanes l of a 16-lane vector with l % z >= s.
constexpr uint32_t lanesFrom(int z, int s) {
  uint32_t m = 0;
  for (int l = 0; l < 16; l++) if (l % z >= s) m |= 1u << l;
  return m;
}

struct Max { static __m512 f(__m512 a, __m512 b) { return _mm512_max_ps(a, b); } };
struct Min { static __m512 f(__m512 a, __m512 b) { return _mm512_min_ps(a, b); } };
struct Add { static __m512 f(__m512 a, __m512 b) { return _mm512_add_ps(a, b); } };

// Reduction of each Z-lane segment, broadcast to the segment's lanes (the same value in every lane: the butterfly's
// operands are swapped pairs, and max/min/+ are commutative).
template <int Z, class Op>
inline __m512 segment(__m512 v) {
  if constexpr (Z >= 2) v = Op::f(v, _mm512_permute_ps(v, 0xB1));
  if constexpr (Z >= 4) v = Op::f(v, _mm512_permute_ps(v, 0x4E));
  if constexpr (Z >= 8) v = Op::f(v, _mm512_shuffle_f32x4(v, v, 0xB1));
  if constexpr (Z >= 16) v = Op::f(v, _mm512_shuffle_f32x4(v, v, 0x4E));
  return v;
}

// The lowest set lane of each Z-lane segment of m (a prefix OR inside segments, then the lanes with none before).
template <int Z>
inline uint32_t firstInSegment(uint32_t m) {
  uint32_t s = m;
  if constexpr (Z >= 2) s |= (s << 1) & lanesFrom(Z, 1);
  if constexpr (Z >= 4) s |= (s << 2) & lanesFrom(Z, 2);
  if constexpr (Z >= 8) s |= (s << 4) & lanesFrom(Z, 4);
  if constexpr (Z >= 16) s |= (s << 8) & lanesFrom(Z, 8);
  return m & ~((s << 1) & lanesFrom(Z, 1)) & 0xFFFFu;
}

// Lane l ← element l / Z (a group's dy to its lanes).
template <int Z>
inline __m512i expandIndex() {
  return _mm512_setr_epi32(0 / Z, 1 / Z, 2 / Z, 3 / Z, 4 / Z, 5 / Z, 6 / Z, 7 / Z, 8 / Z, 9 / Z, 10 / Z, 11 / Z,
                           12 / Z, 13 / Z, 14 / Z, 15 / Z);
}

// K consecutive floats (K = 16/Z groups of a vector) to or from the low lanes, with plain loads and stores of exactly
// K elements: masked AVX-512 memory operations are slow on some CPUs (AMD Zen 4) and stall store forwarding.
template <int K>
inline __m512 loadLow(const float* p) {
  if constexpr (K == 16) return _mm512_loadu_ps(p);
  else if constexpr (K == 8) return _mm512_castps256_ps512(_mm256_loadu_ps(p));
  else if constexpr (K == 4) return _mm512_castps128_ps512(_mm_loadu_ps(p));
  else if constexpr (K == 2) return _mm512_castps128_ps512(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(p))));
  else return _mm512_castps128_ps512(_mm_load_ss(p));
}

template <int K>
inline void storeLow(float* p, __m512 v) {
  if constexpr (K == 16) _mm512_storeu_ps(p, v);
  else if constexpr (K == 8) _mm256_storeu_ps(p, _mm512_castps512_ps256(v));
  else if constexpr (K == 4) _mm_storeu_ps(p, _mm512_castps512_ps128(v));
  else if constexpr (K == 2) _mm_store_sd(reinterpret_cast<double*>(p), _mm_castps_pd(_mm512_castps512_ps128(v)));
  else _mm_store_ss(p, _mm512_castps512_ps128(v));
}

// a[0, K) += the low K lanes of v, in double.
template <int K>
inline void accumulateLow(double* a, __m512 v) {
  if constexpr (K == 16) {
    const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    _mm512_storeu_pd(a, _mm512_add_pd(_mm512_loadu_pd(a), _mm512_cvtps_pd(_mm512_castps512_ps256(v))));
    _mm512_storeu_pd(a + 8, _mm512_add_pd(_mm512_loadu_pd(a + 8), _mm512_cvtps_pd(hi)));
  } else if constexpr (K == 8) {
    _mm512_storeu_pd(a, _mm512_add_pd(_mm512_loadu_pd(a), _mm512_cvtps_pd(_mm512_castps512_ps256(v))));
  } else if constexpr (K == 4) {
    _mm256_storeu_pd(a, _mm256_add_pd(_mm256_loadu_pd(a), _mm256_cvtps_pd(_mm512_castps512_ps128(v))));
  } else if constexpr (K == 2) {
    _mm_storeu_pd(a, _mm_add_pd(_mm_loadu_pd(a), _mm_cvtps_pd(_mm512_castps512_ps128(v))));
  } else {
    a[0] += static_cast<double>(_mm512_cvtss_f32(v));
  }
}

// Software prefetch distance of the forward's x stream, in floats (4 KiB: about a row at C = 1024); prefetches
// past the end of x are harmless.
constexpr int64_t kAhead = 1024;

struct Lanes {
  const float *p, *pd, *q, *id;
  const int32_t* mode;
  bool max, avg, min, wpix;
  Lanes(const PixPlan& d, int64_t n) {
    const int64_t o = n * d.c;
    p = d.lp.data() + o, pd = d.lpd.data() + o, q = d.lq.data() + o, id = d.lid.data() + o;
    mode = d.lmode.data() + o;
    const uint8_t* h = d.hasMode.data() + n * 4;
    max = h[kPixMax], avg = h[kPixAvg], min = h[kPixMin], wpix = h[kPixWpix];
  }
};

inline __mmask16 isMode(__m512i m, int k) { return _mm512_cmpeq_epi32_mask(m, _mm512_set1_epi32(k)); }

template <int Z>
void forwardRow(const PixPlan& d, int64_t n, const float* xr, float* yr) {
  constexpr int K = 16 / Z;  // groups per vector
  const __mmask16 starts = static_cast<__mmask16>(0xFFFFu & ~lanesFrom(Z, 1));
  const Lanes L(d, n);
  const __m512 lo = _mm512_set1_ps(d.lowest), hi = _mm512_set1_ps(-d.lowest);
  for (int64_t c0 = 0; c0 < d.vecC; c0 += 16) {
    _mm_prefetch(reinterpret_cast<const char*>(xr + c0 + kAhead), _MM_HINT_T0);
    const __m512 v = _mm512_loadu_ps(xr + c0);
    const __m512 p = _mm512_loadu_ps(L.p + c0);
    const __m512i m = _mm512_loadu_si512(L.mode + c0);
    __m512 y = _mm512_setzero_ps(), mx = y, sm = y;
    if (L.max || L.wpix) {
      mx = segment<Z, Max>(_mm512_max_ps(v, lo));
      y = _mm512_mask_mul_ps(y, isMode(m, kPixMax), p, mx);
    }
    if (L.avg || L.wpix) {
      sm = segment<Z, Add>(v);
      if (L.avg) y = _mm512_mask_mul_ps(y, isMode(m, kPixAvg), _mm512_loadu_ps(L.pd + c0), sm);
    }
    if (L.min) y = _mm512_mask_mul_ps(y, isMode(m, kPixMin), p, segment<Z, Min>(_mm512_min_ps(v, hi)));
    if (L.wpix) {
      const __m512 w = _mm512_fmadd_ps(_mm512_loadu_ps(L.q + c0), sm, _mm512_mul_ps(p, mx));
      y = _mm512_mask_mov_ps(y, isMode(m, kPixWpix), w);
    }
    storeLow<K>(yr + c0 / Z, Z == 1 ? y : _mm512_maskz_compress_ps(starts, y));
  }
}

template <int Z>
void backwardRow(const PixPlan& d, int64_t n, const float* xr, const float* dyr, float* dxr, double* acc) {
  constexpr int K = 16 / Z;
  const __mmask16 starts = static_cast<__mmask16>(0xFFFFu & ~lanesFrom(Z, 1));
  const __m512i expand = expandIndex<Z>();
  const Lanes L(d, n);
  const __m512 lo = _mm512_set1_ps(d.lowest), hi = _mm512_set1_ps(-d.lowest);
  for (int64_t c0 = 0; c0 < d.vecC; c0 += 16) {
    const __m512 v = _mm512_loadu_ps(xr + c0);
    const __m512 gy = _mm512_permutexvar_ps(expand, loadLow<K>(dyr + c0 / Z));
    const __m512 p = _mm512_loadu_ps(L.p + c0);
    const __m512i m = _mm512_loadu_si512(L.mode + c0);
    const __m512 pg = _mm512_mul_ps(p, gy);
    __m512 dx = _mm512_setzero_ps(), dp = dx, mx = dx, avg = dx;
    __mmask16 first = 0;
    if (L.max || L.wpix) {
      const __m512 vm = _mm512_max_ps(v, lo);
      mx = segment<Z, Max>(vm);
      first = static_cast<__mmask16>(firstInSegment<Z>(_mm512_cmp_ps_mask(vm, mx, _CMP_EQ_OQ)));
    }
    if (L.max) {
      const __mmask16 k = isMode(m, kPixMax);
      dx = _mm512_mask_mov_ps(dx, k & first, pg);
      dp = _mm512_mask_mul_ps(dp, k, gy, mx);
    }
    if (L.avg || L.wpix) avg = _mm512_mul_ps(segment<Z, Add>(v), _mm512_loadu_ps(L.id + c0));
    if (L.avg) {
      const __mmask16 k = isMode(m, kPixAvg);
      dx = _mm512_mask_mul_ps(dx, k, _mm512_loadu_ps(L.pd + c0), gy);
      dp = _mm512_mask_mul_ps(dp, k, gy, avg);
    }
    if (L.min) {
      const __m512 vn = _mm512_min_ps(v, hi);
      const __m512 mn = segment<Z, Min>(vn);
      const __mmask16 fn = static_cast<__mmask16>(firstInSegment<Z>(_mm512_cmp_ps_mask(vn, mn, _CMP_EQ_OQ)));
      const __mmask16 k = isMode(m, kPixMin);
      dx = _mm512_mask_mov_ps(dx, k & fn, pg);
      dp = _mm512_mask_mul_ps(dp, k, gy, mn);
    }
    if (L.wpix) {
      const __mmask16 k = isMode(m, kPixWpix);
      __m512 t = _mm512_mul_ps(_mm512_loadu_ps(L.q + c0), gy);
      t = _mm512_mask_add_ps(t, first, t, pg);
      dx = _mm512_mask_mov_ps(dx, k, t);
      dp = _mm512_mask_mul_ps(dp, k, gy, _mm512_sub_ps(mx, avg));
    }
    _mm512_storeu_ps(dxr + c0, dx);
    // dp: one value per group (its first lane), added in double to acc[group].
    accumulateLow<K>(acc + c0 / Z, Z == 1 ? dp : _mm512_maskz_compress_ps(starts, dp));
  }
}

}  // namespace

void streamCopySimd(const float* src, float* dst, size_t n, bool fence) {
  size_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 63) != 0; i++) dst[i] = src[i];
  for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
  for (; i < n; i++) dst[i] = src[i];
  if (fence) _mm_sfence();
}

void streamFence() { _mm_sfence(); }

void pixForwardRowSimd(const PixPlan& d, int64_t n, const float* xr, float* yr) {
  switch (d.zeta) {
    case 1: return forwardRow<1>(d, n, xr, yr);
    case 2: return forwardRow<2>(d, n, xr, yr);
    case 4: return forwardRow<4>(d, n, xr, yr);
    case 8: return forwardRow<8>(d, n, xr, yr);
    default: return forwardRow<16>(d, n, xr, yr);
  }
}

void pixBackwardRowSimd(const PixPlan& d, int64_t n, const float* xr, const float* dyr, float* dxr, double* acc) {
  switch (d.zeta) {
    case 1: return backwardRow<1>(d, n, xr, dyr, dxr, acc);
    case 2: return backwardRow<2>(d, n, xr, dyr, dxr, acc);
    case 4: return backwardRow<4>(d, n, xr, dyr, dxr, acc);
    case 8: return backwardRow<8>(d, n, xr, dyr, dxr, acc);
    default: return backwardRow<16>(d, n, xr, dyr, dxr, acc);
  }
}

}  // namespace chanlab

#pragma GCC pop_options

#else  // not x86-64 GCC/Clang: the scalar kernels only (pixSimdSupported() is false there)

namespace chanlab {
void pixForwardRowSimd(const PixPlan&, int64_t, const float*, float*) {}
void pixBackwardRowSimd(const PixPlan&, int64_t, const float*, const float*, float*, double*) {}
void streamCopySimd(const float*, float*, size_t, bool) {}
void streamFence() {}
}  // namespace chanlab

#endif
