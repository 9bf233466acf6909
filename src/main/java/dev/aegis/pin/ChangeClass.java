package dev.aegis.pin;

import java.util.Locale;

/**
 * How much one change to a tool definition matters to the clients that pinned it, lowest first. A diff's overall
 * classification is the highest class among its changes.
 *
 * <p>{@link #DESCRIPTION_CHANGED_SUSPICIOUS} ranks above {@link #BREAKING} on purpose: a rug pull rewrites the
 * description and usually also adds an optional parameter to carry the stolen data out, so if the order were by
 * schema impact the whole change would be filed as merely 'compatible' (or 'capability_widening'), which is exactly
 * what the attacker wants. New suspicious text is the finding a reviewer must see first, whatever else changed.
 *
 * <pre>{@code
 * ChangeClass worst = ChangeClass.parse("compatible").max(ChangeClass.BREAKING);  // BREAKING
 * boolean gate = worst.failsGate();                                               // true
 * }</pre>
 */
public enum ChangeClass {
  NONE("none"),
  DESCRIPTION_CHANGED_BENIGN("description_changed_benign"),
  COMPATIBLE("compatible"),
  CAPABILITY_WIDENING("capability_widening"),
  BREAKING("breaking"),
  DESCRIPTION_CHANGED_SUSPICIOUS("description_changed_suspicious");

  private final String wire;

  ChangeClass(String wire) {
    this.wire = wire;
  }

  /** The lower-case name used in JSON, text output and the labelled data. */
  public String wire() {
    return wire;
  }

  /** The higher of the two. */
  public ChangeClass max(ChangeClass other) {
    return other.compareTo(this) > 0 ? other : this;
  }

  /**
   * Whether a CI gate should stop on this class: breaking, capability widening and suspicious text need a person;
   * benign text edits and compatible changes do not.
   */
  public boolean failsGate() {
    return this == BREAKING || this == CAPABILITY_WIDENING || this == DESCRIPTION_CHANGED_SUSPICIOUS;
  }

  /** Parses a {@link #wire()} name (any case, surrounding blanks ignored). */
  public static ChangeClass parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (ChangeClass c : values()) {
      if (c.wire.equals(t)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown change class '" + text + "' (use none, description_changed_benign,"
        + " compatible, capability_widening, breaking or description_changed_suspicious)");
  }
}
