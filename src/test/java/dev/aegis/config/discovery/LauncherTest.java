package dev.aegis.config.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LauncherTest {
  @Test
  void fromABuildsClassesItRunsJavaWithAnAbsoluteClassPath() {
    Launcher l = Launcher.detect(LauncherTest.class, Platform.Os.LINUX);
    assertThat(l.leadingArgs()).hasSize(3).endsWith("dev.aegis.cli.Main");
    assertThat(l.leadingArgs().get(1).split(java.io.File.pathSeparator))
        .allSatisfy(e -> assertThat(Path.of(e).isAbsolute()).isTrue());
  }

  @Test
  void theCommandLineIsTheCommandThenTheLeadingArgsThenTheGatewayArgs() {
    Launcher l = new Launcher("/usr/bin/java", List.of("-jar", "/opt/aegis/aegis.jar"));
    assertThat(l.commandLine(List.of("gateway", "--config", "x.yaml")))
        .containsExactly("/usr/bin/java", "-jar", "/opt/aegis/aegis.jar", "gateway", "--config", "x.yaml");
  }
}
