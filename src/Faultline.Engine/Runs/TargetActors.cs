using System.Collections.Concurrent;

namespace Faultline.Engine.Runs;

/// <summary>
/// The target actors of one node: every injector command on one target (inject with its verify, rollback with its
/// verify) runs one at a time, whichever run sends it, so two faults never touch a target's state concurrently.
/// Decisions about a target (may this fault exist next to the open ones?) are serialized across nodes by the
/// intent row's per-target lock in <c>RunJournal.IntendAsync</c>; the commands are serialized here, on the node
/// that executes them (the agent of issue 7 does the same on its host).
/// </summary>
public sealed class TargetActors
{
    private readonly ConcurrentDictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="command"/> once every earlier command on <paramref name="target"/> has finished.</summary>
    public async Task<T> SendAsync<T>(string target, Func<Task<T>> command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var mailbox = Acquire(target);
        try
        {
            await mailbox.Gate.WaitAsync(cancellationToken);
            try
            {
                return await command();
            }
            finally
            {
                mailbox.Gate.Release();
            }
        }
        finally
        {
            Release(target, mailbox);
        }
    }

    /// <summary>Targets with a command running or waiting (for tests and metrics).</summary>
    public int ActiveTargets => _mailboxes.Count;

    private Mailbox Acquire(string target)
    {
        while (true)
        {
            var mailbox = _mailboxes.GetOrAdd(target, _ => new Mailbox());
            lock (mailbox)
            {
                if (!mailbox.Retired)
                {
                    mailbox.Users++;
                    return mailbox;
                }
            }
        }
    }

    // The last user retires the mailbox, so idle targets cost nothing; a retired one is never reused.
    private void Release(string target, Mailbox mailbox)
    {
        lock (mailbox)
        {
            if (--mailbox.Users > 0)
            {
                return;
            }

            mailbox.Retired = true;
        }

        _mailboxes.TryRemove(new KeyValuePair<string, Mailbox>(target, mailbox));
    }

    private sealed class Mailbox
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }

        public bool Retired { get; set; }
    }
}
