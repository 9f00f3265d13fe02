/**
 * Client certificates for mutual TLS: path validation against configured trust anchors and
 * revocation lists only, the key-usage rules of a client certificate, the client's name (SPIFFE ID
 * or subject), the principal it maps to, and the RFC 8705 thumbprint that binds tokens to it.
 */
@NullMarked
package io.bulwark.security.mtls;

import org.jspecify.annotations.NullMarked;
