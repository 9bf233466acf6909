/**
 * Who a session acts for: principals, API keys, OAuth 2.1 access tokens.
 *
 * <p>{@link dev.aegis.identity.Authenticator} turns an HTTP {@code Authorization} header into a
 * {@link dev.aegis.identity.Principal} or a refusal carrying the status and the {@code WWW-Authenticate} challenge the
 * MCP authorization spec asks for. {@link dev.aegis.identity.StaticKeys} checks API keys against hashes from the
 * config; {@link dev.aegis.identity.OAuthValidator} checks JWT access tokens against the issuer's JWKS, the
 * gateway's own resource URL as audience (RFC 8707) and the required scopes; {@link dev.aegis.identity.ProtectedResource}
 * is the RFC 9728 metadata document clients discover the authorization server from.
 *
 * <p>Credentials stop here: nothing in this package hands a key or token to anyone else, and the gateway strips
 * {@code Authorization} before calling an upstream server (the spec forbids token passthrough).
 *
 * <p>Imports only the JDK, Jackson and nimbus-jose-jwt; no other Aegis package.
 */
package dev.aegis.identity;
