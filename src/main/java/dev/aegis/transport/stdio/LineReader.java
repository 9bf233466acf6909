package dev.aegis.transport.stdio;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into newline-terminated lines without decoding them, bounded by a maximum line length. A
 * longer line is skipped to its end and reported as {@link #OVERSIZE}, so one huge message cannot exhaust memory
 * nor desynchronise the stream.
 */
final class LineReader {
  /** Returned by {@link #next()} for a line longer than the limit (its bytes are dropped). */
  static final byte[] OVERSIZE = new byte[0];

  private final InputStream in;
  private final int maxLine;
  private final int limit;
  // at most 8 KiB: the JDK reads larger requests through a native buffer it allocates and frees on every read
  private byte[] buf = new byte[8 * 1024];
  private int start;
  private int end;
  private byte[] line = new byte[4 * 1024];
  private int lineLength;
  private long lastOversize;

  LineReader(InputStream in, int maxLine) {
    this.in = in;
    // one more byte buffered for the CR of a CRLF ending: the limit is on the message, not its line ending
    this.maxLine = maxLine + 1;
    this.limit = maxLine;
  }

  /** Length of the last line returned in {@link #line()}. */
  int length() {
    return lineLength;
  }

  /** Bytes of the last skipped oversize line, as far as counted. */
  long lastOversize() {
    return lastOversize;
  }

  /** Bytes of the last line; valid until the next call to {@link #next()}. */
  byte[] line() {
    return line;
  }

  /**
   * Reads the next non-blank line. Returns {@link #line()} (with {@link #length()} set), {@link #OVERSIZE}, or null
   * at end of stream (a final unterminated line is still returned).
   */
  byte[] next() throws IOException {
    lineLength = 0;
    boolean skipping = false;
    long skipped = 0;
    while (true) {
      if (start >= end) {
        start = 0;
        end = Math.max(0, in.read(buf, 0, buf.length));
        if (end == 0) {
          if (skipping) {
            lastOversize = skipped;
            return OVERSIZE;
          }
          int len = trimmedLength();
          lineLength = len;
          return len > 0 ? line : null;
        }
      }
      int nl = -1;
      for (int i = start; i < end; i++) {
        if (buf[i] == '\n') {
          nl = i;
          break;
        }
      }
      int stop = nl < 0 ? end : nl;
      int n = stop - start;
      if (skipping) {
        skipped += n;
      } else if (lineLength + n > maxLine) {
        skipping = true;
        skipped = (long) lineLength + n;
        lineLength = 0;
      } else {
        append(start, n);
      }
      start = nl < 0 ? end : nl + 1;
      if (nl >= 0) {
        if (skipping) {
          lastOversize = skipped;
          return OVERSIZE;
        }
        int content = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        if (content > limit) {
          lastOversize = content;
          lineLength = 0;
          return OVERSIZE;
        }
        int len = trimmedLength();
        if (len == 0) {
          lineLength = 0;
          continue;
        }
        lineLength = len;
        return line;
      }
    }
  }

  private void append(int from, int n) {
    if (lineLength + n > maxLine) {
      throw new IllegalStateException("line over limit must have been skipped");
    }
    if (lineLength + n > line.length) {
      line = Arrays.copyOf(line, Math.min(maxLine, Math.max(line.length * 2, lineLength + n)));
    }
    System.arraycopy(buf, from, line, lineLength, n);
    lineLength += n;
  }

  /** Line length without trailing CR and surrounding blanks. */
  private int trimmedLength() {
    int len = lineLength;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t')) {
      len--;
    }
    return len;
  }
}
