/**
 * Implementations behind {@code io.bulwark.crypto}. Not an API: other modules use the factories in
 * the root package.
 */
@NullMarked
package io.bulwark.crypto.internal;

import org.jspecify.annotations.NullMarked;
