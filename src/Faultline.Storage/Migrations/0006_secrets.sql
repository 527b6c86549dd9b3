-- Team secrets (API keys, tokens) for probes and guardrails, encrypted at rest with AES-256-GCM.
-- ciphertext holds the encrypted value followed by its 16-byte tag; nonce is random per write; the associated
-- data binds each row to its organization, team and name, so a row copied elsewhere does not decrypt.
-- key_id names the master key that sealed the row (a fingerprint of it), so keys can be rotated later:
-- decrypt with the key the row names, re-encrypt with the new one.
create table secrets (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    team_id         uuid not null references teams (id) on delete cascade,
    name            text not null check (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    ciphertext      bytea not null check (length(ciphertext) >= 17),
    nonce           bytea not null check (length(nonce) = 12),
    key_id          text not null,
    created_at      timestamptz not null default now(),
    created_by      text not null,
    updated_at      timestamptz not null default now(),
    updated_by      text not null,
    version         integer not null default 1,
    unique (team_id, name)
);
create index secrets_org_team on secrets (organization_id, team_id, id);
