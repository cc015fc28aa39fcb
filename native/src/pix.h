// The PiX op's plan (docs/methods/pix.md §1): dims, the per-(sample, group) branch table and its expansion to one
// entry per channel lane, shared by the scalar kernels (pix.cc) and the AVX-512 row kernels (pix_simd.cc).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chanlab {

// Branch codes (src/kernels/wasm/PixCommon.ts).
enum PixMode : int32_t { kPixMax = 0, kPixAvg = 1, kPixMin = 2, kPixWpix = 3 };

struct PixPlan {
  int64_t n = 0, hw = 0, c = 0, g = 0, zeta = 0;
  const int32_t* modes = nullptr;  // [N·G]
  const int32_t* sizes = nullptr;  // [G] channels in group g (the last one may be clamped)
  const double* divs = nullptr;    // [G] avg divisor
  const float* p = nullptr;        // [N·G]
  float lowest = 0;                // max sentinel (float lowest); the min branch uses −lowest
  // Channels [0, vecC) go through the row kernels of pix_simd.cc (a multiple of 16, whole groups), the rest
  // through the scalar ones. Lane tables [N·C] for the vector part: p, p/div, (1−p)/div, 1/div and the branch.
  int64_t vecC = 0;
  // Backward: dx rows are built in a cache-resident buffer and written with non-temporal stores (no read of the
  // destination lines before they are overwritten). Only with vecC == c.
  bool stream = false;
  std::vector<float> lp, lpd, lq, lid;
  std::vector<int32_t> lmode;
  std::vector<uint8_t> hasMode;  // [N·4]: branch k occurs in sample n
  // Fills vecC and the lane tables when `simd` (and zeta divides 16).
  void prepare(bool simd);
};

// AVX-512 row kernels (pix_simd.cc). pixSimdSupported(): the CPU runs them.
bool pixSimdSupported();
// One pixel row of sample n, channels [0, vecC): y[g] for the groups there.
void pixForwardRowSimd(const PixPlan& d, int64_t n, const float* xr, float* yr);
// One pixel row of sample n, channels [0, vecC): dx, and acc[g] += the dp contribution of group g.
void pixBackwardRowSimd(const PixPlan& d, int64_t n, const float* xr, const float* dyr, float* dxr, double* acc);

// dst[0, n) ← src[0, n) with non-temporal stores (aligned part; plain stores at the ends); `fence`: sfence after.
void streamCopySimd(const float* src, float* dst, size_t n, bool fence = true);
// sfence: makes a thread's non-temporal stores visible before it reports done.
void streamFence();

}  // namespace chanlab
