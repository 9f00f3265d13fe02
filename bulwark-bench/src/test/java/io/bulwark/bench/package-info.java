/**
 * The benchmark harness: what ONNX Runtime can do alone, what the TLS transport can do alone, and
 * what Bulwark does end to end with every control on, measured by a load generator in its own
 * process. {@link io.bulwark.bench.BenchMain} runs it; {@code bench/run} is the documented entry.
 */
@NullMarked
package io.bulwark.bench;

import org.jspecify.annotations.NullMarked;
