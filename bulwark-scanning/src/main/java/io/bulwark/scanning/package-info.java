/**
 * Admission scanning: decides, without executing or loading anything, whether a model file or
 * package is safe to store and serve. Anything not recognised is refused.
 */
@NullMarked
package io.bulwark.scanning;

import org.jspecify.annotations.NullMarked;
