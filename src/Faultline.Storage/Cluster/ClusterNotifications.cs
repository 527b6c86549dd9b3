using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Faultline.Storage.Cluster;

/// <summary>
/// Wakes nodes through PostgreSQL LISTEN/NOTIFY instead of polling tightly. Notifications are hints, not
/// messages: one sent while a listener is reconnecting is lost, so a listener rescans the table it watches
/// each time it (re)starts listening (<c>onListening</c>) and on a slow timer of its own.
/// </summary>
public sealed class ClusterNotifications(NpgsqlDataSource dataSource, ILogger<ClusterNotifications> logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a listener waits in silence before it proves the connection with a round trip: a connection
    /// dropped without a reset (a partition, a failed-over server) would otherwise be waited on for ever.
    /// </summary>
    private static readonly TimeSpan IdleCheckInterval = TimeSpan.FromSeconds(15);

    public async Task NotifyAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await NotifyAsync(connection, null, channel, payload, cancellationToken);
    }

    /// <summary>
    /// Inside a transaction the notification is delivered at commit and dropped on rollback, so "insert the
    /// pending run, then notify" can never wake a node for a row it cannot see yet.
    /// </summary>
    public static async Task NotifyAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string channel, string payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        await connection.ExecuteAsync(new CommandDefinition(
            "select pg_notify(@channel, @payload)", new { channel, payload }, transaction, cancellationToken: cancellationToken));
    }

    /// <inheritdoc cref="ListenAsync(string, Func{string, Task}, Func{Task}?, CancellationToken)"/>
    public Task ListenAsync(string channel, Func<string, Task> onNotification, CancellationToken cancellationToken) =>
        ListenAsync(channel, onNotification, null, cancellationToken);

    /// <summary>
    /// Listens on <paramref name="channel"/> over a connection of its own until cancelled, handing each payload
    /// to <paramref name="onNotification"/> one at a time, in order. A lost connection is reopened with
    /// exponential back-off (0.1 s doubling to 5 s); <paramref name="onListening"/> runs each time LISTEN is in
    /// effect again, which is when a caller rescans for what it may have missed. Exceptions of the callbacks
    /// are logged and do not stop the listener. Ends with <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task ListenAsync(string channel, Func<string, Task> onNotification, Func<Task>? onListening, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(onNotification);
        var retryDelay = FirstRetryDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await ListenOnceAsync(channel, onNotification, onListening, () => retryDelay = FirstRetryDelay, cancellationToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Listening on {Channel} failed; retrying in {Delay} ms", channel, retryDelay.TotalMilliseconds);
                await Task.Delay(retryDelay, cancellationToken);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>One connection's life: returns only by throwing, when the connection fails or on cancellation.</summary>
    private async Task ListenOnceAsync(
        string channel, Func<string, Task> onNotification, Func<Task>? onListening, Action onConnected, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // Npgsql raises the event synchronously while it reads from the socket; the handlers are awaited
        // afterwards, outside the read, so a slow handler never runs inside Npgsql's I/O.
        var pending = new Queue<string>();
        connection.Notification += (_, notification) =>
        {
            if (notification.Channel == channel)
            {
                pending.Enqueue(notification.Payload);
            }
        };

        await using (var listen = new NpgsqlCommand($"listen {QuoteIdentifier(channel)}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        onConnected();
        if (onListening is not null)
        {
            await InvokeAsync(channel, "listening", onListening, cancellationToken);
        }

        while (true)
        {
            while (pending.TryDequeue(out var payload))
            {
                await InvokeAsync(channel, "notification", () => onNotification(payload), cancellationToken);
            }

            if (!await connection.WaitAsync(IdleCheckInterval, cancellationToken))
            {
                await using var ping = new NpgsqlCommand("select 1", connection);
                await ping.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private async Task InvokeAsync(string channel, string what, Func<Task> callback, CancellationToken cancellationToken)
    {
        try
        {
            await callback();
        }
#pragma warning disable CA1031 // A handler's bug must not silence the channel for every later notification.
        catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
#pragma warning restore CA1031
        {
            logger.LogError(exception, "The {What} handler of channel {Channel} failed", what, channel);
        }
    }

    /// <summary>LISTEN takes an identifier, not a parameter: quoted, so the channel matches pg_notify's exactly.</summary>
    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
