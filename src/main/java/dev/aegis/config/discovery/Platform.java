package dev.aegis.config.discovery;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a user's configuration lives: the operating system, the home directory and the per-user application-data
 * folders derived from it. Injected, so discovery runs on fixture trees.
 *
 * <pre>{@code
 * Platform p = Platform.of(Platform.Os.MACOS, Path.of("/tmp/fake-home"));
 * p.appConfig();   // /tmp/fake-home/Library/Application Support
 * }</pre>
 *
 * @param appData Windows' {@code %APPDATA%} (Roaming)
 * @param xdgConfig Linux's {@code $XDG_CONFIG_HOME}
 */
public record Platform(Os os, Path home, Path appData, Path xdgConfig) {
  /** The three operating systems whose layouts we know. */
  public enum Os { LINUX, MACOS, WINDOWS }

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(home, "home");
    Objects.requireNonNull(appData, "appData");
    Objects.requireNonNull(xdgConfig, "xdgConfig");
  }

  /** A platform with the default folders under {@code home}. */
  public static Platform of(Os os, Path home) {
    return new Platform(os, home, home.resolve("AppData").resolve("Roaming"), home.resolve(".config"));
  }

  /** This machine: {@code os.name}, {@code user.home}, {@code APPDATA}, {@code XDG_CONFIG_HOME}. */
  public static Platform current() {
    String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    Os os = name.startsWith("windows") ? Os.WINDOWS : name.startsWith("mac") ? Os.MACOS : Os.LINUX;
    Platform dflt = of(os, Path.of(System.getProperty("user.home")));
    String appData = System.getenv("APPDATA");
    String xdg = System.getenv("XDG_CONFIG_HOME");
    return new Platform(os, dflt.home(),
        appData == null || appData.isBlank() ? dflt.appData() : Path.of(appData),
        xdg == null || xdg.isBlank() ? dflt.xdgConfig() : Path.of(xdg));
  }

  /** The per-user application configuration folder: Application Support, %APPDATA% or $XDG_CONFIG_HOME. */
  public Path appConfig() {
    return switch (os) {
      case MACOS -> home.resolve("Library").resolve("Application Support");
      case WINDOWS -> appData;
      case LINUX -> xdgConfig;
    };
  }
}
