/** Implementations of the people API: Argon2id, TOTP, throttling, SQL storage of accounts. */
@NullMarked
package io.bulwark.security.people.internal;

import org.jspecify.annotations.NullMarked;
