/**
 * Formal interface versioning: canonical JSON, fingerprints, lockfile, semantic diff, signatures. A server's tool,
 * prompt and resource definitions are reduced to RFC 8785 canonical bytes ({@link dev.aegis.pin.Canonical}) so
 * that a fingerprint depends on what a definition says, never on how it was spelled; versions and the ranges a
 * lockfile accepts are {@link dev.aegis.pin.SemVer} and npm-style {@link dev.aegis.pin.VersionRange}.
 *
 * <p>Imports only Jackson and the JDK: the gateway, the CLI and the audit log build on this package, never the
 * other way round.
 */
package dev.aegis.pin;
