// Node-API argument reading and error reporting for the generated wrappers (binding.h).
#include "binding.h"

namespace chanlab {

CallArgs::CallArgs(napi_env env, napi_callback_info info, size_t required, size_t max) : env_(env) {
  napi_get_cb_info(env, info, &n_, v_, nullptr, nullptr);  // n_ becomes the actual count (may exceed kMax)
  if (n_ < required || n_ > max) {
    const std::string want = required == max ? std::to_string(max) : std::to_string(required) + " to " + std::to_string(max);
    throw ArgError("expected " + want + " arguments, got " + std::to_string(n_));
  }
}

bool CallArgs::has(size_t i) const {
  if (i >= n_) return false;
  napi_valuetype t;
  napi_typeof(env_, v_[i], &t);
  return t != napi_undefined;
}

// The Node-API array type and JavaScript name of each element type.
template <typename T>
struct ArrayType;
#define CHANLAB_ARRAY_TYPE(T, TYPE, NAME)                           \
  template <>                                                       \
  struct ArrayType<T> {                                             \
    static constexpr napi_typedarray_type kType = TYPE;             \
    static constexpr const char* kName = NAME;                      \
  };
CHANLAB_ARRAY_TYPE(float, napi_float32_array, "Float32Array")
CHANLAB_ARRAY_TYPE(double, napi_float64_array, "Float64Array")
CHANLAB_ARRAY_TYPE(int32_t, napi_int32_array, "Int32Array")
CHANLAB_ARRAY_TYPE(uint8_t, napi_uint8_array, "Uint8Array")
#undef CHANLAB_ARRAY_TYPE

template <typename T>
Span<T> CallArgs::array(size_t i, const char* name, bool nullable, size_t length) const {
  Span<T> s;
  napi_valuetype t = napi_undefined;
  if (i < n_) napi_typeof(env_, v_[i], &t);
  if (nullable && (t == napi_null || t == napi_undefined)) return s;
  bool is = false;
  if (i < n_) napi_is_typedarray(env_, v_[i], &is);
  const std::string expected = std::string(ArrayType<T>::kName) + (nullable ? " or null" : "");
  if (!is) throw ArgError(std::string(name) + ": expected a " + expected);
  napi_typedarray_type type;
  void* data = nullptr;
  napi_get_typedarray_info(env_, v_[i], &type, &s.size, &data, nullptr, nullptr);
  if (type != ArrayType<T>::kType) throw ArgError(std::string(name) + ": expected a " + expected + ", got another typed array");
  if (data == nullptr && s.size > 0) throw ArgError(std::string(name) + ": typed array has no data");
  if (length > 0 && s.size != length) {
    throw ArgError(std::string(name) + ": expected " + std::to_string(length) + " entries, got " + std::to_string(s.size));
  }
  s.data = static_cast<T*>(data);
  return s;
}

template F32 CallArgs::array<float>(size_t, const char*, bool, size_t) const;
template F64 CallArgs::array<double>(size_t, const char*, bool, size_t) const;
template I32 CallArgs::array<int32_t>(size_t, const char*, bool, size_t) const;
template U8 CallArgs::array<uint8_t>(size_t, const char*, bool, size_t) const;

double CallArgs::number(size_t i, const char* name) const {
  double d = 0;
  if (i >= n_ || napi_get_value_double(env_, v_[i], &d) != napi_ok) throw ArgError(std::string(name) + ": expected a number");
  return d;
}

int64_t CallArgs::integer(size_t i, const char* name) const {
  const double d = number(i, name);
  if (!(d >= -9007199254740991.0 && d <= 9007199254740991.0) || static_cast<double>(static_cast<int64_t>(d)) != d) {
    throw ArgError(std::string(name) + ": expected an integer, got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}

bool CallArgs::boolean(size_t i, const char* name) const {
  bool b = false;
  if (i >= n_ || napi_get_value_bool(env_, v_[i], &b) != napi_ok) throw ArgError(std::string(name) + ": expected a boolean");
  return b;
}

std::string CallArgs::string(size_t i, const char* name) const {
  size_t len = 0;
  if (i >= n_ || napi_get_value_string_utf8(env_, v_[i], nullptr, 0, &len) != napi_ok) {
    throw ArgError(std::string(name) + ": expected a string");
  }
  std::string s(len, '\0');
  napi_get_value_string_utf8(env_, v_[i], s.data(), len + 1, &len);
  return s;
}

napi_value toJs(napi_env env, int64_t v) {
  napi_value r = nullptr;
  napi_create_double(env, static_cast<double>(v), &r);
  return r;
}

napi_value toJs(napi_env env, double v) {
  napi_value r = nullptr;
  napi_create_double(env, v, &r);
  return r;
}

napi_value toJs(napi_env env, bool v) {
  napi_value r = nullptr;
  napi_get_boolean(env, v, &r);
  return r;
}

napi_value toJs(napi_env env, const std::string& v) {
  napi_value r = nullptr;
  napi_create_string_utf8(env, v.c_str(), v.size(), &r);
  return r;
}

void throwJs(napi_env env, const char* fn, const char* what) {
  napi_throw_error(env, nullptr, (std::string("chanlab native: ") + fn + ": " + what).c_str());
}

napi_value exportAll(napi_env env, napi_value exports, const Export* fns, size_t count) {
  for (size_t i = 0; i < count; i++) {
    napi_value fn;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, nullptr, &fn);
    napi_set_named_property(env, exports, fns[i].name, fn);
  }
  return exports;
}

}  // namespace chanlab
