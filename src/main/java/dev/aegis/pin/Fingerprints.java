package dev.aegis.pin;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fingerprints and versions of definitions, and the record of why one is held.
 *
 * <pre>{@code
 * String fp = Fingerprints.of(identity, Lockfile.Kind.TOOL, tool);   // sha256 of {server, kind, definition}
 * }</pre>
 */
public final class Fingerprints {
  /** Where a definition may declare its own version; otherwise the server's version counts. */
  public static final String META_VERSION = "dev.aegis/version";
  private static final int MAX_REASONS = 4;

  private Fingerprints() {}

  /**
   * SHA-256 over the RFC 8785 canonical JSON of {@code {"server": identity fingerprint, "kind": section,
   * "definition": definition}}: the whole definition as listed, bound to who offered it.
   */
  public static String of(Identity server, Lockfile.Kind kind, JsonNode definition) {
    String id = IDENTITIES.computeIfAbsent(server, Identity::fingerprint);
    if (IDENTITIES.size() > CACHE_LIMIT) {
      IDENTITIES.clear();
    }
    Key key = new Key(id, kind, definition);
    String fp = CACHE.get(key);
    if (fp != null) {
      return fp;
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("server", id);
    o.put("kind", kind.section());
    o.set("definition", definition);
    fp = Canonical.sha256(o);
    if (CACHE.size() >= CACHE_LIMIT) {
      CACHE.clear();
    }
    CACHE.put(new Key(id, kind, definition.deepCopy()), fp);
    return fp;
  }

  /**
   * Servers list the same definitions again and again (every session, every {@code list_changed}): a definition
   * equal to one already fingerprinted (Jackson's tree equality, which ignores key order like the canonical form)
   * reuses its fingerprint instead of canonicalizing and hashing it again. Keys hold a private copy of the tree.
   */
  private record Key(String server, Lockfile.Kind kind, JsonNode definition) {}

  private static final int CACHE_LIMIT = 8192;
  private static final java.util.Map<Key, String> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
  private static final java.util.Map<Identity, String> IDENTITIES = new java.util.concurrent.ConcurrentHashMap<>();

  /** The definition's declared version ({@code _meta["dev.aegis/version"]} or {@code _meta.version}), else the server's. */
  public static String version(JsonNode definition, Identity server) {
    JsonNode meta = definition.path("_meta");
    for (String key : List.of(META_VERSION, "version")) {
      if (meta.path(key).isString() && !meta.path(key).asString().isBlank()) {
        return meta.path(key).asString();
      }
    }
    return server.serverVersion();
  }

  /**
   * Why {@code live} is held: new, changed (with the semantic diff's class and its first changes), offered under
   * another identity, or unsigned; and whether a breaking change came without a major version bump.
   */
  static Lockfile.Held held(Lockfile.Kind kind, Lockfile.Pin approved, JsonNode live, String fingerprint,
      String version, String now, Identity pinnedIdentity, Identity liveIdentity, String unsignedWhy) {
    List<String> reasons = new ArrayList<>();
    String classification;
    if (pinnedIdentity != null) {
      reasons.add("the server's identity changed: pinned " + pinnedIdentity.describe() + ", now "
          + liveIdentity.describe());
    }
    if (unsignedWhy != null) {
      reasons.add(unsignedWhy);
    }
    if (approved == null) {
      classification = "new";
      reasons.add("new " + kind.label() + ", not approved in the lockfile");
    } else if (approved.definition() == null) {
      classification = "changed";
      reasons.add("its definition changed (the lockfile keeps no copy to compare with)");
    } else if (approved.fingerprint().equals(fingerprint)) {
      classification = "none";
    } else {
      ToolDiff diff = ToolDiff.of(approved.definition(), live);
      classification = diff.classification().wire();
      List<String> changes = new ArrayList<>();
      for (Change c : diff.changes()) {
        if (changes.size() == MAX_REASONS) {
          changes.add("and " + (diff.changes().size() - MAX_REASONS) + " more");
          break;
        }
        changes.add(c.kind().replace('_', ' ') + (c.pointer().isEmpty() ? "" : " at " + c.pointer()));
      }
      reasons.add("changed since approved (" + classification + (changes.isEmpty() ? "" : ": "
          + String.join(", ", changes)) + ")");
      String bump = missingMajorBump(diff.classification(), approved.version(), version);
      if (bump != null) {
        reasons.add(bump);
      }
    }
    return new Lockfile.Held(fingerprint, version, now, classification, reasons, live);
  }

  /** A breaking change whose version did not move to a new major (0.x: a new minor), or null. */
  static String missingMajorBump(ChangeClass change, String before, String after) {
    if (change != ChangeClass.BREAKING || before == null || after == null) {
      return null;
    }
    SemVer a = SemVer.tryParse(before).orElse(null);
    SemVer b = SemVer.tryParse(after).orElse(null);
    if (a == null || b == null) {
      return null;
    }
    boolean bumped = b.major() > a.major() || (a.major() == 0 && b.major() == 0 && b.minor() > a.minor());
    return bumped ? null : "a breaking change without a major version bump (" + before + " to " + after + ")";
  }
}
