// Kept-channel DGC heads (dgc_kept.h; docs/methods/dgc.md §1.3, §8.3): the orchestration around the per-ISA loops of
// dgc_kept_tile.h. One sample at a time: (eval) pre-activation, spatial mean, saliency MLPs and gate; the kept lists;
// the head filters of the kept channels packed and scaled; the indirect convolution over the output pixels in tasks
// (output-channel chunk × pixel range), interleaved into y. A batch runs its samples in parallel; one sample runs its
// packing (per head) and its tasks in parallel.
#include "dgc_kept.h"
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <vector>
#include "common.h"
#include "dgc_kept_isa.h"
#include "generated/kernels.h"

namespace chanlab {

namespace {

const DgcTileKernels& tiles() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const DgcTileKernels& k =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? avx2::kTileKernels : base::kTileKernels;
  return k;
#else
  return base::kTileKernels;
#endif
}

// Multiply-adds below which a call runs on the calling thread (waking the OpenMP team costs 40–70 µs on the 2-core
// VM, see kParallelMin).
constexpr int64_t kParallelMacs = int64_t{1} << 21;
constexpr int64_t kPixelStep = 12;  // pixel ranges are multiples of every block's pixel count

DgcTileGeometry tileGeometry(const DgcGeometry& g, int64_t threads) {
  DgcTileGeometry t{g.H, g.W, g.C, g.Co, g.h, g.cph(), g.k, g.stride, g.pad, g.Ho, g.Wo, g.d, 0, 0, 0, 0};
  t.nb = dgcBlockWidth(t.cph);
  t.chunks = t.cph / t.nb;
  const int64_t HoWo = g.Ho * g.Wo;
  int64_t range = std::max<int64_t>(kPixelStep, kTileFloats / (g.h * t.nb) / kPixelStep * kPixelStep);
  if (g.B == 1 && threads > 1) {  // one sample: enough tasks for every thread
    const int64_t want = (2 * threads + t.chunks - 1) / t.chunks;
    range = std::min(range, std::max<int64_t>(kPixelStep, ((HoWo + want - 1) / want + kPixelStep - 1) / kPixelStep * kPixelStep));
  }
  t.range = std::min(range, (HoWo + kPixelStep - 1) / kPixelStep * kPixelStep);
  t.ranges = (HoWo + t.range - 1) / t.range;
  return t;
}

// One thread's buffers, kept between calls (no allocation or page faults per call).
struct Scratch {
  std::vector<float> a, wp, tile, s, work;
  std::vector<int32_t> idx;
  std::vector<int64_t> K;
  SampleKept kept(const DgcGeometry& g) {
    const size_t hc = static_cast<size_t>(g.h * g.C);
    if (idx.size() < hc) idx.resize(hc), s.resize(hc);
    if (K.size() < static_cast<size_t>(g.h)) K.resize(static_cast<size_t>(g.h));
    if (tile.size() < static_cast<size_t>(kTileFloats)) tile.resize(static_cast<size_t>(kTileFloats));
    return {idx.data(), s.data(), K.data()};
  }
  float* packed(size_t n) {
    if (wp.size() < n) wp.resize(n);
    return wp.data();
  }
};

Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

// The batch loop shared by both entry points: `setup(b, scratch, kept)` fills the kept lists of sample b (and
// returns its activations), then packing and the convolution tasks of that sample. maxK bounds every kept list (it
// sizes the packed filters); workK is the expected count (it decides whether to run in parallel).
template <class Setup>
void runSamples(const DgcGeometry& g, const float* w, float* y, int64_t maxK, int64_t workK, Setup setup) {
  const DgcTileKernels& tk = tiles();
  const int64_t T = g.k * g.k, HoWo = g.Ho * g.Wo;
  const int64_t slot = T * std::max<int64_t>(maxK, 1) * g.cph();
  const bool parallel = g.B * HoWo * T * g.Co * workK >= kParallelMacs;
  const int64_t threads = parallel ? std::max(1, omp_get_max_threads()) : 1;
  const DgcTileGeometry tg = tileGeometry(g, threads);
  if (g.B == 1) {
    Scratch& sc = scratch();
    const SampleKept kept = sc.kept(g);
    const float* a = setup(0, sc, kept);
    float* wp = sc.packed(static_cast<size_t>(g.h * slot));
#pragma omp parallel if (parallel)
    {
#pragma omp for schedule(static)
      for (int64_t i = 0; i < g.h; i++) tk.pack(tg, w, kept, slot, wp, i, i + 1);
      Scratch& mine = scratch();
      mine.kept(g);
#pragma omp for schedule(static)
      for (int64_t t = 0; t < tg.tasks(); t++) tk.conv(tg, a, kept, wp, slot, y, t, t + 1, mine.tile.data());
    }
    return;
  }
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t b = 0; b < g.B; b++) {
    Scratch& sc = scratch();
    const SampleKept kept = sc.kept(g);
    const float* a = setup(b, sc, kept);
    float* wp = sc.packed(static_cast<size_t>(g.h * slot));
    tk.pack(tg, w, kept, slot, wp, 0, g.h);
    tk.conv(tg, a, kept, wp, slot, y + b * HoWo * g.Co, 0, tg.tasks(), sc.tile.data());
  }
}

}  // namespace

