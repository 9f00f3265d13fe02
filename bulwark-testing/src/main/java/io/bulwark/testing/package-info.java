/**
 * Test fixtures shared by the modules' tests: small ONNX models built in code, so that no test
 * depends on a downloaded file. This module only produces bytes; it never runs a model.
 */
@NullMarked
package io.bulwark.testing;

import org.jspecify.annotations.NullMarked;
