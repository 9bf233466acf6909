package dev.aegis.gateway;

/**
 * Loose RFC 6570 matching, enough to tell which server a concrete URI belongs to: the template's literal parts must
 * appear in order, each expression matches at least one character. Linear in the length of the inputs; no regular
 * expressions over text a server chose.
 */
final class UriTemplates {
  private UriTemplates() {}

  static boolean matches(String template, String uri) {
    int pos = 0;
    int i = 0;
    boolean first = true;
    boolean pendingExpression = false;
    while (i < template.length()) {
      int open = template.indexOf('{', i);
      String literal = open < 0 ? template.substring(i) : template.substring(i, open);
      if (!literal.isEmpty()) {
        if (first && !pendingExpression) {
          if (!uri.startsWith(literal)) {
            return false;
          }
          pos = literal.length();
        } else if (open < 0) {
          // last literal: must end the uri, after at least one character for the expression before it
          return uri.length() - literal.length() >= pos + (pendingExpression ? 1 : 0) && uri.endsWith(literal);
        } else {
          int found = uri.indexOf(literal, pos + (pendingExpression ? 1 : 0));
          if (found < 0) {
            return false;
          }
          pos = found + literal.length();
        }
      }
      first = false;
      if (open < 0) {
        return !pendingExpression && pos == uri.length() || pendingExpression && pos < uri.length();
      }
      int close = template.indexOf('}', open);
      if (close < 0) {
        return false;
      }
      pendingExpression = true;
      i = close + 1;
    }
    return pendingExpression ? pos < uri.length() : pos == uri.length();
  }
}
