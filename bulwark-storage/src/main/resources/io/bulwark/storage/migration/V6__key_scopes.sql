-- API keys carry a tenant, an optional limit on their actions, and grants of whole namespaces.
-- api_keys.role now holds a comma-separated list of role names.
ALTER TABLE api_keys ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
ALTER TABLE api_keys ADD COLUMN actions TEXT NOT NULL DEFAULT '';

CREATE TABLE api_key_namespace_grants (
  key_id     TEXT NOT NULL REFERENCES api_keys(id),
  namespace  TEXT NOT NULL,
  PRIMARY KEY (key_id, namespace)
);
