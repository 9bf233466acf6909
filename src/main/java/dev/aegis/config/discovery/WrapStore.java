package dev.aegis.config.discovery;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a {@link WrapPlan} and undoes it. Before a file is rewritten, its exact bytes are copied to
 * {@code $AEGIS_HOME/backups/<client>/<time>/}, and {@code backups/<client>/manifest.json} records the file, its
 * backup and the SHA-256 of what wrap wrote. Unwrap puts the backup back byte for byte, but only while the file still
 * has that hash: a file edited since is never overwritten.
 *
 * <pre>{@code
 * WrapStore store = new WrapStore(aegisHome, Clock.systemUTC());
 * store.apply(plan);
 * WrapStore.Unwrapped u = store.unwrap(Client.CURSOR);   // u.refusal() == null: restored
 * }</pre>
 */
public final class WrapStore {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

  private final Path home;
  private final Clock clock;

  public WrapStore(Path aegisHome, Clock clock) {
    this.home = aegisHome.toAbsolutePath().normalize();
    this.clock = clock;
  }

  /** The folder of one client's backups and its manifest. */
  public Path backups(Client client) {
    return home.resolve("backups").resolve(client.id());
  }

  /**
   * Backs up each file, writes the generated configurations, then the new files. Throws {@link IOException} before
   * changing anything if a file changed since the plan was made.
   */
  public void apply(WrapPlan plan) throws IOException {
    for (WrapPlan.FileChange c : plan.changes()) {
      if (!Arrays.equals(Files.readAllBytes(c.file().path()), c.file().bytes())) {
        throw new IOException(c.file().path() + " changed while the wrap was being prepared; run wrap again");
      }
    }
    String stamp = STAMP.format(clock.instant());
    Path dir = backups(plan.client()).resolve(stamp);
    for (int n = 2; Files.exists(dir); n++) {
      dir = backups(plan.client()).resolve(stamp + "-" + n);
    }
    privateDirs(dir);
    ArrayNode files = JsonNodeFactory.instance.arrayNode();
    int i = 0;
    for (WrapPlan.FileChange c : plan.changes()) {
      Path backup = dir.resolve((++i) + "-" + c.file().path().getFileName());
      Files.copy(c.file().path(), backup, StandardCopyOption.COPY_ATTRIBUTES);
      ownerOnly(backup);
      ObjectNode f = files.addObject();
      f.put("path", c.file().path().toAbsolutePath().toString());
      f.put("backup", backup.toString());
      f.put("sha256", WrapPlan.sha256(c.after()));
    }
    for (WrapPlan.Generated g : plan.generated()) {
      privateDirs(g.path().getParent());
      Files.writeString(g.path(), g.content());
      ownerOnly(g.path());
    }
    ObjectNode manifest = manifest(plan.client());
    ObjectNode record = ((ArrayNode) manifest.get("wraps")).addObject();
    record.put("time", clock.instant().toString());
    record.set("files", files);
    writeManifest(plan.client(), manifest);
    for (WrapPlan.FileChange c : plan.changes()) {
      replace(c.file().path(), c.after());
    }
  }

  /** What unwrap did: the files restored, or why it refused (then nothing was changed). */
  public record Unwrapped(List<Path> restored, String refusal) {
    public Unwrapped {
      restored = List.copyOf(restored);
    }
  }

  /**
   * Restores the files of the latest wrap, and of earlier ones while each file is still exactly what that wrap
   * wrote. Refuses, changing nothing, if a file was edited since the latest wrap or there is nothing to undo.
   */
  public Unwrapped unwrap(Client client) throws IOException {
    List<Path> restored = new ArrayList<>();
    ObjectNode manifest = manifest(client);
    ArrayNode wraps = (ArrayNode) manifest.get("wraps");
    while (!wraps.isEmpty()) {
      JsonNode last = wraps.get(wraps.size() - 1);
      String edited = null;
      for (JsonNode f : last.path("files")) {
        Path path = Path.of(f.path("path").asString());
        if (!Files.isRegularFile(path)) {
          edited = path + " is gone";
        } else if (!WrapPlan.sha256(Files.readAllBytes(path)).equals(f.path("sha256").asString())) {
          edited = path + " was changed after `aegis wrap` (at " + last.path("time").asString() + ")";
        }
        if (edited == null && !Files.isRegularFile(Path.of(f.path("backup").asString()))) {
          edited = "the backup " + f.path("backup").asString() + " is missing";
        }
      }
      if (edited != null) {
        if (!restored.isEmpty()) {
          break; // the earlier wrap's state was restored; an older, edited one is not ours to undo
        }
        return new Unwrapped(List.of(), edited + "; refusing to overwrite it. Undo your edits, or restore by hand"
            + " from the backups in " + backups(client));
      }
      for (JsonNode f : last.path("files")) {
        Path path = Path.of(f.path("path").asString());
        replace(path, Files.readAllBytes(Path.of(f.path("backup").asString())));
        if (!restored.contains(path)) {
          restored.add(path);
        }
      }
      wraps.remove(wraps.size() - 1);
      writeManifest(client, manifest);
    }
    if (restored.isEmpty()) {
      return new Unwrapped(List.of(), "nothing to unwrap: no wrap of " + client.displayName() + " is recorded in "
          + backups(client).resolve("manifest.json"));
    }
    return new Unwrapped(restored, null);
  }

  private ObjectNode manifest(Client client) throws IOException {
    Path file = backups(client).resolve("manifest.json");
    if (Files.isRegularFile(file)) {
      JsonNode node = JsoncDocument.MAPPER.readTree(Files.readAllBytes(file));
      if (node instanceof ObjectNode o && o.get("wraps") instanceof ArrayNode) {
        return o;
      }
      throw new IOException(file + " is not a wrap manifest");
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.putArray("wraps");
    return o;
  }

  private void writeManifest(Client client, ObjectNode manifest) throws IOException {
    privateDirs(backups(client));
    replace(backups(client).resolve("manifest.json"),
        JsoncDocument.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
  }

  /** Writes the bytes beside the file and moves them over it, so a crash leaves the old file or the new one. */
  static void replace(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".aegis-tmp");
    Files.write(tmp, bytes);
    try {
      if (Files.exists(file)) {
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the new file gets the folder's defaults
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (FileSystemException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  private static void privateDirs(Path dir) throws IOException {
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, OWNER_DIR);
    } catch (UnsupportedOperationException e) {
      // Windows: the user's profile folder is private already
    }
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (UnsupportedOperationException e) {
      // Windows: see privateDirs
    }
  }
}
