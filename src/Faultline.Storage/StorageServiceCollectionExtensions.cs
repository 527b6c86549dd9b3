using Faultline.Storage.Audit;
using Faultline.Storage.Cluster;
using Faultline.Storage.Experiments;
using Faultline.Storage.Idempotency;
using Faultline.Storage.Migrations;
using Faultline.Storage.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Faultline.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers one pooled data source for the connection string and the stores over it.</summary>
    public static IServiceCollection AddFaultlineStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.ApplicationName ??= "faultline";

            // A paused node must not hold a fenced lease row's lock forever inside an idle transaction.
            builder.ConnectionStringBuilder.Options ??= "-c idle_in_transaction_session_timeout=30000";
            return builder.Build();
        });
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<OrganizationStore>();
        services.AddSingleton<TeamStore>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<AuditLogStore>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<NodeStore>();
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<ClusterNotifications>();
        services.AddSingleton<Runs.RunStore>();
        services.AddSingleton<Experiments.ScheduleStore>();
        services.AddSingleton<Policies.PolicyStore>();
        services.AddSingleton<Policies.HaltStore>();
        services.AddSingleton<Agents.AgentTokenStore>();
        services.AddSingleton<Agents.AgentStore>();
        services.AddSingleton<Agents.AgentCommandStore>();
        services.AddSingleton<Agents.AgentSignals>();

        // Needs an ISecretProtector, which the host registers from its master key.
        services.AddSingleton<Secrets.SecretStore>();
        services.AddSingleton<Secrets.ISecretReader>(provider => provider.GetRequiredService<Secrets.SecretStore>());
        return services;
    }
}
