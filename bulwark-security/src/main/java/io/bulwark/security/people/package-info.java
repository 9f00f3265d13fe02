/**
 * People: accounts with Argon2id passwords and a TOTP second factor, login throttling, and browser
 * sessions with CSRF protection, for the dashboard. The HTTP layer calls {@link
 * io.bulwark.security.people.Accounts}; implementations live in {@code .internal}.
 */
@NullMarked
package io.bulwark.security.people;

import org.jspecify.annotations.NullMarked;
