package io.bulwark.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code bulwark --version}, written into a resource by the build. */
final class VersionInfo implements IVersionProvider {
  private static final String VERSION = load();

  static String version() {
    return VERSION;
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "bulwark " + VERSION,
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")"
    };
  }

  private static String load() {
    Properties properties = new Properties();
    try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the version resource of the CLI is unreadable", e);
    }
    String version = properties.getProperty("version", "");
    // An unfiltered resource (an IDE build) still says ${project.version}.
    return version.isBlank() || version.startsWith("${") ? "development" : version;
  }
}