int64_t dgcBlockWidth(int64_t cph) { return cph % 16 == 0 ? 16 : cph % 8 == 0 ? 8 : cph % 4 == 0 ? 4 : 1; }

void DgcGeometry::check() const {
  if (B < 1 || H < 1 || W < 1 || C < 1 || Co < 1 || h < 1 || k < 1 || stride < 1 || pad < 0) {
    throw ArgError("dims: expected positive B, H, W, C, C', heads, k, stride and padding >= 0");
  }
  if (Co % h != 0) throw ArgError("dims: heads must divide the output channels");
  if (Ho != (H + 2 * pad - k) / stride + 1 || Wo != (W + 2 * pad - k) / stride + 1 || Ho < 1 || Wo < 1) {
    throw ArgError("dims: Ho, Wo must be (H + 2·pad − k) / stride + 1 (and likewise for W)");
  }
  if (kDrop < 0 || kDrop > C) throw ArgError("dims: inactive channels must be in [0, C]");
  if (d < 0) throw ArgError("dims: hidden width must be >= 0");
}

void dgcTrainPass(const DgcGeometry& g, const float* a, const float* w1, const float* w2, const float* b2, const float* w,
                  float* sal, float* z, float* y) {
  g.check();
  if (g.d < 1) throw ArgError("dims: hidden width d must be >= 1");
  const DgcTileKernels& tk = tiles();
  const DgcTileGeometry tg = tileGeometry(g, 1);
  const DgcMlp mlp{w1, w2, b2};
  const int64_t C = g.C, HW = g.H * g.W;
  runSamples(g, w, y, C, g.kDrop > 0 ? C - g.kDrop : C, [&](int64_t b, Scratch& sc, const SampleKept& kept) {
    if (sc.work.size() < static_cast<size_t>(3 * C + g.d)) sc.work.resize(static_cast<size_t>(3 * C + g.d));
    const float* ab = a + b * HW * C;
    tk.preactMean(tg, ab, nullptr, nullptr, nullptr, z + b * C);
    tk.saliencyGate(tg, z + b * C, mlp, g.kDrop, false, sal + b * C, nullptr, g.B * C, kept, sc.work.data());
    return ab;
  });
}

