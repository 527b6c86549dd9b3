namespace Faultline.Engine.Tests.Cluster;

/// <summary>
/// One real PostgreSQL for the cluster tests, started only when they run. The tests of this collection run
/// one class at a time, which keeps their lease timings honest on a small, busy machine.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterDatabase : ICollectionFixture<PostgresServer>
{
    public const string Name = "cluster database";
}
