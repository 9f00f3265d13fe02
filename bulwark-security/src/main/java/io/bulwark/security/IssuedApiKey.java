package io.bulwark.security;

import io.bulwark.core.SecretBytes;

/**
 * A newly created API key: its description and the secret, which exists only here. The server keeps
 * only a keyed hash of it.
 */
public record IssuedApiKey(ApiKeyInfo info, SecretBytes secret) {}
