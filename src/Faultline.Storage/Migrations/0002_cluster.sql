-- The cluster: membership by heartbeat and fenced leases, the PostgreSQL stand-in for Orleans' grain
-- directory. Every time in these tables comes from the database clock (now()), never from a node's
-- clock, so nodes with skewed clocks still agree on who is alive and who holds what.

create table cluster_nodes (
    id           uuid primary key,
    address      text not null,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now(),
    -- Set on a clean shutdown only: a node that crashed keeps a null here and is found dead by its
    -- stale heartbeat, so its leases are taken over (they expire on their own) and its faults reconciled.
    stopped_at   timestamptz
);
-- Live and dead lookups both scan the nodes that have not stopped, by heartbeat age.
create index cluster_nodes_heartbeat on cluster_nodes (heartbeat_at) where stopped_at is null;

-- One row per (kind, key) for ever: a released lease keeps its row with owner_node = null, so the next
-- acquisition continues from the last token and a token is never handed out twice. A write fenced by
-- an old token therefore can never match a later holder, even after release and re-acquisition.
create table leases (
    kind        text not null,
    key         text not null,
    owner_node  uuid,
    token       bigint not null check (token > 0),
    acquired_at timestamptz not null,
    expires_at  timestamptz not null,
    released_at timestamptz,
    primary key (kind, key),
    check ((owner_node is null) = (released_at is not null))
);
