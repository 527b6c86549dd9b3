namespace Faultline.Engine.Cluster;

/// <summary>
/// The lease an actor acts under, carried with every state write it makes: the write is fenced on
/// (<see cref="Kind"/>, <see cref="Key"/>, <see cref="Token"/>, <see cref="NodeId"/>) and refused once another
/// activation holds the key. Immutable: renewal extends the lease, it never changes the token.
/// </summary>
public sealed record ActorLease(string Kind, string Key, long Token, Guid NodeId);
