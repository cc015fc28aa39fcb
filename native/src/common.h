// Helpers shared by the chanlab native kernels: Node-API argument access and error reporting.
// Tensors arrive as Float32Array views of the wasm heap; kernels read and write them in place.
#pragma once
#include <node_api.h>
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

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Pointer to the data of a typed array argument; nullptr for null/undefined when `optional`.
void* typedData(napi_env env, napi_value v, const char* name, size_t* count = nullptr, bool optional = false);
inline float* f32(napi_env env, napi_value v, const char* name, bool optional = false) {
  return static_cast<float*>(typedData(env, v, name, nullptr, optional));
}
double number(napi_env env, napi_value v, const char* name);
// Reads `n` ints from an Int32Array.
std::vector<int64_t> ints(napi_env env, napi_value v, const char* name, size_t n);

// Wraps a kernel body: C++ exceptions become JS errors.
template <typename F>
napi_value guarded(napi_env env, F f) {
  try {
    f();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("chanlab native: ") + e.what()).c_str());
  }
  return nullptr;
}

// guarded for a kernel that returns a value: `f` returns it (undefined after an error).
template <typename F>
napi_value guardedValue(napi_env env, F f) {
  napi_value r = nullptr;
  guarded(env, [&] { r = f(); });
  return r;
}

// Reads the call's arguments (at most 16).
struct Args {
  napi_value v[16];
  size_t n = 16;
  Args(napi_env env, napi_callback_info info) { napi_get_cb_info(env, info, &n, v, nullptr, nullptr); }
};

}  // namespace chanlab
