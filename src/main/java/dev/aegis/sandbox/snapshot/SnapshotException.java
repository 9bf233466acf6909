package dev.aegis.sandbox.snapshot;

import java.io.IOException;

/**
 * A snapshot or restore that could not be done: a limit was exceeded ({@link #limit()}), the state directory is
 * damaged, or a snapshot is gone. The message says which workspace and what to change.
 */
public final class SnapshotException extends IOException {
  private final boolean limit;

  SnapshotException(String message, boolean limit) {
    super(message);
    this.limit = limit;
  }

  SnapshotException(String message, Throwable cause) {
    super(message, cause);
    this.limit = false;
  }

  /** True when a configured bound (files, bytes) was exceeded, as opposed to a failure. */
  public boolean limit() {
    return limit;
  }
}
