package io.bulwark.core;

/**
 * A named resource does not exist, or the caller may not know that it exists. Both cases must
 * produce this same exception so that no response reveals the difference.
 */
public final class NotFoundException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private final String kind;
  private final String id;

  public NotFoundException(String kind, String id) {
    super(kind + " '" + Strings.printable(id) + "' not found");
    this.kind = kind;
    this.id = id;
  }

  public String kind() {
    return kind;
  }

  public String id() {
    return id;
  }
}
