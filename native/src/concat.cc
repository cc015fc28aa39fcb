// Concatenation of float32 tensors along any axis (the Concat kernel of the wasm backend, e.g. a DenseNet layer's
// [x, new features] on the channel axis of NHWC): every input is copied as rows of its inner size into the output's
// rows at its column offset. The wasm backend does this in JavaScript with a typed-array view per row and input.
#include <omp.h>
#include <cstring>
#include "common.h"
#include "generated/kernels.h"

namespace chanlab {

// copyColumns (native/kernels.json): dst[r·dstCols + offset + j] = src[r·cols + j], r < rows, j < cols.
void copyColumns(I32 dims, F32 src, F32 dst) {
  const int64_t rows = dims[0], cols = dims[1], dstCols = dims[2], offset = dims[3];
  if (rows < 0 || cols < 0 || offset < 0 || offset + cols > dstCols) {
    throw ArgError("dims: expected rows, cols >= 0 and 0 <= offset, offset + cols <= dstCols");
  }
  expectCount(src, "src", rows * cols);
  expectCount(dst, "dst", rows * dstCols);
  const float* s = src.data;
  float* d = dst.data + offset;
  const size_t bytes = static_cast<size_t>(cols) * sizeof(float);
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) std::memcpy(d + r * dstCols, s + r * cols, bytes);
}

}  // namespace chanlab
