/**
 * Strict validation of externally issued OIDC access tokens (compact JWS): a JWK set parsed with
 * limits, a policy per issuer, and a validator that either returns the verified claims or throws
 * {@link io.bulwark.security.jwt.TokenRejectedException}. Keys come only from the configured set;
 * nothing in a token ({@code jku}, {@code x5u}, {@code jwk}, {@code x5c}, {@code kid}) ever causes
 * a fetch or a lookup outside it.
 */
@NullMarked
package io.bulwark.security.jwt;

import org.jspecify.annotations.NullMarked;
