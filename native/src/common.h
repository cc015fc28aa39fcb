// Types and constants shared by the chanlab native kernels. Kernels are plain C++ functions declared in
// native/kernels.json (prototypes: generated/kernels.h); tensors arrive as spans over typed arrays (views of the
// wasm heap) and are read and written in place. Node-API stays in binding.h / binding.cc and the generated wrappers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace chanlab {

// Below this many elements a memory-bound loop runs on the calling thread: waking the passive OpenMP team measured
// 40–70 µs on the 2-core VM, about what one thread takes to stream 4 MB, and batch-1 inference runs many such ops
// (PiX-ResNet-50's gates and PiX ops, every batch norm). Results never depend on it (reductions use fixed blocks).
constexpr int64_t kParallelMin = int64_t{1} << 20;

// Channel slices of per-channel loops that run parallel over (sample, slice): multiples of 16 (one AVX-512 vector),
// at most kMaxSlice, small enough that `samples` × slices gives every thread work. Results never depend on it.
constexpr int64_t kMaxSlice = 2048;
int64_t channelSlice(int64_t c, int64_t samples, bool parallel);

// A bad argument: the binding reports it as "chanlab native: <function>: <message>".
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A typed array argument: its data and element count (data null and size 0 for a null argument).
template <typename T>
struct Span {
  T* data = nullptr;
  size_t size = 0;
  T& operator[](size_t i) const { return data[i]; }
  bool null() const { return data == nullptr; }
  int64_t count() const { return static_cast<int64_t>(size); }
  // The entries widened to int64_t (small integer arrays: geometries, dims).
  std::vector<int64_t> ints() const { return std::vector<int64_t>(data, data + size); }
};
using F32 = Span<float>;
using F64 = Span<double>;
using I32 = Span<int32_t>;
using U8 = Span<uint8_t>;

// Throws "<name>: expected <want> entries, got <size>" unless the span holds exactly `want` entries.
template <typename T>
void expectCount(const Span<T>& s, const char* name, int64_t want) {
  if (s.count() != want) {
    throw ArgError(std::string(name) + ": expected " + std::to_string(want) + " entries, got " + std::to_string(s.size));
  }
}

}  // namespace chanlab
