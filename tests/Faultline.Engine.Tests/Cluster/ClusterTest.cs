using Faultline.Storage.Cluster;

namespace Faultline.Engine.Tests.Cluster;

/// <summary>A fresh migrated database per test class (see <see cref="DatabaseTest"/>) with the cluster stores over it.</summary>
public abstract class ClusterTest(PostgresServer postgres) : DatabaseTest(postgres)
{
    protected LeaseStore Leases { get; private set; } = null!;

    protected NodeStore Nodes { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Leases = new LeaseStore(DataSource);
        Nodes = new NodeStore(DataSource);
    }
}
