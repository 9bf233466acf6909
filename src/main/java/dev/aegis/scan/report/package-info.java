/**
 * Scan results for people and tools: text, JSON and SARIF 2.1.0 renderings, counts for exit codes, and baselines of
 * accepted findings (which become scanner suppressions). Imports {@code dev.aegis.scan} only; nothing here talks to
 * servers or reads configuration.
 */
package dev.aegis.scan.report;
