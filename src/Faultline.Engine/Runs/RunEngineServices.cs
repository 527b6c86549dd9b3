using Faultline.Engine.Agents;
using Faultline.Engine.Cluster;
using Faultline.Engine.Plugins;
using Faultline.Storage.Agents;
using Faultline.Storage.Policies;
using Faultline.Storage.Runs;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Faultline.Engine.Runs;

/// <summary>What every run actor of a node shares: the plugins, the stores, the clock and the node's identity.</summary>
public sealed record RunEngineServices(
    Guid NodeId,
    EngineOptions Options,
    PluginCatalog Plugins,
    ProbeSampler Sampler,
    RunPlanner Planner,
    RunStore Runs,
    HaltStore Halts,
    NpgsqlDataSource DataSource,
    ILeaseProvider Leases,
    TimeProvider Time,
    ILoggerFactory LoggerFactory,
    TargetActors Targets,
    InjectorRouter Router,
    AgentStore? Agents = null);
