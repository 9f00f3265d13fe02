package io.bulwark.registry;

import java.time.Instant;

/** One entry of a model's deployment history: a version that became the deployed one. */
public record DeploymentRecord(long seq, String version, Instant deployedAt, String deployedBy) {}
