/**
 * A tamper-evident audit log: typed {@link io.bulwark.audit.AuditEvent}s appended durably to an RFC
 * 6962/9162 Merkle tree, committed to by Ed25519-signed checkpoints (C2SP tlog-checkpoint and
 * signed-note), with inclusion and consistency proofs, an offline export and an offline verifier.
 */
@NullMarked
package io.bulwark.audit;

import org.jspecify.annotations.NullMarked;
