package io.bulwark.scanning;

/**
 * One reason a file is unsafe.
 *
 * @param file the file's path relative to the scanned package ({@code "."} for a single file)
 * @param rule a stable identifier of the rule, for example {@code pickle.disallowed-global}
 * @param detail a short, printable explanation naming what was found (never file contents)
 */
public record Finding(String file, String rule, String detail) {}
