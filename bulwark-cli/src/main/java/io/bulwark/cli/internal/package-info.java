/**
 * The commands behind {@code bulwark}: argument parsing (picocli), the HTTPS client for the
 * management API, trust in the server's CA and the {@code serve} configuration file.
 */
@NullMarked
package io.bulwark.cli.internal;

import org.jspecify.annotations.NullMarked;
