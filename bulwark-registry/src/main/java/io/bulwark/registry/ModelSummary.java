package io.bulwark.registry;

import org.jspecify.annotations.Nullable;

/** A model with the number of its versions and the one deployed, if any. */
public record ModelSummary(String name, @Nullable String deployedVersion, int versionCount) {}
