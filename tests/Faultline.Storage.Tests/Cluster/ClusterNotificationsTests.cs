using System.Threading.Channels;
using Faultline.Storage.Cluster;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Storage.Tests.Cluster;

public sealed class ClusterNotificationsTests(PostgresServer postgres) : StorageTest(postgres)
{
    // Mixed case and a dot: LISTEN must quote the name to hear what pg_notify sends to it.
    private const string ChannelName = "Runs.Pending";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly Channel<int> _listening = Channel.CreateUnbounded<int>();
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private ClusterNotifications _notifications = null!;
    private int _listens;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _notifications = new ClusterNotifications(DataSource, NullLogger<ClusterNotifications>.Instance);
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_notification_reaches_a_listener_of_its_channel_only()
    {
        var listener = StartListening(ChannelName, payload => _received.Writer.WriteAsync(payload).AsTask());
        Assert.Equal(1, await NextAsync(_listening));

        await _notifications.NotifyAsync("runs.pending", "other channel", Ct);
        await _notifications.NotifyAsync(ChannelName, "0196f1a0-run-1", Ct);
        await _notifications.NotifyAsync(ChannelName, "0196f1a0-run-2", Ct);

        Assert.Equal("0196f1a0-run-1", await NextAsync(_received));
        Assert.Equal("0196f1a0-run-2", await NextAsync(_received));
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listener);
    }

    [Fact]
    public async Task A_notification_inside_a_transaction_is_sent_on_commit_and_dropped_on_rollback()
    {
        _ = StartListening(ChannelName, payload => _received.Writer.WriteAsync(payload).AsTask());
        await NextAsync(_listening);

        await using (var connection = await DataSource.OpenConnectionAsync(Ct))
        {
            await using (var rolledBack = await connection.BeginTransactionAsync(Ct))
            {
                await ClusterNotifications.NotifyAsync(connection, rolledBack, ChannelName, "rolled back", Ct);
                await rolledBack.RollbackAsync(Ct);
            }

            await using var committed = await connection.BeginTransactionAsync(Ct);
            await ClusterNotifications.NotifyAsync(connection, committed, ChannelName, "committed", Ct);
            await committed.CommitAsync(Ct);
        }

        // Notifications arrive in commit order, so the rolled-back one would have come first.
        Assert.Equal("committed", await NextAsync(_received));
    }

    [Fact]
    public async Task A_listener_whose_connection_is_killed_reconnects_and_hears_later_notifications()
    {
        _ = StartListening(ChannelName, payload => _received.Writer.WriteAsync(payload).AsTask());
        Assert.Equal(1, await NextAsync(_listening));

        var killed = await ScalarAsync<long>(
            """
            select count(pg_terminate_backend(pid)) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and query like 'listen %'
            """);
        Assert.Equal(1L, killed);

        Assert.Equal(2, await NextAsync(_listening));
        await _notifications.NotifyAsync(ChannelName, "after the reconnect", Ct);
        Assert.Equal("after the reconnect", await NextAsync(_received));
    }

    [Fact]
    public async Task A_failing_handler_does_not_stop_the_listener()
    {
        _ = StartListening(ChannelName, async payload =>
        {
            await _received.Writer.WriteAsync(payload);
            if (payload == "poison")
            {
                throw new InvalidOperationException("the handler's own bug");
            }
        });
        await NextAsync(_listening);

        await _notifications.NotifyAsync(ChannelName, "poison", Ct);
        await _notifications.NotifyAsync(ChannelName, "next", Ct);

        Assert.Equal("poison", await NextAsync(_received));
        Assert.Equal("next", await NextAsync(_received));
        Assert.Equal(1, _listens);
    }

    private Task StartListening(string channel, Func<string, Task> onNotification) =>
        _notifications.ListenAsync(
            channel,
            onNotification,
            () => _listening.Writer.WriteAsync(Interlocked.Increment(ref _listens)).AsTask(),
            _stop.Token);

    private static async Task<T> NextAsync<T>(Channel<T> channel)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(Patience);
        try
        {
            return await channel.Reader.ReadAsync(patience.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Nothing arrived within {Patience.TotalSeconds} s.");
        }
    }
}
