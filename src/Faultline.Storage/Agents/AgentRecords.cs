namespace Faultline.Storage.Agents;

// Rows as stored. Timestamps are UTC DateTime because that is what Npgsql returns for timestamptz; jsonb
// columns are read as their text and deserialized by the caller with the protocol's own JSON settings.

public sealed record AgentTokenRecord(
    Guid Id,
    Guid OrganizationId,
    Guid? TeamId,
    string Name,
    string Lookup,
    DateTime CreatedAt,
    string CreatedBy,
    DateTime? RevokedAt,
    string? RevokedBy,
    DateTime? LastUsedAt);

/// <summary>What authentication needs about a presented agent token, read in one query.</summary>
public sealed record AgentTokenCredential(Guid Id, Guid OrganizationId, Guid? TeamId, string Name, byte[] SecretHash, DateTime? RevokedAt, DateTime? LastUsedAt);

public sealed record AgentRecord(
    Guid Id,
    Guid OrganizationId,
    Guid? TeamId,
    Guid TokenId,
    string Name,
    string Hostname,
    string Version,
    string Injectors,
    string Targets,
    Guid SessionId,
    string? ConnectedNode,
    DateTime LastPollAt,
    DateTime CreatedAt);

/// <summary>What a hello says about the agent, already validated and serialized.</summary>
public sealed record AgentRegistration(
    Guid OrganizationId, Guid? TeamId, Guid TokenId, string Name, string Hostname, string Version, string InjectorsJson, string TargetsJson, string? Node);

/// <summary>A command's state and, once done, its result (the protocol's JSON).</summary>
public sealed record AgentCommandState(string State, string? Result);

/// <summary>A fault an agent removed on its own, not yet recorded by the run's owner.</summary>
public sealed record AgentSelfRemovalRecord(string FaultId, Guid RunId, Guid AgentId, string Reason, string Evidence, DateTime RemovedAt, DateTime ReportedAt);

/// <summary>A self-removal as the agent reported it, ready to store.</summary>
public sealed record NewSelfRemoval(string FaultId, string Reason, string Evidence, DateTimeOffset RemovedAt);
