package io.bulwark.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Where and when the figures were measured. */
record Machine(int cores, String cpu, String jdk, Instant date) {

  static Machine current() {
    String cpu = "unknown";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).strip())
              .findFirst()
              .orElse(cpu);
    } catch (IOException e) {
      // Not Linux: the model stays unknown; the figures are still worth having.
    }
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        cpu,
        System.getProperty("java.vm.name") + " " + Runtime.version(),
        Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The 1-minute load average from /proc, or "unknown": other work on the machine competes with the
   * server and the load generator, and the figures should say so.
   */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ", 2)[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Resident set size of this process in MiB, from /proc; 0 where there is no /proc. */
  static long rssMiB() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
              .filter(l -> l.startsWith("VmRSS:"))
              .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
              .findFirst()
              .orElse(0)
          / 1024;
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * The heap that was still in use after the most recent collection of each pool: the live set,
   * which unlike the heap in use does not rise and fall with allocation between collections.
   */
  static long liveHeapMiB() {
    long bytes = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterCollection = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterCollection != null) {
        bytes += afterCollection.getUsed();
      }
    }
    return bytes >> 20;
  }
}
