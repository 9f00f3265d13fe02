package io.bulwark.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A named tensor: a type, a shape and its elements in row-major order.
 *
 * <p>Fixed-size types keep their elements in a little-endian {@link ByteBuffer} of exactly {@code
 * elementCount * byteSize} bytes; {@link DataType#BYTES} keeps a list of byte strings, one per
 * element. The constructor checks that shape and data agree, so a {@code Tensor} that exists is
 * internally consistent. Tensors are not copied defensively on the hot path: callers must not
 * mutate the buffer or arrays they passed in.
 */
public final class Tensor {
  private final String name;
  private final DataType datatype;
  private final long[] shape;
  private final long elementCount;
  private final @Nullable ByteBuffer data;
  private final @Nullable List<byte[]> elements;

  private Tensor(
      String name,
      DataType datatype,
      long[] shape,
      @Nullable ByteBuffer data,
      @Nullable List<byte[]> elements) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape.clone();
    this.elementCount = elementCount(this.shape);
    this.data = data;
    this.elements = elements;
  }

  /** A tensor of a fixed-size type; {@code data} holds its elements little-endian. */
  public static Tensor ofFixed(String name, DataType datatype, long[] shape, ByteBuffer data) {
    if (!datatype.isFixedSize()) {
      throw new IllegalArgumentException(datatype + " is not a fixed-size type");
    }
    ByteBuffer le = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    long count = elementCount(shape);
    if (count * datatype.byteSize() != le.remaining()) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' has shape "
              + Arrays.toString(shape)
              + " ("
              + count
              + " elements) but "
              + le.remaining()
              + " bytes of "
              + datatype);
    }
    return new Tensor(name, datatype, shape, le, null);
  }

  /** A {@link DataType#BYTES} tensor, one byte string per element. */
  public static Tensor ofBytes(String name, long[] shape, List<byte[]> elements) {
    long count = elementCount(shape);
    if (count != elements.size()) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' has shape "
              + Arrays.toString(shape)
              + " ("
              + count
              + " elements) but "
              + elements.size()
              + " BYTES elements");
    }
    return new Tensor(name, DataType.BYTES, shape, null, List.copyOf(elements));
  }

  /** The number of elements a shape holds; throws if a dimension is negative or it overflows. */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension " + d);
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public String name() {
    return name;
  }

  public DataType datatype() {
    return datatype;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    return elementCount;
  }

  /** The elements of a fixed-size tensor: a read-only little-endian view, positioned at 0. */
  public ByteBuffer data() {
    if (data == null) {
      throw new IllegalStateException(datatype + " tensor has no fixed-size data");
    }
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The elements of a {@link DataType#BYTES} tensor. */
  public List<byte[]> bytesElements() {
    if (elements == null) {
      throw new IllegalStateException(datatype + " tensor has no BYTES elements");
    }
    return elements;
  }

  /** Returns the same tensor under another name. */
  public Tensor rename(String newName) {
    return new Tensor(newName, datatype, shape, data, elements);
  }

  @Override
  public String toString() {
    return "Tensor[" + name + ", " + datatype + ", " + Arrays.toString(shape) + "]";
  }
}
