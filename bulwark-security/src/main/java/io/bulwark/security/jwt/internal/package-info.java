/** Implementation of the strict JWS/JWK checks; not part of the API. */
@NullMarked
package io.bulwark.security.jwt.internal;

import org.jspecify.annotations.NullMarked;
