/**
 * Who is calling and what they may do: principals, roles, API keys and the authorisation check
 * every request passes through.
 */
@NullMarked
package io.bulwark.security;

import org.jspecify.annotations.NullMarked;
