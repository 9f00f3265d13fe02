-- Supply chain: what was known about a version when it was admitted.
-- card: the model card (JSON) validated at push; NULL for versions pushed before cards existed.
-- signature: the OMS bundle as pushed, verified again on every load; NULL if unsigned.
-- signer: who signed it, as verified at push; NULL if unsigned.
-- scan_verdict: the admission scan's verdict.
ALTER TABLE model_versions ADD COLUMN card TEXT;
ALTER TABLE model_versions ADD COLUMN signature BLOB;
ALTER TABLE model_versions ADD COLUMN signer TEXT;
ALTER TABLE model_versions ADD COLUMN scan_verdict TEXT NOT NULL DEFAULT 'safe';

-- A canary: a second version serving a share of callers (sticky per caller) beside the deployed one.
ALTER TABLE deployments ADD COLUMN canary_version TEXT;
ALTER TABLE deployments ADD COLUMN canary_percent INTEGER;
ALTER TABLE deployments ADD COLUMN canary_since TEXT;
ALTER TABLE deployments ADD COLUMN canary_by TEXT;
