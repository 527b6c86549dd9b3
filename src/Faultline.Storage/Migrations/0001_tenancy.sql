-- Tenancy: organizations -> teams -> members, API keys, and the append-only audit log.
-- Every tenant-owned row carries organization_id and every query filters on it.

create table organizations (
    id          uuid primary key,
    name        text not null,
    slug        text not null unique,
    is_operator boolean not null default false,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    version     integer not null default 1
);

-- At most one operator organization: the one created at first start, whose owners create tenants.
create unique index organizations_single_operator on organizations (is_operator) where is_operator;

create table teams (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    name            text not null,
    description     text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1,
    unique (organization_id, name)
);

create table members (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    team_id         uuid not null references teams (id) on delete cascade,
    email           text not null,
    display_name    text,
    role            text not null check (role in ('viewer', 'operator', 'admin')),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    version         integer not null default 1,
    unique (team_id, email)
);
create index members_org on members (organization_id, team_id, id);

create table api_keys (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    team_id         uuid references teams (id) on delete cascade,
    name            text not null,
    role            text not null check (role in ('viewer', 'operator', 'admin', 'owner')),
    lookup          text not null unique,
    token_hash      bytea not null,
    created_by      uuid,
    created_at      timestamptz not null default now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    check (role <> 'owner' or team_id is null)
);
create index api_keys_org on api_keys (organization_id, id);

create table audit_events (
    id              bigint generated always as identity primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    occurred_at     timestamptz not null default now(),
    actor_key_id    uuid,
    actor_name      text not null,
    action          text not null,
    resource_type   text not null,
    resource_id     text not null,
    summary         jsonb not null default '{}'::jsonb,
    request_id      text,
    source_address  text
);
create index audit_events_org on audit_events (organization_id, id desc);

-- Append-only: the audit log is evidence, so no role the application uses may rewrite it.
create function audit_events_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;
create trigger audit_events_no_update before update or delete on audit_events
    for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only();

-- Idempotency-Key replay store: the first response to a (key, idempotency key) pair is kept and
-- replayed; a different request body under the same key is a conflict.
create table idempotency_records (
    organization_id uuid not null references organizations (id) on delete cascade,
    api_key_id      uuid not null,
    idempotency_key text not null,
    request_hash    bytea not null,
    method          text not null,
    path            text not null,
    status_code     integer,
    response_body   bytea,
    response_type   text,
    location        text,
    created_at      timestamptz not null default now(),
    primary key (api_key_id, idempotency_key)
);
create index idempotency_records_age on idempotency_records (created_at);
