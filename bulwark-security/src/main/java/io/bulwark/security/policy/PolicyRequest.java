package io.bulwark.security.policy;

/**
 * One question to the policy engine: may {@code principal} do {@code action} on {@code resource}?
 */
public record PolicyRequest(PrincipalView principal, PolicyAction action, ResourceView resource) {}