void dgcTrainGradPass(const DgcGeometry& g, const float* a, const float* w1, const float* w2, const float* b2,
                      const float* w, const float* sal, const float* z, const float* dy, const float* dgExtra, float* da,
                      float* dw1, float* dw2, float* db2, float* dw) {
  g.check();
  const DgcTileKernels& tk = tiles();
  const int64_t B = g.B, h = g.h, C = g.C, HW = g.H * g.W, HoWo = g.Ho * g.Wo, T = g.k * g.k;
  std::vector<int32_t> idx(static_cast<size_t>(B * h * C));
  std::vector<float> s(idx.size()), dg(idx.size()), dz(idx.size());
  std::vector<int64_t> K(static_cast<size_t>(B * h));
  std::vector<SampleKept> kept(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; b++) kept[b] = {idx.data() + b * h * C, s.data() + b * h * C, K.data() + b * h};
  const int64_t work = B * HoWo * T * g.Co * (g.kDrop > 0 ? C - g.kDrop : C);
  const bool parallel = 2 * work >= kParallelMacs;
  const DgcTileGeometry tg = tileGeometry(g, parallel ? std::max(1, omp_get_max_threads()) : 1);
  const DgcMlp mlp{w1, w2, b2};
  const int64_t wsize = T * C * g.Co;
#pragma omp parallel if (parallel)
  {
    std::vector<uint32_t> keys(static_cast<size_t>(C));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < B * h; r++) {
      const int64_t b = r / h, i = r % h;
      kept[b].K[i] = tk.gateRow(sal + (i * B + b) * C, C, g.kDrop, false, kept[b].idx + i * C, kept[b].s + i * C,
                                nullptr, keys.data());
    }
#pragma omp for schedule(static)
    for (int64_t j = 0; j < wsize; j++) dw[j] = 0.f;
    std::vector<float> scratch(static_cast<size_t>(std::max(HoWo * tg.nb, 2 * g.d + 2 * C)));
#pragma omp for schedule(static)
    for (int64_t t = 0; t < h * tg.chunks; t++) {
      tk.dwAccumulate(tg, B, a, kept.data(), dy, t / tg.chunks, t % tg.chunks, dw, scratch.data());
    }
#pragma omp for schedule(static)
    for (int64_t b = 0; b < B; b++) {
      tk.dxSample(tg, a + b * HW * C, kept[b], w, dy + b * HoWo * g.Co, da + b * HW * C, dg.data() + b * C, B * C);
      if (dgExtra != nullptr) {
        for (int64_t i = 0; i < h; i++) {
          float* r = dg.data() + (i * B + b) * C;
          const float* e = dgExtra + (i * B + b) * C;
          for (int64_t c = 0; c < C; c++) r[c] += e[c];
        }
      }
    }
#pragma omp for schedule(static)
    for (int64_t i = 0; i < h; i++) {
      tk.mlpBackward(tg, B, z, mlp, sal, dg.data(), i, dw1, dw2, db2, dz.data() + i * B * C, scratch.data());
    }
    // the mean's gradient: every pixel of a gets dz / HW (heads summed in order)
#pragma omp for schedule(static)
    for (int64_t b = 0; b < B; b++) {
      std::vector<float> dzb(static_cast<size_t>(C), 0.f);
      for (int64_t i = 0; i < h; i++) {
        const float* r = dz.data() + (i * B + b) * C;
        for (int64_t c = 0; c < C; c++) dzb[c] += r[c];
      }
      for (int64_t c = 0; c < C; c++) dzb[c] /= static_cast<float>(HW);
      float* dab = da + b * HW * C;
      for (int64_t p = 0; p < HW; p++) {
        for (int64_t c = 0; c < C; c++) dab[p * C + c] += dzb[c];
      }
    }
  }
}

void dgcEvalPass(const DgcGeometry& g, const float* x, const float* mean, const float* variance, const float* gamma,
                    const float* beta, float eps, const float* w1, const float* w2, const float* b2, const float* w,
                    float* gated, float* y) {
  g.check();
  if (g.d < 1) throw ArgError("dims: hidden width d must be >= 1");
  const int64_t C = g.C, HW = g.H * g.W;
  // the coefficients of batchNormInference, so that a equals the masked path's bit for bit
  std::vector<float> kb(static_cast<size_t>(C)), bb(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; c++) {
    kb[c] = gamma[c] / std::sqrt(variance[c] + eps);
    bb[c] = beta[c] - mean[c] * kb[c];
  }
  const DgcTileKernels& tk = tiles();
  const DgcTileGeometry tg = tileGeometry(g, 1);
  const DgcMlp mlp{w1, w2, b2};
  // packed slots for all C channels: the gate keeps at most C − kDrop, but the bound must not rest on it
  runSamples(g, w, y, C, g.kDrop > 0 ? C - g.kDrop : C, [&](int64_t b, Scratch& sc, const SampleKept& kept) {
    if (sc.a.size() < static_cast<size_t>(HW * C)) sc.a.resize(static_cast<size_t>(HW * C));
    if (sc.work.size() < static_cast<size_t>(4 * C + g.d)) sc.work.resize(static_cast<size_t>(4 * C + g.d));
    float* z = sc.work.data() + 3 * C + g.d;
    tk.preactMean(tg, x + b * HW * C, kb.data(), bb.data(), sc.a.data(), z);
    tk.saliencyGate(tg, z, mlp, g.kDrop, true, nullptr, gated + b * C, g.B * C, kept, sc.work.data());
    return static_cast<const float*>(sc.a.data());
  });
}

