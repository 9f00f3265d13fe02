/**
 * The build-time generator of the demo model. Runs with Tribuo on the class path during the build
 * and is left out of the jar.
 */
@NullMarked
package io.bulwark.demo.internal;

import org.jspecify.annotations.NullMarked;
