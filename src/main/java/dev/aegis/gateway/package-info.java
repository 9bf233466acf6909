/**
 * The gateway itself: downstream sessions ({@link dev.aegis.gateway.GatewaySession}), upstream connections
 * ({@link dev.aegis.gateway.UpstreamConnection}), the namespacing catalog, the routing link that terminates the
 * chain ({@link dev.aegis.gateway.Router}), and the composition root ({@link dev.aegis.gateway.Gateway}).
 *
 * <p>May import protocol, transport, chain and config; features plug in as interceptors given to the gateway.
 */
package dev.aegis.gateway;
