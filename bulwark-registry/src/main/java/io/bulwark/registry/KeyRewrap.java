package io.bulwark.registry;

import java.util.Map;

/**
 * The outcome of re-wrapping every live data key under the current key-encryption key.
 *
 * @param rewrapped data keys wrapped anew
 * @param alreadyCurrent data keys that were already wrapped by the current key
 * @param byKek how many live data keys each key-encryption key version wraps now
 */
public record KeyRewrap(int rewrapped, int alreadyCurrent, Map<String, Integer> byKek) {
  public KeyRewrap {
    byKek = Map.copyOf(byKek);
  }
}
