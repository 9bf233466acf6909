/**
 * Execution isolation for stdio MCP servers: launch profiles, the bubblewrap backend (namespaces, read-only
 * system, private {@code /tmp} and home, environment allowlist), a seccomp filter generated here, resource limits
 * (prlimit, cgroup v1), a probe of what this machine can enforce, a monitor of the sandboxed process tree, and the
 * automatic default ({@link dev.aegis.sandbox.KnownServers}: which built-in profile fits a server that names none).
 *
 * <p>Depends on {@code dev.aegis.config} only; the gateway calls {@link dev.aegis.sandbox.Sandbox} when it starts a
 * stdio server. Must not import the gateway, the chain or any other feature.
 */
package dev.aegis.sandbox;
