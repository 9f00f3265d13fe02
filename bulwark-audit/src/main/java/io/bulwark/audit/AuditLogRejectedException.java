package io.bulwark.audit;

/** An exported audit log did not verify; {@link #report} says why. */
public final class AuditLogRejectedException extends AuditVerificationException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // a record of strings and numbers; never serialised in practice
  private final AuditReport report;

  public AuditLogRejectedException(AuditReport report) {
    super("audit log rejected: " + (report.reasons().isEmpty() ? "" : report.reasons().get(0)));
    this.report = report;
  }

  public AuditReport report() {
    return report;
  }
}
