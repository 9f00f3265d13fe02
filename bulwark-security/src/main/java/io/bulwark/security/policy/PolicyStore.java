package io.bulwark.security.policy;

import java.util.List;

/**
 * The versioned policy text in the database. Versions are only ever added, never changed or
 * deleted; every change records who made it, when and why. The store keeps its engine on the newest
 * version it has seen.
 */
public interface PolicyStore {
  /** The newest stored version. */
  PolicyVersion current();

  /** Every version, oldest first. */
  List<PolicyVersion> history();

  /**
   * Validates {@code text}, stores it as the next version and installs it in the engine; atomic
   * against concurrent {@code set}s.
   *
   * @throws io.bulwark.core.InvalidRequestException if the text is invalid; nothing is stored
   * @throws io.bulwark.core.LimitExceededException if the text is larger than {@link
   *     Policies#MAX_POLICY_BYTES}
   */
  PolicyVersion set(String text, String actor, String comment);

  /**
   * Installs the newest stored version in the engine if it is newer than the engine's (another
   * replica changed the policy). Returns the engine's version afterwards.
   */
  PolicyVersion reload();
}
