// Convolutions (forward with bias + activation, backward data, backward weights; grouped and depthwise) through
// oneDNN on NHWC activations and tfjs-layout filters, in place on the caller's buffers.
//
// geometry (Int32Array, 18): N, H, W, IC, OH, OW, OC, KH, KW, sh, sw, dh, dw, padTop, padLeft, padBottom, padRight, G
// Activations are NHWC. The filter is tfjs's [KH, KW, IC/G, OC] (depthwise [KH, KW, C, M] is the same with G = C,
// IC/G = 1, OC = C·M); oneDNN sees it through strides, and a reorder to the primitive's preferred layout is cached.
// Primitives are cached by (kind, geometry, activation).
#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include "common.h"
#include "generated/kernels.h"
#include "passes.h"
#include "rows.h"

namespace chanlab {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

static dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}
static dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

struct Geometry {
  int64_t n, h, w, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g;
  explicit Geometry(const std::vector<int64_t>& v)
      : n(v[0]), h(v[1]), w(v[2]), ic(v[3]), oh(v[4]), ow(v[5]), oc(v[6]), kh(v[7]), kw(v[8]), sh(v[9]),
        sw(v[10]), dh(v[11]), dw(v[12]), pt(v[13]), pl(v[14]), pb(v[15]), pr(v[16]), g(v[17]) {
    if (g < 1 || ic % g != 0 || oc % g != 0) throw ArgError("groups: expected a divisor of in and out channels");
  }
  memory::desc src() const { return nhwc(n, ic, h, w); }
  memory::desc dst() const { return nhwc(n, oc, oh, ow); }
  static memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w) {
    return memory::desc({n, c, h, w}, dt::f32, memory::dims{h * w * c, 1, w * c, c});
  }
  // The tfjs filter [KH, KW, IC/G, OC] seen as oneDNN weights.
  memory::desc userWeights() const {
    const int64_t icg = ic / g, ocg = oc / g;
    if (g == 1) return memory::desc({oc, ic, kh, kw}, dt::f32, memory::dims{1, oc, kw * ic * oc, ic * oc});
    return memory::desc({g, ocg, icg, kh, kw}, dt::f32, memory::dims{ocg, 1, oc, kw * icg * oc, icg * oc});
  }
  memory::desc anyWeights() const {
    if (g == 1) return memory::desc({oc, ic, kh, kw}, dt::f32, tag::any);
    return memory::desc({g, oc / g, ic / g, kh, kw}, dt::f32, tag::any);
  }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }

  dnnl::convolution_forward::primitive_desc forwardPd(bool bias, const dnnl::primitive_attr& attr) const {
    memory::desc b = bias ? memory::desc({oc}, dt::f32, tag::a) : memory::desc();
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                      src(), anyWeights(), b, dst(), strides(), dilates(), padL(), padR());
    return dnnl::convolution_forward::primitive_desc(d, attr, engine());
  }
};

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

struct Entry {
  dnnl::primitive prim;
  memory::desc userW, primW;
  bool reorder = false;
  dnnl::reorder toPrim, fromPrim;  // weights user→primitive (fwd, bwd data) or primitive→user (bwd weights)
  memory wBuf;
  std::string impl;
};

static std::map<std::vector<int64_t>, std::unique_ptr<Entry>>& cache() {
  static std::map<std::vector<int64_t>, std::unique_ptr<Entry>> c;
  return c;
}

static dnnl::primitive_attr activationAttr(int act, float alpha) {
  dnnl::primitive_attr attr;
  dnnl::post_ops po;
  switch (act) {
    case 0: break;  // linear
    case 1: po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case 2: po.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;  // relu6
    case 3: po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;  // leakyrelu
    case 4: po.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;  // sigmoid
    case 5: po.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
    default: throw ArgError("activation: expected 0..5");
  }
  attr.set_post_ops(po);
  return attr;
}