namespace {

DgcGeometry geometryOf(I32 dims) {
  DgcGeometry g{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7], dims[8], dims[9], dims[10]};
  g.d = dims[11], g.kDrop = dims[12];
  g.check();
  return g;
}

void expectMlp(const DgcGeometry& g, F32 w1, F32 w2, F32 b2) {
  expectCount(w1, "w1", g.h * g.C * g.d);
  expectCount(w2, "w2", g.h * g.d * g.C);
  expectCount(b2, "b2", g.h * g.C);
}

}  // namespace

// dgcKeptForward (native/kernels.json)
void dgcKeptForward(I32 dims, F32 x, F32 mean, F32 variance, F32 gamma, F32 beta, double eps, F32 w1, F32 w2, F32 b2,
                    F32 w, F32 gated, F32 y) {
  const DgcGeometry g = geometryOf(dims);
  expectCount(x, "x", g.B * g.H * g.W * g.C);
  for (const F32* s : {&mean, &variance, &gamma, &beta}) expectCount(*s, "mean, variance, gamma, beta", g.C);
  expectMlp(g, w1, w2, b2);
  expectCount(w, "w", g.k * g.k * g.C * g.Co);
  expectCount(gated, "gated", g.h * g.B * g.C);
  expectCount(y, "y", g.B * g.Ho * g.Wo * g.Co);
  dgcEvalPass(g, x.data, mean.data, variance.data, gamma.data, beta.data, static_cast<float>(eps), w1.data, w2.data,
              b2.data, w.data, gated.data, y.data);
}

// dgcTrainForward (native/kernels.json)
void dgcTrainForward(I32 dims, F32 a, F32 w1, F32 w2, F32 b2, F32 w, F32 g, F32 z, F32 y) {
  const DgcGeometry geo = geometryOf(dims);
  expectCount(a, "a", geo.B * geo.H * geo.W * geo.C);
  expectMlp(geo, w1, w2, b2);
  expectCount(w, "w", geo.k * geo.k * geo.C * geo.Co);
  expectCount(g, "g", geo.h * geo.B * geo.C);
  expectCount(z, "z", geo.B * geo.C);
  expectCount(y, "y", geo.B * geo.Ho * geo.Wo * geo.Co);
  dgcTrainPass(geo, a.data, w1.data, w2.data, b2.data, w.data, g.data, z.data, y.data);
}

// dgcTrainBackward (native/kernels.json)
void dgcTrainBackward(I32 dims, F32 a, F32 w1, F32 w2, F32 b2, F32 w, F32 g, F32 z, F32 dy, F32 dgExtra, F32 da,
                      F32 dw1, F32 dw2, F32 db2, F32 dw) {
  const DgcGeometry geo = geometryOf(dims);
  expectCount(a, "a", geo.B * geo.H * geo.W * geo.C);
  expectCount(da, "da", geo.B * geo.H * geo.W * geo.C);
  expectMlp(geo, w1, w2, b2);
  expectMlp(geo, dw1, dw2, db2);
  expectCount(w, "w", geo.k * geo.k * geo.C * geo.Co);
  expectCount(dw, "dw", geo.k * geo.k * geo.C * geo.Co);
  expectCount(g, "g", geo.h * geo.B * geo.C);
  if (!dgExtra.null()) expectCount(dgExtra, "dgExtra", geo.h * geo.B * geo.C);
  expectCount(z, "z", geo.B * geo.C);
  expectCount(dy, "dy", geo.B * geo.Ho * geo.Wo * geo.Co);
  dgcTrainGradPass(geo, a.data, w1.data, w2.data, b2.data, w.data, g.data, z.data, dy.data, dgExtra.data, da.data,
                   dw1.data, dw2.data, db2.data, dw.data);
}

}  // namespace chanlab
