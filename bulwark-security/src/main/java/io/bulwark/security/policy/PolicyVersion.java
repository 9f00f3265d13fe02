package io.bulwark.security.policy;

import java.time.Instant;

/**
 * One immutable version of the policy text.
 *
 * @param version 1 for the built-in defaults, then one more for each change
 * @param text the Cedar policies
 * @param createdAt when it was stored
 * @param createdBy the principal id that stored it
 * @param comment why it was changed
 */
public record PolicyVersion(
    long version, String text, Instant createdAt, String createdBy, String comment) {
  public static final int MAX_COMMENT_CHARS = 1024;

  public PolicyVersion {
    if (version < 1) {
      throw new IllegalArgumentException("policy versions start at 1");
    }
    Checks.text("actor", createdBy, PrincipalView.MAX_ID_CHARS);
    Checks.textOrEmpty("comment", comment, MAX_COMMENT_CHARS);
  }

  @Override
  public String toString() {
    return "PolicyVersion[" + version + " by " + createdBy + " at " + createdAt + "]";
  }
}
