/**
 * Configuration: immutable records ({@link dev.aegis.config.GatewayConfig}, {@link dev.aegis.config.ServerConfig})
 * and the {@link dev.aegis.config.ConfigLoader} that reads Aegis's YAML or a client's {@code mcpServers} JSON,
 * validates everything in one place and reports every error as {@code file:line:col: message}.
 *
 * <p>Imports nothing else from Aegis.
 */
package dev.aegis.config;
