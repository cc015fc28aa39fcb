// Concatenation of float32 tensors along any axis (the Concat kernel of the wasm backend, e.g. a DenseNet layer's
// [x, new features] on the channel axis of NHWC): every input is copied as rows of its inner size into the output's
// rows at its column offset (and the reverse: a block of columns out, for the DGC heads' stacked filters). The wasm
// backend does this in JavaScript with a typed-array view per row and input.
#include <omp.h>
#include <cstring>
#include "common.h"
#include "generated/kernels.h"

namespace chanlab {

// copyColumns (native/kernels.json): dst[r·dstCols + dstOffset + j] = src[r·srcCols + srcOffset + j], r < rows,
// j < cols.
void copyColumns(I32 dims, F32 src, F32 dst) {
  const int64_t rows = dims[0], cols = dims[1], srcCols = dims[2], srcOffset = dims[3], dstCols = dims[4],
                dstOffset = dims[5];
  if (rows < 0 || cols < 0 || srcOffset < 0 || dstOffset < 0 || srcOffset + cols > srcCols || dstOffset + cols > dstCols) {
    throw ArgError("dims: expected rows, cols >= 0 and 0 <= offset, offset + cols <= columns, for src and dst");
  }
  expectCount(src, "src", rows * srcCols);
  expectCount(dst, "dst", rows * dstCols);
  const float* s = src.data + srcOffset;
  float* d = dst.data + dstOffset;
  const size_t bytes = static_cast<size_t>(cols) * sizeof(float);
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) std::memcpy(d + r * dstCols, s + r * srcCols, bytes);
}

}  // namespace chanlab
