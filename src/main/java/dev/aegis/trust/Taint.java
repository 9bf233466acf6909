package dev.aegis.trust;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What has entered each session's context: untrusted content and private data, each with where it came from (the
 * provenance shown in audit decisions). Labels only accumulate: once a web page has been read in a session, the
 * agent may act on it for the rest of the session.
 *
 * <pre>{@code
 * taint.saw(sessionId, TrustLabels.Label.UNTRUSTED, "web/fetch");
 * if (taint.has(sessionId, TrustLabels.Label.UNTRUSTED)) { ... ask before mail/send_email ... }
 * }</pre>
 */
public final class Taint {
  private static final int MAX_SOURCES = 16;
  /** session → label → the tools it came from, first ones first. */
  private final Map<String, Map<TrustLabels.Label, List<String>>> sessions = new ConcurrentHashMap<>();

  /** Records that content labelled {@code label} from {@code source} ("server/tool") entered the session. */
  public void saw(String session, TrustLabels.Label label, String source) {
    List<String> from = sessions.computeIfAbsent(session, s -> new ConcurrentHashMap<>())
        .computeIfAbsent(label, l -> new ArrayList<>());
    synchronized (from) {
      if (!from.contains(source) && from.size() < MAX_SOURCES) {
        from.add(source);
      }
    }
  }

  public boolean has(String session, TrustLabels.Label label) {
    Map<TrustLabels.Label, List<String>> m = sessions.get(session);
    return m != null && m.containsKey(label);
  }

  /** Where content with {@code label} came from in this session ("web/fetch, mail/read_inbox"). */
  public String provenance(String session, TrustLabels.Label label) {
    Map<TrustLabels.Label, List<String>> m = sessions.get(session);
    List<String> from = m == null ? null : m.get(label);
    if (from == null) {
      return "";
    }
    synchronized (from) {
      return String.join(", ", from);
    }
  }

  /** The labels a session carries, as policy conditions see them ({@code session.labels}). */
  public List<String> labels(String session) {
    Map<TrustLabels.Label, List<String>> m = sessions.get(session);
    List<String> out = new ArrayList<>();
    if (m != null) {
      m.keySet().forEach(l -> out.add(l.name().toLowerCase(java.util.Locale.ROOT)));
    }
    return out;
  }

  /** Forgets a session (when it closes). */
  public void forget(String session) {
    sessions.remove(session);
  }
}
