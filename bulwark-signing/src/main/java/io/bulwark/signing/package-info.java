/**
 * OpenSSF Model Signing (OMS): computes the manifest of a model directory or file, signs it into a
 * Sigstore bundle with a DSSE envelope around an in-toto statement, and verifies such bundles
 * against a public key or a certificate authority. A verification either returns or throws {@link
 * io.bulwark.signing.VerificationException}; there is no boolean result to forget.
 */
@NullMarked
package io.bulwark.signing;

import org.jspecify.annotations.NullMarked;
