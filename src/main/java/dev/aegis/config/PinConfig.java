package dev.aegis.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code pin:} section: how the gateway holds tool, prompt and resource template definitions to a lockfile.
 *
 * <pre>{@code
 * pin:
 *   mode: strict                # off | tofu (default) | hold | strict
 *   lockfile: ./aegis.lock      # default: $AEGIS_HOME/aegis.lock
 *   require: {github: "^1.2"}   # serverInfo.version must match, or the server is refused
 *   trust: {github: [keys/github.pub]}      # publisher keys (PEM file or base64) per server
 *   signatures: {github: github.jws}        # a detached manifest signature per server
 *   unsigned: allow             # allow | hold | refuse: a server without a valid signature
 *   badSignature: refuse        # hold | refuse: a signature that does not verify
 * }</pre>
 *
 * @param mode off: no pinning; tofu: a server seen for the first time is pinned as it is, later changes are held;
 *     hold: a new server's definitions are held until approved; strict: a server missing from the lockfile is refused
 * @param lockfile the lockfile, or null for {@code $AEGIS_HOME/aegis.lock}
 * @param require server name → version range its {@code serverInfo.version} must satisfy
 * @param trust server name → publisher public keys (file paths, resolved against the config file, or base64)
 * @param signatures server name → file holding the server's signed manifest (JWS)
 * @param unsigned what happens to a server with no signature: allow, hold or refuse
 * @param badSignature what happens to a signature that fails: hold or refuse
 */
public record PinConfig(String mode, Path lockfile, Map<String, String> require, Map<String, List<String>> trust,
    Map<String, Path> signatures, String unsigned, String badSignature) {
  public static final Set<String> MODES = Set.of("off", "tofu", "hold", "strict");
  public static final Set<String> UNSIGNED = Set.of("allow", "hold", "refuse");
  public static final Set<String> BAD_SIGNATURE = Set.of("hold", "refuse");
  public static final PinConfig DEFAULT = new PinConfig("tofu", null, Map.of(), Map.of(), Map.of(), "allow", "refuse");

  public PinConfig {
    require = Map.copyOf(require);
    trust = Map.copyOf(trust);
    signatures = Map.copyOf(signatures);
    if (!MODES.contains(mode) || !UNSIGNED.contains(unsigned) || !BAD_SIGNATURE.contains(badSignature)) {
      throw new IllegalArgumentException("invalid pin settings");
    }
  }

  /** The same settings with another mode. */
  public PinConfig withMode(String m) {
    return new PinConfig(m, lockfile, require, trust, signatures, unsigned, badSignature);
  }

  /** The same settings with another lockfile. */
  public PinConfig withLockfile(Path file) {
    return new PinConfig(mode, file, require, trust, signatures, unsigned, badSignature);
  }
}
