-- Lifecycle of a version: draft (pushed) -> approved (by someone other than the publisher)
-- -> retired (data key destroyed). Deployment requires approved.
ALTER TABLE model_versions ADD COLUMN state TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE model_versions ADD COLUMN approved_by TEXT;
ALTER TABLE model_versions ADD COLUMN approved_at TEXT;

-- Versions that were serving before approvals existed keep serving.
UPDATE model_versions SET state = 'approved', approved_by = 'migration', approved_at = created_at
  WHERE EXISTS (SELECT 1 FROM deployments d
                WHERE d.model_name = model_versions.model_name AND d.version = model_versions.version);

-- Every lifecycle transition: who, when, why. Append-only.
CREATE TABLE model_events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  time        TEXT NOT NULL,
  model_name  TEXT NOT NULL,
  version     TEXT,
  action      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  reason      TEXT
);
CREATE INDEX model_events_by_model ON model_events(model_name, seq);

-- The order in which versions were deployed, for rollback.
CREATE TABLE deployment_history (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  model_name   TEXT NOT NULL,
  version      TEXT NOT NULL,
  deployed_at  TEXT NOT NULL,
  deployed_by  TEXT NOT NULL
);
