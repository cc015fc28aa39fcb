// chanlab_native: Node-API entry point. Exports kernels that operate in place on Float32Array views (of tfjs's
// wasm heap), plus thread control and a description of the oneDNN build.
#include <omp.h>
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include "common.h"
#include "kernels.h"

namespace chanlab {

void* typedData(napi_env env, napi_value v, const char* name, size_t* count, bool optional) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (optional && (t == napi_null || t == napi_undefined)) return nullptr;
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) throw ArgError(std::string(name) + ": expected a typed array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
  if (count != nullptr) *count = length;
  if (data == nullptr && length > 0) throw ArgError(std::string(name) + ": typed array has no data");
  return data;
}

double number(napi_env env, napi_value v, const char* name) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw ArgError(std::string(name) + ": expected a number");
  return d;
}

std::vector<int64_t> ints(napi_env env, napi_value v, const char* name, size_t n) {
  size_t count = 0;
  auto* p = static_cast<int32_t*>(typedData(env, v, name, &count));
  if (count != n) throw ArgError(std::string(name) + ": expected " + std::to_string(n) + " ints, got " + std::to_string(count));
  return std::vector<int64_t>(p, p + n);
}

int64_t channelSlice(int64_t c, int64_t samples, bool parallel) {
  const int64_t threads = parallel ? std::max<int64_t>(1, omp_get_max_threads()) : 1;
  const int64_t perSample = (threads + samples - 1) / samples;  // slices each sample needs to feed every thread
  const int64_t want = (c + perSample - 1) / perSample;
  return std::min(kMaxSlice, std::max<int64_t>(16, (want + 15) / 16 * 16));
}

static napi_value setThreads(napi_env env, napi_callback_info info) {
  Args a(env, info);
  return guarded(env, [&] {
    int n = static_cast<int>(number(env, a.v[0], "threads"));
    if (n < 1) throw ArgError("threads: expected a positive integer");
    omp_set_num_threads(n);
  });
}

static napi_value getThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, omp_get_max_threads(), &r);
  return r;
}

static napi_value version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
      std::to_string(v->patch);
  const std::string hash = v->hash != nullptr ? v->hash : "N/A";
  if (hash != "N/A") s += " (" + hash + ")";
  napi_value r;
  napi_create_string_utf8(env, s.c_str(), s.size(), &r);
  return r;
}

static napi_value init(napi_env env, napi_value exports) {
  struct Fn { const char* name; napi_callback cb; };
  const Fn fns[] = {
      {"setThreads", setThreads}, {"getThreads", getThreads}, {"version", version},
      {"convForward", convForward}, {"convBackwardData", convBackwardData},
      {"convBackwardWeights", convBackwardWeights}, {"convImpl", convImpl},
      {"convPackedSize", convPackedSize},
      {"maxPool", maxPool}, {"maxPoolGrad", maxPoolGrad}, {"avgPool", avgPool}, {"avgPoolGrad", avgPoolGrad},
      {"batchNormTrain", batchNormTrain}, {"batchNormTrainGrad", batchNormTrainGrad},
      {"batchNormInference", batchNormInference}, {"spatialMean", spatialMean},
      {"pixGate", pixGate}, {"pixForward", pixForward}, {"pixBackward", pixBackward}, {"setPixSimd", setPixSimd}, {"copy", copyF32},
      {"dgcExpand", dgcExpand}, {"dgcShuffle", dgcShuffle}, {"dgcReduce", dgcReduce},
  };
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace chanlab

NAPI_MODULE(NODE_GYP_MODULE_NAME, chanlab::init)
