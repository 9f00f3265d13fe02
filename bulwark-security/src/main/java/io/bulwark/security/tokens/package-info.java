/**
 * Short-lived access tokens issued by this server: ES256 JWTs signed with a key that rotates with
 * overlap, and the JWK set that publishes the public halves.
 */
@NullMarked
package io.bulwark.security.tokens;

import org.jspecify.annotations.NullMarked;
