/**
 * The tamper-evident audit log: {@link dev.aegis.audit.AuditLog} appends one hash-chained, durable JSON line per
 * finished exchange under {@code $AEGIS_HOME/audit}, with periodic Ed25519-signed checkpoints;
 * {@link dev.aegis.audit.AuditVerifier} walks the files and names every edited, deleted, inserted or reordered
 * record; {@link dev.aegis.audit.SecretMask} keeps secret-looking text out of it.
 *
 * <p>Imports only {@code dev.aegis.chain} and {@code dev.aegis.protocol}.
 */
package dev.aegis.audit;
