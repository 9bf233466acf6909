/**
 * Contextual access control: policies, CEL conditions, decisions.
 *
 * <p>A {@link dev.aegis.policy.Policy} is parsed once from YAML (globs precompiled, CEL conditions type-checked and
 * planned) and then answers {@link dev.aegis.policy.Policy#decide} per call and
 * {@link dev.aegis.policy.Policy#mayList} per listed tool. Simple condition shapes ({@code args.x == "lit"},
 * {@code "lit" in session.labels}, ...) are answered in plain Java by {@code Shortcut}, with CEL's answers, errors
 * included; CEL's interpreter runs only for the rest. {@link dev.aegis.policy.PolicyStore} reloads a policy file
 * when it changes and keeps the last good one when an edit is broken. See docs/policy.md.
 *
 * <p>Imports nothing else from Aegis: the gateway adapts its sessions and messages to a
 * {@link dev.aegis.policy.PolicyRequest}, so this package can be tested and benchmarked on its own.
 */
package dev.aegis.policy;
