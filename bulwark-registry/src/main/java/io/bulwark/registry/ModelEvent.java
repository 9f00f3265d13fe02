package io.bulwark.registry;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One lifecycle transition of a model, as recorded in the durable event table.
 *
 * @param action {@code push}, {@code approve}, {@code deploy}, {@code rollback}, {@code undeploy}
 *     or {@code retire}
 * @param reason why, as the actor gave it, or null
 */
public record ModelEvent(
    long seq,
    Instant time,
    String model,
    @Nullable String version,
    String action,
    String actor,
    @Nullable String reason) {}