static Entry& entryFor(Kind kind, const Geometry& g, const std::vector<int64_t>& geo, bool bias, int act, float alpha) {
  std::vector<int64_t> key(geo);
  key.push_back(kind);
  key.push_back(bias ? 1 : 0);
  key.push_back(act);
  float a = alpha;
  int32_t abits;
  std::memcpy(&abits, &a, 4);
  key.push_back(abits);
  auto& c = cache();
  auto it = c.find(key);
  if (it != c.end()) return *it->second;
  auto e = std::make_unique<Entry>();
  e->userW = g.userWeights();
  if (kind == kForward) {
    auto pd = g.forwardPd(bias, activationAttr(act, alpha));
    e->primW = pd.weights_desc();
    e->prim = dnnl::convolution_forward(pd);
    e->impl = pd.impl_info_str();
  } else if (kind == kBackwardData) {
    auto hint = g.forwardPd(false, dnnl::primitive_attr());
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                            g.strides(), g.dilates(), g.padL(), g.padR());
    dnnl::convolution_backward_data::primitive_desc pd(d, engine(), hint);
    e->primW = pd.weights_desc();
    e->prim = dnnl::convolution_backward_data(pd);
    e->impl = pd.impl_info_str();
  } else {
    auto hint = g.forwardPd(false, dnnl::primitive_attr());
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.src(), g.anyWeights(),
                                               g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, engine(), hint);
    e->primW = pd.diff_weights_desc();
    e->prim = dnnl::convolution_backward_weights(pd);
    e->impl = pd.impl_info_str();
  }
  e->reorder = e->primW != e->userW;
  if (e->reorder) {
    e->wBuf = memory(e->primW, engine());
    if (kind == kBackwardWeights) {
      e->fromPrim = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), e->primW, engine(), e->userW));
    } else {
      e->toPrim = dnnl::reorder(dnnl::reorder::primitive_desc(engine(), e->userW, engine(), e->primW));
    }
  }
  Entry& ref = *e;
  c.emplace(key, std::move(e));
  return ref;
}

// One call of a convolution kernel: its geometry argument and the memory objects over the caller's NHWC buffers.
struct Call {
  std::vector<int64_t> geo;
  Geometry g;
  explicit Call(I32 geometry) : Call(geometry.ints()) {}
  explicit Call(std::vector<int64_t> geometry) : geo(std::move(geometry)), g(geo) {}
  Entry& entry(Kind kind, bool bias = false, int act = 0, float alpha = 0.f) const {
    return entryFor(kind, g, geo, bias, act, alpha);
  }
  memory src(float* p) const { return memory(g.src(), engine(), p); }  // x, dx
  memory dst(float* p) const { return memory(g.dst(), engine(), p); }  // y, dy
};

// The filter as the primitive wants it: the caller's buffer, or its cached reorder into the entry's buffer.
static memory primitiveWeights(Entry& e, float* w) {
  memory uw(e.userW, engine(), w);
  if (!e.reorder) return uw;
  e.toPrim.execute(stream(), uw, e.wBuf);
  return e.wBuf;
}

// Runs the entry's primitive on `args` and waits for it. `dw` (backward weights): the caller's filter gradient,
// written through the entry's buffer and its reorder back when the primitive has its own layout.
static void execute(Entry& e, std::unordered_map<int, memory> args, float* dw = nullptr) {
  auto& s = stream();
  memory uw;
  if (dw != nullptr) {
    uw = memory(e.userW, engine(), dw);
    args.emplace(DNNL_ARG_DIFF_WEIGHTS, e.reorder ? e.wBuf : uw);
  }
  e.prim.execute(s, args);
  if (dw != nullptr && e.reorder) e.fromPrim.execute(s, e.wBuf, uw);
  s.wait();
}

// A 1×1 convolution of a 1×1 input without activation (PiX's and SE's gate convolutions, 1×1-conv classifiers) is
// a matrix-vector product per sample, bound by reading the filter once: y = bias + x·W, W the tfjs [IC, OC] filter,
// parallel over output-channel slices (each sum in the same order for every thread count).
static bool isMatVec(const Geometry& g, int act) {
  return act == 0 && g.g == 1 && g.h == 1 && g.w == 1 && g.kh == 1 && g.kw == 1 && g.oh == 1 && g.ow == 1 &&
         g.pt == 0 && g.pl == 0 && g.pb == 0 && g.pr == 0;
}

void matVec(const float* x, const float* w, const float* bias, float* y, int64_t n, int64_t ic, int64_t oc) {
  const bool parallel = ic * oc >= kParallelMin;
  const int64_t slice = channelSlice(oc, n, parallel);  // output channels per task
  const int64_t slices = (oc + slice - 1) / slice;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t t = 0; t < n * slices; t++) {
    const int64_t b = t / slices, o0 = (t % slices) * slice, len = std::min(slice, oc - o0);
    float* yb = y + b * oc + o0;
    for (int64_t o = 0; o < len; o++) yb[o] = bias != nullptr ? bias[o0 + o] : 0.f;
    rowsMatVec(yb, x + b * ic, w + o0, ic, len, oc);
  }
}

