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

// The saliency MLPs of all heads (tfjs layouts): w1 [h, C, d], w2 [h, d, C], b2 [h, C].
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
  // Eval pre-pass of one sample: a = relu(x·kb + bb) [H·W, C], z = its spatial mean, the saliencies, the gate
  // (kDrop-th smallest) into gated (head i's row at gated + i·ldg) and the kept lists.
  void (*prepare)(const DgcTileGeometry& g, const float* x, const float* kb, const float* bb, const DgcMlp& mlp,
                  int64_t kDrop, float* a, float* gated, int64_t ldg, const SampleKept& kept, float* work);
};

namespace avx2 { extern const DgcTileKernels kTileKernels; }
namespace base { extern const DgcTileKernels kTileKernels; }

}  // namespace chanlab
