package dev.aegis.pin;

import dev.aegis.config.PinConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signed manifests in the gateway: a server's listed definitions are checked against its publisher's signature
 * (a JWS over the canonical manifest, see {@link Signatures}), taken from {@code pin.signatures.SERVER} (a file) or
 * from the list result's {@code _meta["dev.aegis/signature"]}, with the keys of {@code pin.trust.SERVER}. The
 * signature covers every kind of definition; each list is compared with its own section, so a server that adds a
 * tool after signing fails.
 *
 * <p>Policy ({@code pin.unsigned}, {@code pin.badSignature}): a server without a signature its trusted keys verify
 * is allowed, held (everything waits for approval) or refused; a signature that is present but fails (bad, from an
 * unknown key, or over other definitions) is held or refused. A server with neither keys nor a signature, under the
 * default {@code unsigned: allow}, is not checked at all.
 *
 * <pre>{@code
 * ManifestCheck.Verdict v = new ManifestCheck(config.pin()).check("github", Lockfile.Kind.TOOL, tools, meta);
 * }</pre>
 */
final class ManifestCheck {
  static final String META_SIGNATURE = "dev.aegis/signature";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final PinConfig config;
  /** server → trusted keys by key id, read once. */
  private final Map<String, Map<String, PublicKey>> keys = new java.util.concurrent.ConcurrentHashMap<>();

  ManifestCheck(PinConfig config) {
    this.config = config;
  }

  /** What to do with one listing: go on, hold everything, or refuse the server; {@code why} says why. */
  record Verdict(boolean hold, boolean refuse, String why) {
    static final Verdict OK = new Verdict(false, false, null);
  }

  Verdict check(String server, Lockfile.Kind kind, List<JsonNode> items, JsonNode listMeta) {
    List<String> trusted = config.trust().getOrDefault(server, List.of());
    String jws = signature(server, listMeta);
    if (trusted.isEmpty() && jws == null && config.unsigned().equals("allow")) {
      return Verdict.OK;
    }
    if (jws == null || trusted.isEmpty()) {
      String why = "server '" + server + "' " + (jws == null ? "has no signed manifest" : "has a signature but no"
          + " trusted publisher key (pin.trust." + server + ")");
      return policy(config.unsigned(), why + " (pin.unsigned: " + config.unsigned() + ")");
    }
    Map<String, PublicKey> byId;
    try {
      byId = keys.computeIfAbsent(server, s -> load(trusted));
    } catch (IllegalArgumentException e) {
      return new Verdict(false, true, "server '" + server + "' is refused: " + e.getMessage());
    }
    ObjectNode signed;
    try {
      signed = payload(jws);
    } catch (IllegalArgumentException e) {
      return policy(config.badSignature(), "server '" + server + "' has a malformed signature: " + e.getMessage()
          + " (pin.badSignature: " + config.badSignature() + ")");
    }
    // the live list in place of the signed one for this kind: the rest of the manifest as signed
    List<JsonNode> tools = section(signed, "tools");
    List<JsonNode> prompts = section(signed, "prompts");
    List<JsonNode> templates = section(signed, "resourceTemplates");
    switch (kind) {
      case TOOL -> tools = items;
      case PROMPT -> prompts = items;
      default -> templates = items;
    }
    // the publisher names its server as it likes; which local server it vouches for is pin.trust's business
    String signedFor = signed.path("server").isString() ? signed.path("server").asString() : server;
    Signatures.Verification v = Signatures.verify(jws, Manifest.of(signedFor, tools, prompts, templates), byId);
    if (v.status() == Signatures.Status.VALID) {
      return new Verdict(false, false, kind.section() + " of '" + server + "' match the manifest signed by "
          + v.keyId());
    }
    return policy(config.badSignature(), "server '" + server + "': signature check failed (" + v.status() + ": "
        + v.detail() + ") (pin.badSignature: " + config.badSignature() + ")");
  }

  private static Verdict policy(String setting, String why) {
    return switch (setting) {
      case "allow" -> new Verdict(false, false, why);
      case "hold" -> new Verdict(true, false, why);
      default -> new Verdict(false, true, why);
    };
  }

  private String signature(String server, JsonNode listMeta) {
    Path file = config.signatures().get(server);
    if (file != null) {
      try {
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
      } catch (IOException e) {
        return null;
      }
    }
    JsonNode s = listMeta == null ? null : listMeta.path(META_SIGNATURE);
    return s != null && s.isString() ? s.asString().trim() : null;
  }

  private static Map<String, PublicKey> load(List<String> trusted) {
    Map<String, PublicKey> out = new LinkedHashMap<>();
    for (String t : trusted) {
      PublicKey k;
      try {
        k = t.startsWith("-----") || t.startsWith("MC") ? Signatures.publicFromString(t)
            : Signatures.readPublic(Path.of(t));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read publisher key " + t + ": " + e.getMessage());
      }
      out.put(Signatures.keyId(k), k);
    }
    return out;
  }

  /** The manifest a JWS carries, unverified (verification follows, over the live lists). */
  static ObjectNode payload(String jws) {
    String[] parts = jws.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("a JWS has three parts separated by dots");
    }
    try {
      JsonNode n = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      if (!n.isObject()) {
        throw new IllegalArgumentException("the signed payload is not a manifest object");
      }
      return (ObjectNode) n;
    } catch (tools.jackson.core.JacksonException e) {
      throw new IllegalArgumentException("the signed payload is not JSON");
    }
  }

  private static List<JsonNode> section(ObjectNode manifest, String field) {
    List<JsonNode> out = new ArrayList<>();
    manifest.path(field).forEach(out::add);
    return out;
  }
}
