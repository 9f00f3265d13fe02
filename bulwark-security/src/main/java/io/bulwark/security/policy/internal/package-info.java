/** The Cedar-backed policy engine, its decision cache and the SQL policy store. */
@NullMarked
package io.bulwark.security.policy.internal;

import org.jspecify.annotations.NullMarked;
