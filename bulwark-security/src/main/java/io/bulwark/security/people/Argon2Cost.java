package io.bulwark.security.people;

import io.bulwark.core.InvalidRequestException;

/**
 * The cost of one Argon2id evaluation. The limits bound what a stored hash can make the server do
 * (a tampered row asking for 4 GiB would otherwise be a denial of service).
 *
 * @param memoryKiB memory in KiB, {@code 8 * parallelism} to {@link #MAX_MEMORY_KIB}
 * @param iterations passes over memory, 1 to {@link #MAX_ITERATIONS}
 * @param parallelism lanes, 1 to {@link #MAX_PARALLELISM}
 */
public record Argon2Cost(int memoryKiB, int iterations, int parallelism) {
  public static final int MAX_MEMORY_KIB = 256 * 1024;
  public static final int MAX_ITERATIONS = 10;
  public static final int MAX_PARALLELISM = 16;

  /**
   * OWASP Password Storage Cheat Sheet's first Argon2id configuration: 19 MiB, 2 passes, 1 lane.
   * Chosen over the 46 MiB / 1 pass variant (equivalent strength by OWASP's reckoning) because it
   * keeps the memory of concurrent logins lower on small servers.
   */
  public static final Argon2Cost OWASP = new Argon2Cost(19 * 1024, 2, 1);

  public Argon2Cost {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new InvalidRequestException("argon2 parallelism must be 1.." + MAX_PARALLELISM);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new InvalidRequestException("argon2 iterations must be 1.." + MAX_ITERATIONS);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) {
      throw new InvalidRequestException(
          "argon2 memory must be 8*parallelism.." + MAX_MEMORY_KIB + " KiB");
    }
  }

  /** Whether this cost is below {@code other} in any dimension. */
  public boolean weakerThan(Argon2Cost other) {
    return memoryKiB < other.memoryKiB || iterations < other.iterations;
  }
}
