package io.bulwark.scanning;

/** The outcome of a scan. */
public enum Verdict {
  /** Every file was recognised and no rule fired. */
  SAFE,
  /** At least one finding, or something could not be recognised or parsed. */
  UNSAFE
}
