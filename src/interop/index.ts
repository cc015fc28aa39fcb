// PyTorch file formats: safe torch.load / torch.save (pickle, zip and legacy layouts), .npy, Python values and tensors.
// What a checkpoint means (state dicts, prefixes, models) lives in src/checkpoint.
export { isTorchFile, loadTorchFile, torchFileFormat, TorchLoadError, type TorchFileFormat } from './torch_load.js';
export { saveTorchFile, encodeTorchFile, type SaveValue } from './torch_save.js';
export { parseNpy, readNpy, encodeNpy, writeNpy } from './npy.js';
export { unpickle, resolveGlobal, PickleError, type UnpickleOptions, type UnpickleResult } from './pickle.js';
export {
  OrderedDict, PyFloat, PyGlobal, NumpyArray, NumpyDtype, isTuple, tuple, isDict,
  type PyValue, type PyNamespace, type NumpyData,
} from './py.js';
export {
  TorchTensor, TorchStorage, DTYPES, halfToFloat, floatToHalf, bf16ToFloat, floatToBf16,
  type TorchDtype, type TensorData,
} from './tensor.js';
