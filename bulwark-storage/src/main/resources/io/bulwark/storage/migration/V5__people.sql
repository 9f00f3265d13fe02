-- People who log in to the dashboard. Passwords are Argon2id PHC strings; the TOTP secret is
-- sealed (AEAD under the key-encryption key, bound to the account id), never stored in clear.
CREATE TABLE people_accounts (
  id                   TEXT PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE,
  tenant               TEXT NOT NULL,
  password_hash        TEXT,
  password_changed_at  TEXT,
  totp_sealed          BLOB,
  totp_confirmed_at    TEXT,
  -- The last TOTP time step accepted; a code for this step or an earlier one is a replay.
  totp_last_step       INTEGER NOT NULL DEFAULT -1,
  created_at           TEXT NOT NULL,
  created_by           TEXT NOT NULL,
  disabled_at          TEXT
);

CREATE TABLE people_account_roles (
  account_id  TEXT NOT NULL REFERENCES people_accounts(id),
  role        TEXT NOT NULL,
  PRIMARY KEY (account_id, role)
);

-- Dashboard sessions. Only a keyed hash (HMAC-SHA256 under a server secret) of the token is kept.
CREATE TABLE people_sessions (
  id              TEXT PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES people_accounts(id),
  token_hash      BLOB NOT NULL UNIQUE,
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  last_seen_at    TEXT NOT NULL,
  revoked_at      TEXT,
  client_address  TEXT NOT NULL
);
CREATE INDEX people_sessions_by_account ON people_sessions(account_id);
CREATE INDEX people_sessions_by_expiry ON people_sessions(expires_at);
