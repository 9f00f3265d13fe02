/**
 * Authorisation policy: Cedar policies over principals, actions and resources, versioned in the
 * database, hot-swapped without restart, evaluated deny-by-default with a decision cache.
 */
@NullMarked
package io.bulwark.security.policy;

import org.jspecify.annotations.NullMarked;
