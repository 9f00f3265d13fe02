/**
 * The {@code bulwark} command line: {@link io.bulwark.cli.Bulwark} is its entry point, both for the
 * launcher ({@code main}) and for tests that run commands in-process ({@code run}).
 */
@NullMarked
package io.bulwark.cli;

import org.jspecify.annotations.NullMarked;
