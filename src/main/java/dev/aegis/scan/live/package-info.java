/**
 * Connects to live MCP servers the way a host would and lists what a model would read (tools, prompts, resources,
 * templates, instructions) for the scanner. Uses the transports and protocol packages; must not import the gateway.
 */
package dev.aegis.scan.live;
