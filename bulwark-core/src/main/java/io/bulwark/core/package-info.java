/**
 * Values, configuration, the error hierarchy and secret wrappers shared by every Bulwark module.
 *
 * <p>This package depends on nothing but the JDK and SLF4J; every other module may depend on it.
 */
@NullMarked
package io.bulwark.core;

import org.jspecify.annotations.NullMarked;
