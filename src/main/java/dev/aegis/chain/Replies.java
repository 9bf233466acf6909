package dev.aegis.chain;

import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Response;
import java.util.function.UnaryOperator;

/** Fail-closed application of reply transformations. */
final class Replies {
  private Replies() {}

  static Response apply(UnaryOperator<Response> f, Response response) {
    try {
      Response mapped = f.apply(response);
      if (mapped == null) {
        return blocked(response, "a reply transformation returned null");
      }
      return mapped;
    } catch (RuntimeException e) {
      return blocked(response, "a reply transformation failed: " + e);
    }
  }

  private static Response blocked(Response response, String why) {
    return Response.error(response.id(), JsonRpcError.of(JsonRpcError.BLOCKED, "Blocked by Aegis: " + why));
  }
}
