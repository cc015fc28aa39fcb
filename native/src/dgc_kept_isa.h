// What the per-ISA builds of the kept-channel DGC loops (dgc_kept_tile.h) share with dgc_kept.cc.
#pragma once
#include <cstdint>

namespace chanlab {

constexpr int64_t kTileFloats = int64_t{1} << 13;  // one task's output tile

// The sizes the loops read (of one DgcGeometry) and how one sample's output is cut into tasks: output-channel chunks
// of nb per head (one vector block) × pixel ranges of `range` pixels.
struct DgcTileGeometry {
  int64_t H, W, C, Co, h, cph, k, stride, pad, Ho, Wo, d;
  int64_t nb, chunks, range, ranges;
  int64_t tasks() const { return chunks * ranges; }
};

// Outputs per head of one vector block for C'/h (the loops' register blocking).
int64_t dgcBlockWidth(int64_t cph);

// The kept channels of one sample: per head i, idx[i·C + q] and s[i·C + q] for q < K[i] (channels ascending).
struct SampleKept {
  int32_t* idx;
  float* s;
  int64_t* K;
};

// The saliency MLPs of all heads: w1 [h, d, C] (fc1 weights, [out, in]), w2 [h, d, C] (fc2 weights, [in, out]),
// b2 [h, C].
struct DgcMlp {
  const float* w1;
  const float* w2;
  const float* b2;
};

struct DgcTileKernels {
  // Heads [i0, i1): their filter rows of the kept channels scaled by the saliencies, head i at wp + i·slot,
  // chunk-major [chunks, k·k, K_i, nb].
  void (*pack)(const DgcTileGeometry& g, const float* w, const SampleKept& kept, int64_t slot, float* wp, int64_t i0,
               int64_t i1);
  // Tasks [t0, t1) of one sample: y [Ho·Wo, Co] (interleaved) from a [H·W, C]; tile: kTileFloats floats.
  void (*conv)(const DgcTileGeometry& g, const float* a, const SampleKept& kept, const float* wp, int64_t slot,
               float* y, int64_t t0, int64_t t1, float* tile);
  // One sample: a = relu(x·kb + bb) [H·W, C] and z = its spatial mean [C] (kb null: x is a, only z).
  void (*preactMean)(const DgcTileGeometry& g, const float* x, const float* kb, const float* bb, float* a, float* z);
  // One sample's saliencies from z: per head g = relu(relu(z·w1_i)·w2_i + b2_i) into graw (head i's row at
  // graw + i·ldg; null: not kept), the gate (kDrop-th smallest; skipZeros also drops exact zeros) into gated (same
  // layout; null: not written) and the kept lists. work: 3·C + d floats.
  void (*saliencyGate)(const DgcTileGeometry& g, const float* z, const DgcMlp& mlp, int64_t kDrop, bool skipZeros,
                       float* graw, float* gated, int64_t ldg, const SampleKept& kept, float* work);
  // The gate on one row of C saliencies: the kept list (idx, s) and its count; out (or null) = gated row; keys: C
  // scratch words.
  int64_t (*gateRow)(const float* g, int64_t C, int64_t kDrop, bool skipZeros, int32_t* idx, float* s, float* out,
                     uint32_t* keys);
  // Backward, filter: dw[t, c_q, i·cph + n] += s_q · Σ_p a_b[in(p, t), c_q] · dy_b[p, n·h + i] over the samples b of
  // `kept` (one SampleKept per sample) for head i and output chunk `chunk` (nb columns); dw rows of other channels
  // untouched. work: (Ho·Wo)·(nb + k·k) floats of scratch.
  void (*dwAccumulate)(const DgcTileGeometry& g, int64_t B, const float* a, const SampleKept* kept, const float* dy,
                       int64_t i, int64_t chunk, float* dw, float* work);
  // Backward, input and saliencies of one sample: da_b = Σ_i s·dxs_i on the kept channels (da_b zeroed first),
  // dg[i·ldg + c_q] = Σ_p a_b·dxs_i on the kept channels (others 0), dxs_i the transposed convolution of dy_b's
  // head i with its kept filter rows.
  void (*dxSample)(const DgcTileGeometry& g, const float* a, const SampleKept& kept, const float* w, const float* dy,
                   float* da, float* dg, int64_t ldg);
  // Backward of head i's saliency MLP over B samples: z [B,C], g and dg [h,B,C] → dw1_i, dw2_i, db2_i (assigned) and
  // dzi [B,C]. work: 2·d + 2·C floats.
  void (*mlpBackward)(const DgcTileGeometry& g, int64_t B, const float* z, const DgcMlp& mlp, const float* gs,
                      const float* dg, int64_t i, float* dw1, float* dw2, float* db2, float* dzi, float* work);
};

namespace avx2 { extern const DgcTileKernels kTileKernels; }
namespace base { extern const DgcTileKernels kTileKernels; }

}  // namespace chanlab
