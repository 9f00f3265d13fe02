package io.bulwark.registry;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One immutable version of a model and where it is in its lifecycle.
 *
 * @param sha256 lower-case hex SHA-256 of the plaintext artifact
 * @param metadata JSON the server derived from the artifact at push time (its signature)
 * @param state draft until approved; retired once its data key is destroyed
 * @param approvedBy who approved it (never its publisher), or null while a draft
 * @param card the model card given at push, or null for versions pushed before cards existed
 * @param signer who signed it, as verified at push, or null if it was admitted unsigned
 * @param signed whether a signature bundle is stored with it (verified again on every load)
 * @param scanVerdict the admission scan's verdict
 */
public record ModelVersion(
    String name,
    String version,
    String format,
    String sha256,
    long sizeBytes,
    String metadata,
    Instant createdAt,
    String createdBy,
    VersionState state,
    @Nullable String approvedBy,
    @Nullable Instant approvedAt,
    @Nullable ModelCard card,
    @Nullable String signer,
    boolean signed,
    String scanVerdict) {}
