package io.bulwark.audit;

import java.util.List;
import java.util.OptionalLong;

/**
 * The outcome of verifying an exported audit log.
 *
 * @param verdict whether the log verified
 * @param entries the number of entries in the export
 * @param checkpoints the number of checkpoint files in the export
 * @param verifiedSize the largest checkpoint size whose signature and root hash verified
 * @param firstBadEntry the first entry that is not covered by a verified checkpoint when the log is
 *     rejected (for an edit, the edited entry is at or after it and before the next checkpoint)
 * @param reasons why the log was rejected, first problem first (empty when verified)
 */
public record AuditReport(
    Verdict verdict,
    long entries,
    long checkpoints,
    long verifiedSize,
    OptionalLong firstBadEntry,
    List<String> reasons) {

  /** The verdict. */
  public enum Verdict {
    VERIFIED,
    REJECTED
  }

  public AuditReport {
    reasons = List.copyOf(reasons);
    if ((verdict == Verdict.VERIFIED) != reasons.isEmpty()) {
      throw new IllegalArgumentException("a rejected report has reasons, a verified one none");
    }
  }
}
