/**
 * Tensors, model signatures and the {@link io.bulwark.inference.InferenceEngine} that runs a model
 * held in memory. Knows nothing of HTTP: transports convert their wire formats into {@link
 * io.bulwark.inference.Tensor}s.
 */
@NullMarked
package io.bulwark.inference;

import org.jspecify.annotations.NullMarked;
