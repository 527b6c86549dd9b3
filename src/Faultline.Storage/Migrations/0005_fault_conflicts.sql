-- Injectors may declare other injectors they never share a target with, whatever either claims
-- (FaultComposition.ConflictsWith). The intent row keeps that list so the per-target check can honour it in
-- both directions: a new fault is refused if it names an open fault's injector, or is named by it.
alter table faults add column conflicts_with text[] not null default '{}';