// convForward (native/kernels.json). packed: a caller-owned buffer for the filter in the primitive's layout
// (convPackedSize floats). packedValid true: it already holds this filter (the caller keys it by the filter tensor,
// whose data never changes), so the reorder is skipped; false: the filter is reordered into it. Without it the
// reorder goes to the primitive's own buffer.
void convForward(I32 geometry, F32 x, F32 filter, F32 bias, F32 y, int64_t activation, double alpha, F32 packed,
                 bool packedValid) {
  const Call call(geometry);
  const Geometry& g = call.g;
  const int act = static_cast<int>(activation);
  if (isMatVec(g, act)) return matVec(x.data, filter.data, bias.data, y.data, g.n, g.ic, g.oc);
  Entry& e = call.entry(kForward, !bias.null(), act, static_cast<float>(alpha));
  memory weights;
  if (!packed.null() && e.reorder) {
    if (packed.size * sizeof(float) < e.primW.get_size()) throw ArgError("packed: expected convPackedSize floats");
    weights = memory(e.primW, engine(), packed.data);
    memory user(e.userW, engine(), filter.data);
    if (!packedValid) e.toPrim.execute(stream(), user, weights);
  } else {
    weights = primitiveWeights(e, filter.data);
  }
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, call.src(x.data)}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, call.dst(y.data)}};
  if (!bias.null()) args.emplace(DNNL_ARG_BIAS, memory(memory::desc({g.oc}, dt::f32, tag::a), engine(), bias.data));
  execute(e, std::move(args));
}

int64_t convPackedSize(I32 geometry, bool hasBias, int64_t activation, double alpha) {
  const Call call(geometry);
  const int act = static_cast<int>(activation);
  if (isMatVec(call.g, act)) return 0;
  Entry& e = call.entry(kForward, hasBias, act, static_cast<float>(alpha));
  return e.reorder ? static_cast<int64_t>((e.primW.get_size() + sizeof(float) - 1) / sizeof(float)) : 0;
}

void convBackwardData(I32 geometry, F32 dy, F32 filter, F32 dx) {
  const Call call(geometry);
  Entry& e = call.entry(kBackwardData);
  execute(e, {{DNNL_ARG_DIFF_DST, call.dst(dy.data)},
              {DNNL_ARG_WEIGHTS, primitiveWeights(e, filter.data)},
              {DNNL_ARG_DIFF_SRC, call.src(dx.data)}});
}

// oneDNN 2.6's weight gradient of a strided 1×1 convolution (jit_1x1, which first reduces the input to unit stride
// in a scratch buffer) is wrong for fewer than 8 input channels on NHWC data: with 2 threads it returned one of two
// results at random, off by up to 2.3 against a naive sum, and with 1 thread it corrupted the heap
// (test/kernels/native.test.ts, "strided 1×1"). So a strided 1×1 weight gradient is always computed as the
// unit-stride one over x's sampled pixels, gathered here: the same sum, deterministic.
static bool isStrided1x1(const Geometry& g) {
  return g.kh == 1 && g.kw == 1 && (g.sh > 1 || g.sw > 1) && g.dh == 1 && g.dw == 1 && g.pt == 0 && g.pl == 0 &&
         g.pb == 0 && g.pr == 0;
}

// xs[n, r, q, :] = x[n, r·sh, q·sw, :] for the output grid.
static std::vector<float> sampleStrided(const Geometry& g, const float* x) {
  std::vector<float> xs(static_cast<size_t>(g.n * g.oh * g.ow * g.ic));
  const int64_t oh = g.oh, ow = g.ow, ic = g.ic, h = g.h, w = g.w, sh = g.sh, sw = g.sw;
  float* out = xs.data();
#pragma omp parallel for schedule(static) if (g.n * oh * ow * ic >= kParallelMin)
  for (int64_t row = 0; row < g.n * oh; row++) {
    const int64_t n = row / oh, r = row % oh;
    for (int64_t q = 0; q < ow; q++) {
      std::memcpy(out + (row * ow + q) * ic, x + ((n * h + r * sh) * w + q * sw) * ic, sizeof(float) * ic);
    }
  }
  return xs;
}

void convBackwardWeights(I32 geometry, F32 x, F32 dy, F32 dw) {
  const Call call(geometry);
  const Geometry& g = call.g;
  if (isStrided1x1(g)) {
    std::vector<float> xs = sampleStrided(g, x.data);
    const Call unit({g.n, g.oh, g.ow, g.ic, g.oh, g.ow, g.oc, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, g.g});
    execute(unit.entry(kBackwardWeights), {{DNNL_ARG_SRC, unit.src(xs.data())}, {DNNL_ARG_DIFF_DST, unit.dst(dy.data)}},
            dw.data);
    return;
  }
  execute(call.entry(kBackwardWeights), {{DNNL_ARG_SRC, call.src(x.data)}, {DNNL_ARG_DIFF_DST, call.dst(dy.data)}},
          dw.data);
}

std::string convImpl(I32 geometry, int64_t kind) {
  if (kind < 0 || kind > 2) throw ArgError("kind: expected 0 (forward), 1 (backward data) or 2 (backward weights)");
  return Call(geometry).entry(static_cast<Kind>(kind)).impl;
}

}  // namespace chanlab
