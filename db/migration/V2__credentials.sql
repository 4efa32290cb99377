-- Credentials: API tokens for people and CI (viewer, operator, admin) and enrollment tokens for new
-- agents; each agent gets its own secret at enrollment. Only SHA-256 hashes of secrets are stored.

CREATE TABLE api_tokens (
    id            bigserial PRIMARY KEY,
    name          text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin', 'enrollment')),
    secret_hash   text        NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);

ALTER TABLE agents ADD COLUMN secret_hash text UNIQUE;
ALTER TABLE agents ADD COLUMN revoked_at timestamptz;
