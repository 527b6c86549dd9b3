using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Faultline.Storage.Migrations;

/// <summary>
/// Applies the numbered <c>NNNN_name.sql</c> files embedded in this assembly, each in its own transaction,
/// and records them in <c>schema_migrations</c>. A session-level advisory lock serialises nodes that start
/// at the same moment: the second waits, then finds nothing left to do.
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    /// <summary>Arbitrary but fixed: "faultline" folded into 64 bits. Every node must use the same value.</summary>
    private const long AdvisoryLockKey = 0x6661756c746c696e;

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>The highest version this build knows; /readyz compares the database against it.</summary>
    public static int LatestVersion => Embedded[^1].Version;

    public async Task<IReadOnlyList<int>> ApplyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(
                """
                create table if not exists schema_migrations (
                    version    integer primary key,
                    name       text not null,
                    applied_at timestamptz not null default now())
                """, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("select version from schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            var newlyApplied = new List<int>();
            foreach (var migration in Embedded.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand(
                    "insert into schema_migrations (version, name) values (@version, @name)", connection, transaction))
                {
                    record.Parameters.AddWithValue("version", migration.Version);
                    record.Parameters.AddWithValue("name", migration.Name);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                newlyApplied.Add(migration.Version);
                logger.LogInformation("Applied migration {Version} {Name}", migration.Version, migration.Name);
            }

            return newlyApplied;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The highest applied version, or 0 when the schema has never been migrated.</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // The table is looked up first: a query naming a missing table fails to plan, whatever its WHERE says.
        await using var exists = dataSource.CreateCommand("select to_regclass('schema_migrations') is not null");
        if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return 0;
        }

        await using var command = dataSource.CreateCommand("select coalesce(max(version), 0) from schema_migrations");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = MigrationFileName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        if (migrations.Select(m => m.Version).Distinct().Count() != migrations.Count)
        {
            throw new InvalidOperationException("Two migrations share a version number.");
        }

        return migrations;
    }

    [GeneratedRegex(@"Migrations\.(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex MigrationFileName();
}
