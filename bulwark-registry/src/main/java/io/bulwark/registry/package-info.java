/**
 * The model registry: immutable model versions sealed at rest, each under its own data key, and the
 * record of which version of each model is deployed.
 */
@NullMarked
package io.bulwark.registry;

import org.jspecify.annotations.NullMarked;
