/** Transport adapters (Armeria services, decorators, error mapping) and model serving. */
@NullMarked
package io.bulwark.server.internal;

import org.jspecify.annotations.NullMarked;
