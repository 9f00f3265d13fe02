/**
 * The HTTPS server and the composition root: {@link io.bulwark.server.BulwarkServer#create} builds
 * every component from one immutable configuration. Nothing depends on this module but the CLI.
 */
@NullMarked
package io.bulwark.server;

import org.jspecify.annotations.NullMarked;
