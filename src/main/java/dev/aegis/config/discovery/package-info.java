/**
 * Client discovery and wrapping: finds the MCP configuration files of the common hosts ({@link
 * dev.aegis.config.discovery.Client}), reads them (JSON with comments included) without losing their bytes, and
 * rewrites their server entries so each runs behind Aegis ({@link dev.aegis.config.discovery.WrapPlan}), keeping a
 * byte-for-byte backup that {@link dev.aegis.config.discovery.WrapStore} restores.
 *
 * <p>Imports nothing else from Aegis. The home directory, operating system and project directory come in through
 * {@link dev.aegis.config.discovery.Platform}, so tests run on fixture trees.
 */
package dev.aegis.config.discovery;
