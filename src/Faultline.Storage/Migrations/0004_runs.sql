-- Runs and everything a run leaves behind: its timeline, the faults it intended and applied, the team
-- policies and halt switches that bound it, and the next firing of scheduled experiments.

-- A second person may be required to approve runs: an API key marked approver acts for one.
alter table api_keys add column approver boolean not null default false;

-- Schedules: the cron text and concurrency policy copied from the spec, and when the experiment fires next
-- (database clock). A null next_fire_at on a scheduled experiment means "not yet computed": a node fills it in.
alter table experiments add column schedule_cron text;
alter table experiments add column schedule_concurrency text check (schedule_concurrency in ('forbid', 'allow', 'replace'));
alter table experiments add column next_fire_at timestamptz;
alter table experiments add column skipped_firings integer not null default 0;
create index experiments_scheduled on experiments (next_fire_at) where schedule_cron is not null;

create table team_policies (
    team_id         uuid primary key references teams (id) on delete cascade,
    organization_id uuid not null references organizations (id) on delete cascade,
    policy          jsonb not null,
    version         integer not null default 1,
    updated_at      timestamptz not null default now()
);

-- A halt stops every run in its scope (rolled back) and refuses new ones until it is released.
create table halt_switches (
    id              uuid primary key,
    scope           text not null check (scope in ('global', 'organization', 'team')),
    organization_id uuid references organizations (id) on delete cascade,
    team_id         uuid references teams (id) on delete cascade,
    reason          text not null,
    created_by      text not null,
    created_at      timestamptz not null default now(),
    released_at     timestamptz,
    released_by     text,
    check ((scope = 'global') = (organization_id is null)),
    check ((scope = 'team') = (team_id is not null))
);
create index halt_switches_active on halt_switches (organization_id) where released_at is null;

-- The spec is copied into the run: editing the experiment later never changes what a run did.
-- Every write by the node driving the run is fenced by the run's lease (leases kind 'run', key id).
create table runs (
    id                  uuid primary key,
    organization_id     uuid not null references organizations (id) on delete cascade,
    team_id             uuid references teams (id) on delete set null,
    team_name           text,
    experiment_id       uuid references experiments (id) on delete set null,
    experiment_name     text not null,
    spec                jsonb not null,
    trigger             text not null check (trigger in ('manual', 'schedule')),
    requested_by        text not null,
    requested_key_id    uuid,
    approval_required   boolean not null default false,
    approved_by         text,
    approved_at         timestamptz,
    state               text not null default 'pending',
    verdict             text check (verdict in ('passed', 'failed', 'aborted', 'error')),
    verdict_reason      text,
    abort_cause         text,
    abort_requested_at  timestamptz,
    abort_request_cause text,
    abort_reason        text,
    owner_node          uuid,
    activations         integer not null default 0,
    evidence            jsonb,
    created_at          timestamptz not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    check ((state = 'completed') = (verdict is not null))
);
create index runs_org on runs (organization_id, id);
create index runs_open on runs (created_at) where state <> 'completed';
create index runs_experiment_open on runs (experiment_id) where state <> 'completed';

-- The timeline: ids grow with time, so a Server-Sent Events client resumes after its Last-Event-ID.
create table run_events (
    id      bigint generated always as identity primary key,
    run_id  uuid not null references runs (id) on delete cascade,
    at      timestamptz not null default now(),
    type    text not null,
    message text not null,
    data    jsonb not null default '{}'
);
create index run_events_run on run_events (run_id, id);

-- One row per (fault action, target): written as 'intended' before the injector is called, so whoever
-- owns the run next reconciles every row that is not 'removed'.
create table faults (
    id                text primary key,
    run_id            uuid not null references runs (id) on delete cascade,
    organization_id   uuid not null references organizations (id) on delete cascade,
    step_path         text not null,
    injector          text not null,
    target_kind       text not null,
    target_id         text not null,
    target            jsonb not null,
    parameters        jsonb not null,
    claims            text[] not null,
    state             text not null check (state in ('intended', 'active', 'removing', 'removed', 'failed')),
    handle            jsonb,
    expires_at        timestamptz not null,
    created_at        timestamptz not null default now(),
    injected_at       timestamptz,
    verified_evidence text,
    removed_at        timestamptz,
    removal_evidence  text,
    error             text
);
create index faults_run on faults (run_id);
create index faults_open_target on faults (target_kind, target_id) where state <> 'removed';
