using Dapper;
using Faultline.Storage.Common;
using Npgsql;

namespace Faultline.Storage.Cluster;

/// <summary>
/// Leases give one node at a time the right to act for a (kind, key), e.g. ("run", run id): the PostgreSQL
/// stand-in for Orleans' single activation. Expiry is judged by the database clock only (<c>now()</c>), so a
/// node with a skewed clock can neither keep nor steal a lease early.
/// </summary>
/// <remarks>
/// <para>
/// Every acquisition (of a free, released or expired lease) bumps <c>token</c>, and rows are never deleted,
/// so a token is handed out at most once per (kind, key). That makes the token a fencing token.
/// </para>
/// <para>
/// The fencing rule: every state write an actor makes under its lease includes <see cref="FencingPredicate"/>
/// in its WHERE clause (or calls <see cref="IsCurrentAsync"/> first in the same transaction) and treats
/// "0 rows" as "lease lost, stop". A node that was paused or partitioned past its expiry then cannot write,
/// whatever it believes about its lease: its token no longer matches, or its lease has lapsed. Keep fenced
/// transactions short: the shared row lock they take holds off a thief until they end.
/// </para>
/// </remarks>
public sealed class LeaseStore(NpgsqlDataSource dataSource) : StoreBase(dataSource)
{
    /// <summary>
    /// True only while the lease named by <c>@leaseKind</c>, <c>@leaseKey</c>, <c>@leaseToken</c> and
    /// <c>@leaseOwner</c> (see <see cref="LeaseFence.WithParameters"/>) is held and unexpired. <c>for share</c>
    /// locks the lease row until the writing transaction ends, and a steal must update that row, so a steal
    /// waits for an in-flight fenced write instead of overtaking it; a write that comes after a steal re-reads
    /// the row and finds the new token. The token, not the clock, is what keeps two holders apart; the expiry
    /// test uses <c>now()</c>, the start of the writing transaction, one more reason to keep that short.
    /// </summary>
    public const string FencingPredicate =
        """
        exists (select 1 from leases
                where kind = @leaseKind and key = @leaseKey and token = @leaseToken
                  and owner_node = @leaseOwner and expires_at > now()
                for share)
        """;

    private const string GrantColumns = "kind, key, owner_node as OwnerNode, token, acquired_at as AcquiredAt, expires_at as ExpiresAt";

    /// <summary>
    /// Takes the lease if it is free, released or expired, with a token one above any it ever had (1 for a
    /// new lease); null while another holder's lease, or this node's own, is unexpired: a holder renews instead.
    /// </summary>
    public async Task<LeaseGrant?> TryAcquireAsync(string kind, string key, Guid nodeId, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        // Racing acquirers of a new lease: one inserts, the others fall to the update, which locks the row
        // and re-checks its WHERE against the winner's committed row, so exactly one of them gets it.
        return await connection.QuerySingleOrDefaultAsync<LeaseGrant>(new CommandDefinition(
            $"""
            insert into leases as l (kind, key, owner_node, token, acquired_at, expires_at)
            values (@kind, @key, @nodeId, 1, now(), now() + @ttl)
            on conflict (kind, key) do update
                set owner_node = excluded.owner_node, token = l.token + 1, acquired_at = excluded.acquired_at,
                    expires_at = excluded.expires_at, released_at = null
                where l.owner_node is null or l.expires_at <= now()
            returning {GrantColumns}
            """,
            new { kind, key, nodeId, ttl },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Extends the lease to <c>now() + ttl</c> if this node still holds it with this token and it has not
    /// expired; null otherwise, and then the lease is lost for good: the caller stops acting for the key.
    /// </summary>
    public async Task<LeaseGrant?> TryRenewAsync(string kind, string key, Guid nodeId, long token, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<LeaseGrant>(new CommandDefinition(
            $"""
            update leases set expires_at = now() + @ttl
            where kind = @kind and key = @key and owner_node = @nodeId and token = @token and expires_at > now()
            returning {GrantColumns}
            """,
            new { kind, key, nodeId, token, ttl },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Gives the lease up so another node can take it at once instead of after expiry. The row stays (owner
    /// cleared) so the token keeps counting. False when this node no longer held it under this token.
    /// </summary>
    public async Task<bool> ReleaseAsync(string kind, string key, Guid nodeId, long token, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var released = await connection.ExecuteAsync(new CommandDefinition(
            """
            update leases set owner_node = null, released_at = now(), expires_at = now()
            where kind = @kind and key = @key and owner_node = @nodeId and token = @token
            """,
            new { kind, key, nodeId, token },
            cancellationToken: cancellationToken));
        return released == 1;
    }

    public async Task<LeaseRecord?> GetAsync(string kind, string key, CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<LeaseRecord>(new CommandDefinition(
            """
            select kind, key, owner_node as OwnerNode, token, acquired_at as AcquiredAt, expires_at as ExpiresAt, released_at as ReleasedAt
            from leases where kind = @kind and key = @key
            """,
            new { kind, key },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The fence as a check inside the caller's transaction, for writes that cannot carry
    /// <see cref="FencingPredicate"/> themselves (several statements, an insert). When true, the lease row
    /// stays share-locked until the transaction ends, so the lease cannot change hands before the commit.
    /// </summary>
    public static async Task<bool> IsCurrentAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, LeaseFence fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(fence);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"select {FencingPredicate}", fence.WithParameters(), transaction, cancellationToken: cancellationToken));
    }
}
