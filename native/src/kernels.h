// Kernel entry points exported by the addon (one file per concept: conv.cc, pool.cc, batchnorm.cc, pix.cc, dgc.cc).
#pragma once
#include <node_api.h>

namespace chanlab {
napi_value convForward(napi_env env, napi_callback_info info);
napi_value convBackwardData(napi_env env, napi_callback_info info);
napi_value convBackwardWeights(napi_env env, napi_callback_info info);
napi_value convPackedSize(napi_env env, napi_callback_info info);
napi_value convImpl(napi_env env, napi_callback_info info);
napi_value maxPool(napi_env env, napi_callback_info info);
napi_value maxPoolGrad(napi_env env, napi_callback_info info);
napi_value avgPool(napi_env env, napi_callback_info info);
napi_value avgPoolGrad(napi_env env, napi_callback_info info);
napi_value batchNormTrain(napi_env env, napi_callback_info info);
napi_value batchNormTrainGrad(napi_env env, napi_callback_info info);
napi_value batchNormInference(napi_env env, napi_callback_info info);
napi_value spatialMean(napi_env env, napi_callback_info info);
napi_value pixGate(napi_env env, napi_callback_info info);
napi_value pixForward(napi_env env, napi_callback_info info);
napi_value pixBackward(napi_env env, napi_callback_info info);
napi_value setPixSimd(napi_env env, napi_callback_info info);
napi_value copyF32(napi_env env, napi_callback_info info);
napi_value dgcExpand(napi_env env, napi_callback_info info);
napi_value dgcShuffle(napi_env env, napi_callback_info info);
napi_value dgcReduce(napi_env env, napi_callback_info info);
}  // namespace chanlab
