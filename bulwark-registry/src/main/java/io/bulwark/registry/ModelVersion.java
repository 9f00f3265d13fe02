package io.bulwark.registry;

import java.time.Instant;

/**
 * One immutable version of a model.
 *
 * @param sha256 lower-case hex SHA-256 of the plaintext artifact
 * @param metadata JSON the server derived from the artifact at push time (its signature)
 */
public record ModelVersion(
    String name,
    String version,
    String format,
    String sha256,
    long sizeBytes,
    String metadata,
    Instant createdAt,
    String createdBy) {}
