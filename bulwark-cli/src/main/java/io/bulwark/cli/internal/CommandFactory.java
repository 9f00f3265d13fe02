package io.bulwark.cli.internal;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * Creates commands with the {@link Console} of this run, so that commands never reach for {@code
 * System.out} or the process environment; everything else is created as picocli would.
 */
final class CommandFactory implements CommandLine.IFactory {
  private final Console console;

  CommandFactory(Console console) {
    this.console = console;
  }

  @Override
  public <K> K create(Class<K> type) throws Exception {
    Constructor<K> withConsole;
    try {
      withConsole = type.getDeclaredConstructor(Console.class);
    } catch (NoSuchMethodException e) {
      return CommandLine.defaultFactory().create(type);
    }
    return withConsole.newInstance(console);
  }
}
