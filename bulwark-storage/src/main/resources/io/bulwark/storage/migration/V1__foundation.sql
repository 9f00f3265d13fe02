-- Models and their immutable, sealed versions.
CREATE TABLE models (
  name        TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL
);

CREATE TABLE model_versions (
  model_name   TEXT NOT NULL REFERENCES models(name),
  version      TEXT NOT NULL,
  format       TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  size_bytes   INTEGER NOT NULL,
  blob         TEXT NOT NULL UNIQUE,
  kek_id       TEXT NOT NULL,
  wrapped_key  BLOB NOT NULL,
  metadata     TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  PRIMARY KEY (model_name, version)
);

-- At most one deployed version per model.
CREATE TABLE deployments (
  model_name   TEXT PRIMARY KEY REFERENCES models(name),
  version      TEXT NOT NULL,
  deployed_at  TEXT NOT NULL,
  deployed_by  TEXT NOT NULL,
  FOREIGN KEY (model_name, version) REFERENCES model_versions(model_name, version)
);

-- API keys are stored only as keyed hashes (HMAC-SHA256 under a server secret).
CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL,
  key_hash      BLOB NOT NULL,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  expires_at    TEXT,
  revoked_at    TEXT,
  last_used_at  TEXT
);

CREATE TABLE api_key_grants (
  key_id      TEXT NOT NULL REFERENCES api_keys(id),
  model_name  TEXT NOT NULL,
  PRIMARY KEY (key_id, model_name)
);
