/**
 * The wire codec of the Open Inference Protocol (KServe v2) REST API, with Triton's binary tensor
 * data extension: request bodies in, {@link io.bulwark.inference.Tensor}s out, and back.
 *
 * <p>Transport-independent: classes here take bytes and header values and return values; the HTTP
 * service decides status codes. Every malformed or oversized request ends in an {@link
 * io.bulwark.core.InvalidRequestException} or {@link io.bulwark.core.LimitExceededException} whose
 * message is safe to return to the client.
 */
@NullMarked
package io.bulwark.server.internal.oip;

import org.jspecify.annotations.NullMarked;
