package dev.aegis.sandbox.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

class SnapshotConfigTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path BASE = Path.of("/etc/aegis");

  @Test
  void readsEverySettingAndResolvesPathsAgainstTheConfigDirectory() {
    SnapshotConfig c = SnapshotConfig.parse(YAML.readTree("""
        dir: state
        calls: all
        keep: 7
        maxFiles: 300
        maxBytes: 16MiB
        onLimit: skip
        rollbackOnBlock: false
        exclude: [.git, build/]
        workspaces:
          fs: [./project, /srv/data]
          one: single
        """), BASE);
    assertThat(c.dir()).isEqualTo(Path.of("/etc/aegis/state"));
    assertThat(c.allCalls()).isTrue();
    assertThat(c.keep()).isEqualTo(7);
    assertThat(c.maxFiles()).isEqualTo(300);
    assertThat(c.maxBytes()).isEqualTo(16L << 20);
    assertThat(c.skipOnLimit()).isTrue();
    assertThat(c.rollbackOnBlock()).isFalse();
    assertThat(c.exclude()).containsExactly(".git", "build");
    assertThat(c.workspaces().get("fs")).containsExactly(Path.of("/etc/aegis/project"), Path.of("/srv/data"));
    assertThat(c.workspaces().get("one")).containsExactly(Path.of("/etc/aegis/single"));
  }

  @Test
  void defaultsWhenLeftOut() {
    SnapshotConfig c = SnapshotConfig.parse(YAML.readTree("workspaces: {fs: [/w]}"), BASE);
    assertThat(c.allCalls()).isFalse();
    assertThat(c.skipOnLimit()).isFalse();
    assertThat(c.rollbackOnBlock()).isTrue();
    assertThat(c.dir()).isNull();
    assertThat(SnapshotConfig.parse(null, BASE).workspaces()).isEmpty();
  }

  @Test
  void reportsEveryErrorAtOnce() {
    assertThatThrownBy(() -> SnapshotConfig.parse(YAML.readTree("""
        calls: some
        keep: 0
        maxBytes: lots
        onLimit: maybe
        exclude: [../up]
        workspaces: {fs: 3}
        typo: 1
        """), BASE)).isInstanceOf(IllegalArgumentException.class).hasMessage(String.join("\n", List.of(
        "snapshots.typo: unknown setting (known: calls, dir, exclude, keep, maxBytes, maxFiles, onLimit,"
            + " rollbackOnBlock, workspaces)",
        "snapshots.calls: must be writes or all, was 'some'",
        "snapshots.onLimit: must be refuse or skip, was 'maybe'",
        "snapshots.keep: must be a whole number from 1 to 100000, was 0",
        "snapshots.maxBytes: must be a byte count such as 1048576 or 512MiB, was \"lots\"",
        "snapshots.exclude: '../up' must be a relative path inside the workspace",
        "snapshots.workspaces.fs: must be a list")));
  }
}
