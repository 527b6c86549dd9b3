-- Experiments: the document as submitted (YAML, JSON or a Chaos Mesh manifest) and its normalized
-- faultline.dev/v1 form. Names are unique per organization; versions give ETags.
create table experiments (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    team_id         uuid references teams (id) on delete set null,
    name            text not null,
    source_format   text not null check (source_format in ('faultline', 'chaos-mesh')),
    source_text     text not null,
    spec            jsonb not null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1,
    unique (organization_id, name)
);
create index experiments_org on experiments (organization_id, id);
