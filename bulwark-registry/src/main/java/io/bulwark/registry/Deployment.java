package io.bulwark.registry;

import java.time.Instant;

/** The version of a model that serves traffic. */
public record Deployment(String name, String version, Instant deployedAt, String deployedBy) {}
