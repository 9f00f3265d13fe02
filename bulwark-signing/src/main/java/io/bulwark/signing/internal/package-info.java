/** Implementation of OMS signing and verification: bundle and statement codecs, strict crypto. */
@NullMarked
package io.bulwark.signing.internal;

import org.jspecify.annotations.NullMarked;
