package dev.aegis.scan;

/**
 * Where a text comes from, which decides the rules that apply: a definition the model reads before it acts (tool,
 * prompt, resource, server instructions), or the output of a call (tool results, resource contents, prompt messages).
 */
public enum Surface {
  DEFINITION, OUTPUT
}
