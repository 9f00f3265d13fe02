package io.bulwark.audit;

/**
 * What happened. The names are part of the stored, signed record: never rename or remove one, only
 * add.
 */
public enum AuditEventType {
  AUTHENTICATION_SUCCESS,
  AUTHENTICATION_FAILURE,
  AUTHORIZATION_DENIED,
  TOKEN_ISSUED,
  PRINCIPAL_CHANGE,
  KEY_CHANGE,
  KEY_ROTATION,
  KEY_REVOCATION,
  POLICY_CHANGE,
  CONFIGURATION_CHANGE,
  MODEL_PUSH,
  SCAN_VERDICT,
  SIGNATURE_VERDICT,
  APPROVE,
  DEPLOY,
  ROLLBACK,
  UNDEPLOY,
  RETIRE,
  INFERENCE,
  QUOTA_EXCEEDED,
  INCIDENT,
  RESPONSE_ACTION,
  AUDIT_EXPORT,
  SERVER_START,
  SERVER_STOP,
  /** A model version's artifact was downloaded from the registry. */
  MODEL_DOWNLOAD;
}
