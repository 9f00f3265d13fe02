-- Authorisation policy (Cedar), one row per version. Rows are only ever inserted: a change is a new
-- version (max + 1), so the full history, who changed it and why, stays readable.
-- version 1 is the built-in default set, stored on first start.
CREATE TABLE policy_versions (
  version     INTEGER PRIMARY KEY,
  text        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  created_by  TEXT NOT NULL,
  comment     TEXT NOT NULL
);
