/**
 * ONNX Runtime behind {@link io.bulwark.inference.InferenceEngine}. Not API: reach it through
 * {@link io.bulwark.inference.InferenceEngines}.
 */
@NullMarked
package io.bulwark.inference.internal;

import org.jspecify.annotations.NullMarked;
