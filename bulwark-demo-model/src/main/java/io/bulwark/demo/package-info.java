/**
 * The demo model that {@code bulwark serve --demo} deploys: a small credit-risk classifier trained
 * and exported to ONNX by this module's build, shipped as resources of its jar. Needs nothing but
 * the JDK at run time.
 */
@NullMarked
package io.bulwark.demo;

import org.jspecify.annotations.NullMarked;
