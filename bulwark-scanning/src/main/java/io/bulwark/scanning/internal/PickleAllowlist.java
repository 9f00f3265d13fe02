package io.bulwark.scanning.internal;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The globals a pickle may import, in the spirit of PyTorch's weights-only unpickler: what {@code
 * torch.save} of a state dict and {@code numpy.save} of an object array produce, and nothing that
 * can reach the file system, the network, the interpreter or an arbitrary callable. Every other
 * global is refused, whatever it is used for.
 */
final class PickleAllowlist {
  private static final Set<String> ALLOWED = new HashSet<>();
  private static final Pattern NUMPY_DTYPE_CLASS = Pattern.compile("[A-Za-z0-9]+DType");

  static {
    allow("collections", "OrderedDict");
    // torch._utils rebuild functions take tensors, storages, sizes and plain data only
    allow(
        "torch._utils",
        "_rebuild_tensor",
        "_rebuild_tensor_v2",
        "_rebuild_tensor_v3",
        "_rebuild_parameter",
        "_rebuild_parameter_with_state",
        "_rebuild_qtensor",
        "_rebuild_sparse_tensor",
        "_rebuild_nested_tensor",
        "_rebuild_meta_tensor_no_storage",
        "_rebuild_device_tensor_from_numpy");
    allow("torch.nn.parameter", "Parameter");
    allow(
        "torch",
        "Size",
        "device",
        "Tensor",
        "UntypedStorage",
        // typed storages
        "FloatStorage",
        "DoubleStorage",
        "HalfStorage",
        "BFloat16Storage",
        "LongStorage",
        "IntStorage",
        "ShortStorage",
        "CharStorage",
        "ByteStorage",
        "BoolStorage",
        "ComplexFloatStorage",
        "ComplexDoubleStorage",
        "QUInt8Storage",
        "QInt8Storage",
        "QInt32Storage",
        "QUInt4x2Storage",
        "QUInt2x4Storage",
        // dtypes
        "float32",
        "float",
        "float64",
        "double",
        "float16",
        "half",
        "bfloat16",
        "float8_e4m3fn",
        "float8_e5m2",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "int8",
        "int16",
        "short",
        "int32",
        "int",
        "int64",
        "long",
        "bool",
        "complex32",
        "complex64",
        "complex128",
        "cfloat",
        "cdouble",
        "quint8",
        "qint8",
        "qint32",
        "quint4x2",
        // layouts, memory formats and quantisation schemes
        "strided",
        "sparse_coo",
        "contiguous_format",
        "channels_last",
        "preserve_format",
        "per_tensor_affine",
        "per_channel_affine",
        "per_channel_affine_float_qparams");
    // constructors of plain containers; none of them calls back into its arguments
    allow("builtins", "set", "frozenset", "bytearray", "complex", "slice");
    // protocol 2 pickles of bytes: _codecs.encode(str, "latin1")
    allow("_codecs", "encode");
    for (String core : new String[] {"numpy.core.multiarray", "numpy._core.multiarray"}) {
      allow(core, "_reconstruct", "scalar");
    }
    allow("numpy", "ndarray", "dtype");
  }

  private PickleAllowlist() {}

  private static void allow(String module, String... names) {
    for (String name : names) {
      ALLOWED.add(module + "\n" + name);
    }
  }

  /** Whether {@code module.name} may be imported. Names are matched exactly. */
  static boolean allows(String module, String name) {
    // Python 3 maps the Python 2 module name for protocols < 3 (fix_imports)
    String m = module.equals("__builtin__") ? "builtins" : module;
    if (m.equals("numpy.dtypes") && NUMPY_DTYPE_CLASS.matcher(name).matches()) {
      return true;
    }
    return ALLOWED.contains(m + "\n" + name);
  }
}
