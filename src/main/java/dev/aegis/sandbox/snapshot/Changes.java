package dev.aegis.sandbox.snapshot;

import java.util.List;

/**
 * What a restore changed (or, for a dry run, would change), seen from the snapshot: paths the call created (removed
 * again), modified (contents, mode, type or link target put back), deleted (recreated) and renamed (moved back).
 *
 * <pre>{@code
 * Changes c = workspace.restore(seq, false);
 * c.summary(); // "1 created, 2 modified, 0 deleted, 1 renamed"
 * }</pre>
 */
public record Changes(List<String> created, List<String> modified, List<String> deleted, List<Rename> renamed) {

  /** A file the call moved: it was at {@code from} in the snapshot and is at {@code to} now. */
  public record Rename(String from, String to) {}

  public Changes {
    created = List.copyOf(created);
    modified = List.copyOf(modified);
    deleted = List.copyOf(deleted);
    renamed = List.copyOf(renamed);
  }

  public boolean isEmpty() {
    return created.isEmpty() && modified.isEmpty() && deleted.isEmpty() && renamed.isEmpty();
  }

  public String summary() {
    return created.size() + " created, " + modified.size() + " modified, " + deleted.size() + " deleted, "
        + renamed.size() + " renamed";
  }
}
