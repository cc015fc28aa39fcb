// Node-API side of the addon, used only by the generated wrappers (generated/bindings.cc): reading a call's
// arguments with their declared types (native/kernels.json), converting results, and turning C++ exceptions into
// JavaScript errors that name the function.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>
#include <string>
#include "common.h"

namespace chanlab {

class CallArgs {
 public:
  // Reads the call's arguments; fewer than `required` or more than `max` is an error.
  CallArgs(napi_env env, napi_callback_info info, size_t required, size_t max);
  // The argument is given and not undefined.
  bool has(size_t i) const;
  // A typed array of element type T (float, double, int32_t, uint8_t); `nullable` accepts null (an empty span);
  // `length` > 0: exactly so many entries.
  template <typename T>
  Span<T> array(size_t i, const char* name, bool nullable, size_t length) const;
  int64_t integer(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  std::string string(size_t i, const char* name) const;

 private:
  static constexpr size_t kMax = 16;
  napi_env env_;
  napi_value v_[kMax];
  size_t n_ = kMax;
};

napi_value toJs(napi_env env, int64_t v);
napi_value toJs(napi_env env, double v);
napi_value toJs(napi_env env, bool v);
napi_value toJs(napi_env env, const std::string& v);

// Runs a wrapper body; a C++ exception becomes a JavaScript Error "chanlab native: <fn>: <what>".
void throwJs(napi_env env, const char* fn, const char* what);
template <typename F>
napi_value guarded(napi_env env, const char* fn, F f) {
  try {
    return f();
  } catch (const std::exception& e) {
    throwJs(env, fn, e.what());
  }
  return nullptr;
}

struct Export {
  const char* name;
  napi_callback cb;
};
napi_value exportAll(napi_env env, napi_value exports, const Export* fns, size_t count);

}  // namespace chanlab
