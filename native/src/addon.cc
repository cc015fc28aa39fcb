// Addon-wide functions (native/kernels.json): thread control, the oneDNN version, and the channel slicing shared by
// the per-channel loops. The Node-API module itself is generated (generated/bindings.cc).
#include <omp.h>
#include <algorithm>
#include <oneapi/dnnl/dnnl.hpp>
#include "common.h"
#include "generated/kernels.h"

namespace chanlab {

int64_t channelSlice(int64_t c, int64_t samples, bool parallel) {
  const int64_t threads = parallel ? std::max<int64_t>(1, omp_get_max_threads()) : 1;
  const int64_t perSample = (threads + samples - 1) / samples;  // slices each sample needs to feed every thread
  const int64_t want = (c + perSample - 1) / perSample;
  return std::min(kMaxSlice, std::max<int64_t>(16, (want + 15) / 16 * 16));
}

void setThreads(int64_t threads) {
  if (threads < 1 || threads > 65536) throw ArgError("threads: expected an integer in [1, 65536]");
  omp_set_num_threads(static_cast<int>(threads));
}

int64_t getThreads() { return omp_get_max_threads(); }

std::string version() {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
      std::to_string(v->patch);
  const std::string hash = v->hash != nullptr ? v->hash : "N/A";
  if (hash != "N/A") s += " (" + hash + ")";
  return s;
}

}  // namespace chanlab
