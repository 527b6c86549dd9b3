-- Agents on target hosts: the tokens they authenticate with, the agents as they last introduced themselves,
-- and the commands the engine sends them. Commands go through this table (not through a node's memory), so the
-- node that sends a command and the node the agent polls need not be the same.

-- An agent token: fla_<lookup>_<secret>; only the SHA-256 of the whole token is stored. A team-bound token
-- registers agents of that team.
create table agent_tokens (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    team_id         uuid references teams (id) on delete cascade,
    name            text not null,
    lookup          text not null unique,
    secret_hash     bytea not null,
    created_at      timestamptz not null default now(),
    created_by      text not null,
    revoked_at      timestamptz,
    revoked_by      text,
    last_used_at    timestamptz
);
create index agent_tokens_org on agent_tokens (organization_id, id);

-- One row per agent name in an organization, rewritten by each hello. session_id changes with every hello, so a
-- poll of an older session is refused and that agent introduces itself again. Connected = last_poll_at within grace.
create table agents (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    team_id         uuid references teams (id) on delete cascade,
    token_id        uuid not null references agent_tokens (id) on delete cascade,
    name            text not null,
    hostname        text not null,
    version         text not null,
    injectors       jsonb not null default '[]',
    targets         jsonb not null default '[]',
    session_id      uuid not null unique,
    connected_node  text,
    last_poll_at    timestamptz not null default now(),
    created_at      timestamptz not null default now(),
    unique (organization_id, name)
);
create index agents_org on agents (organization_id, id);

-- queued -> taken (by a poll) -> done (its result arrived); a queued command nobody took before the sender
-- gave up is withdrawn, so it can never run after the engine stopped waiting for it.
create table agent_commands (
    id              uuid primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    agent_id        uuid not null references agents (id) on delete cascade,
    run_id          uuid references runs (id) on delete set null,
    fault_id        text,
    kind            text not null,
    payload         jsonb not null,
    state           text not null default 'queued' check (state in ('queued', 'taken', 'done', 'withdrawn')),
    result          jsonb,
    created_at      timestamptz not null default now(),
    taken_at        timestamptz,
    done_at         timestamptz,
    check ((state = 'done') = (result is not null))
);
create index agent_commands_queued on agent_commands (agent_id, created_at) where state = 'queued';
create index agent_commands_run on agent_commands (run_id) where run_id is not null;

-- A fault an agent removed on its own (grace or hard expiry passed), with its evidence. The faults row and the
-- run's timeline are written only by the run's owner under its lease; the owner reads these and records them.
create table agent_self_removals (
    fault_id        text primary key,
    organization_id uuid not null references organizations (id) on delete cascade,
    run_id          uuid not null references runs (id) on delete cascade,
    agent_id        uuid not null references agents (id) on delete cascade,
    reason          text not null,
    evidence        text not null,
    removed_at      timestamptz not null,
    reported_at     timestamptz not null default now(),
    recorded_at     timestamptz
);
create index agent_self_removals_pending on agent_self_removals (run_id) where recorded_at is null;
