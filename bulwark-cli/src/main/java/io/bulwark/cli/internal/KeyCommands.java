package io.bulwark.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.core.ModelNames;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bulwark key ...}: create, list and revoke API keys; rotate and inspect the key-encryption
 * key.
 */
@Command(
    name = "key",
    description =
        "API keys (create, list, revoke, replace) and the key-encryption key (rotate, kek,"
            + " disable).",
    subcommands = {
      KeyCommands.Create.class,
      KeyCommands.ListKeys.class,
      KeyCommands.Revoke.class,
      KeyCommands.Replace.class,
      KekCommands.Rotate.class,
      KekCommands.Status.class,
      KekCommands.Disable.class
    })
final class KeyCommands implements Callable<Integer> {
  /** Longest key name accepted; names are labels for people. */
  static final int MAX_NAME_CHARS = 128;

  /** Longest key id accepted by {@code revoke}; ids are short server-made tokens. */
  static final int MAX_ID_CHARS = 128;

  @SuppressWarnings("UnusedVariable") // picocli reads it
  @Mixin
  private HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw CliException.usage("missing subcommand: create, list, revoke, rotate, kek or disable");
  }

  @Command(
      name = "create",
      description = {
        "Create an API key. The key is printed once and cannot be shown again.",
        "Roles: admin, security-officer, publisher, approver, deployer, auditor, consumer;"
            + " what each may do is decided by the server's policy.",
        "Consumer keys call the models named with --model or in a --namespace."
      })
  static final class Create implements Callable<Integer> {
    private static final java.util.Set<String> ROLES = io.bulwark.core.OidcIssuerConfig.ROLES;

    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "A label for the key (who or what uses it).")
    @SuppressWarnings("NullAway.Init")
    private String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "A role of the key; repeat for several.")
    private List<String> roles = new ArrayList<>();

    @Option(
        names = "--model",
        paramLabel = "MODEL",
        description = "A model the key is granted; repeat for several.")
    private List<String> models = new ArrayList<>();

    @Option(
        names = "--namespace",
        paramLabel = "NAMESPACE",
        description = "A model namespace the key is granted whole; repeat for several.")
    private List<String> namespaces = new ArrayList<>();

    @Option(
        names = "--tenant",
        paramLabel = "TENANT",
        description = "The tenant the key acts in; default the creator's.")
    private @Nullable String tenant;

    @Option(
        names = "--action",
        paramLabel = "ACTION",
        description =
            "Limit the key to this action (infer, read-metadata, push, deploy, ...); repeat for"
                + " several. Default: whatever its roles allow.")
    private List<String> actions = new ArrayList<>();

    @Option(
        names = "--expires-at",
        paramLabel = "TIME",
        description = "When the key stops working, ISO-8601 (2030-01-31T12:00:00Z); default never.")
    private @Nullable String expiresAt;

    Create(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      ObjectNode body = request();
      try (ApiClient api = client.connect(console)) {
        JsonNode created = api.post(ApiClient.path("keys"), body);
        if (client.json()) {
          Json.print(console.out(), created);
          return 0;
        }
        console
            .out()
            .println(
                "Created "
                    + Output.field(created, "roles")
                    + " key '"
                    + Output.field(created, "name")
                    + "' (id "
                    + Output.field(created, "id")
                    + ", tenant "
                    + Output.field(created, "tenant")
                    + ", models "
                    + Output.field(created, "models")
                    + ", namespaces "
                    + Output.field(created, "namespaces")
                    + ", expires "
                    + expiry(Output.field(created, "expires_at"))
                    + ")");
        console.out().println();
        console.out().println("API key (shown only this once; store it now, e.g. in a 0600 file):");
        console.out().println("  " + Output.field(created, "key"));
      }
      return 0;
    }

    /** The request body, after every check that needs no server. */
    ObjectNode request() {
      String keyName = name.strip();
      if (keyName.isEmpty() || keyName.length() > MAX_NAME_CHARS) {
        throw CliException.usage("--name must be 1-" + MAX_NAME_CHARS + " characters");
      }
      if (!Terminal.safe(keyName, MAX_NAME_CHARS).equals(keyName)) {
        throw CliException.usage("--name must not contain control characters");
      }
      Set<String> normalizedRoles = new LinkedHashSet<>();
      for (String role : roles) {
        String r = role.strip().toLowerCase(Locale.ROOT);
        if (!ROLES.contains(r)) {
          throw CliException.usage(
              "--role must be one of "
                  + String.join(", ", ROLES)
                  + ", was '"
                  + Terminal.safe(role, 64)
                  + "'");
        }
        normalizedRoles.add(r);
      }
      Set<String> granted = new LinkedHashSet<>();
      for (String model : models) {
        granted.add(ModelCommands.checkName(model));
      }
      Set<String> grantedNamespaces = new LinkedHashSet<>();
      for (String ns : namespaces) {
        if (!ModelNames.isValidNamespace(ns)) {
          throw CliException.usage(
              "--namespace '" + Terminal.safe(ns, 64) + "' is not a model namespace");
        }
        grantedNamespaces.add(ns);
      }
      boolean admin = normalizedRoles.contains("admin");
      if (admin && !(granted.isEmpty() && grantedNamespaces.isEmpty())) {
        throw CliException.usage(
            "--model and --namespace do not apply to admin keys; they reach every model");
      }
      if (normalizedRoles.equals(Set.of("consumer"))
          && granted.isEmpty()
          && grantedNamespaces.isEmpty()) {
        throw CliException.usage(
            "a consumer key needs at least one --model or --namespace to call");
      }
      ObjectNode body = Json.object();
      body.put("name", keyName);
      ArrayNode roleArray = body.putArray("roles");
      normalizedRoles.forEach(roleArray::add);
      ArrayNode array = body.putArray("models");
      granted.forEach(array::add);
      ArrayNode nsArray = body.putArray("namespaces");
      grantedNamespaces.forEach(nsArray::add);
      if (tenant != null) {
        body.put("tenant", tenant.strip());
      }
      if (!actions.isEmpty()) {
        ArrayNode actionArray = body.putArray("actions");
        actions.forEach(a -> actionArray.add(a.strip()));
      }
      String expiry = expiresAt;
      if (expiry != null) {
        body.put("expires_at", parseExpiry(expiry).toString());
      }
      return body;
    }

    private Instant parseExpiry(String text) {
      Instant instant;
      try {
        instant = OffsetDateTime.parse(text.strip()).toInstant();
      } catch (DateTimeParseException e) {
        throw CliException.usage(
            "--expires-at must be an ISO-8601 time with offset, like 2030-01-31T12:00:00Z, was '"
                + Terminal.safe(text, 64)
                + "'");
      }
      if (!instant.isAfter(Instant.now())) {
        throw CliException.usage("--expires-at must be in the future");
      }
      return instant;
    }

    private static String expiry(String expiresAt) {
      return expiresAt.equals("-") ? "never" : expiresAt;
    }
  }

  @Command(name = "list", description = "List API keys (never the keys themselves).")
  static final class ListKeys implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    ListKeys(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      try (ApiClient api = client.connect(console)) {
        JsonNode response = api.get(ApiClient.path("keys"));
        if (client.json()) {
          Json.print(console.out(), response);
          return 0;
        }
        Output.fieldTable(
            console.out(),
            response.path("keys"),
            "No keys.",
            "ID",
            "id",
            "NAME",
            "name",
            "ROLES",
            "roles",
            "TENANT",
            "tenant",
            "MODELS",
            "models",
            "NAMESPACES",
            "namespaces",
            "CREATED",
            "created_at",
            "EXPIRES",
            "expires_at",
            "REVOKED",
            "revoked_at",
            "LAST USED",
            "last_used_at");
      }
      return 0;
    }
  }

  /** A key id as typed: trimmed, printable and short, else a usage error. */
  static String checkKeyId(String id) {
    String keyId = id.strip();
    if (keyId.isEmpty()
        || keyId.length() > MAX_ID_CHARS
        || !Terminal.safe(keyId, MAX_ID_CHARS).equals(keyId)) {
      throw CliException.usage("ID must be a key id as shown by 'bulwark key list'");
    }
    return keyId;
  }

  @Command(name = "revoke", description = "Revoke an API key; it stops working at once.")
  static final class Revoke implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "The key's id (see key list).")
    @SuppressWarnings("NullAway.Init")
    private String id;

    Revoke(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      String keyId = checkKeyId(id);
      try (ApiClient api = client.connect(console)) {
        JsonNode revoked = api.delete(ApiClient.path("keys", keyId));
        if (client.json()) {
          Json.print(console.out(), revoked);
        } else {
          console
              .out()
              .println(
                  "Revoked key "
                      + Output.field(revoked, "id")
                      + " at "
                      + Output.field(revoked, "revoked_at"));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "replace",
      description = {
        "Rotate an API key: issue a new key with the same name, role and models, printed once,"
            + " and let the old key work only for the overlap (default 86400 seconds; 0 revokes"
            + " it at once)."
      })
  static final class Replace implements Callable<Integer> {
    private final Console console;

    @SuppressWarnings("UnusedVariable") // picocli reads it
    @Mixin
    private HelpOption help = new HelpOption();

    @Mixin private ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "The key's id (see key list).")
    @SuppressWarnings("NullAway.Init")
    private String id;

    @Option(
        names = "--overlap",
        paramLabel = "SECONDS",
        description = "How long the old key keeps working (0 to 604800).")
    private long overlap = 86_400;

    Replace(Console console) {
      this.console = console;
    }

    @Override
    public Integer call() {
      String keyId = checkKeyId(id);
      if (overlap < 0 || overlap > 604_800) {
        throw CliException.usage("--overlap must be 0 to 604800 seconds");
      }
      try (ApiClient api = client.connect(console)) {
        JsonNode issued =
            api.post(
                ApiClient.path("keys", keyId, "rotate"),
                Json.object().put("overlap_seconds", overlap));
        if (client.json()) {
          Json.print(console.out(), issued);
        } else {
          console.out().println("New key " + Output.field(issued, "id") + " (shown only once):");
          console.out().println("  " + Output.field(issued, "key"));
          console
              .out()
              .println(
                  "Key "
                      + keyId
                      + " stops working at "
                      + Output.field(issued, "replaced_key_expires_at"));
        }
      }
      return 0;
    }
  }
}
