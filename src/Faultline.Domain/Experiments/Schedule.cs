namespace Faultline.Domain.Experiments;

public enum ConcurrencyPolicy
{
    /// <summary>Skip a firing while the previous run is still going (the default: no overlap).</summary>
    Forbid,

    /// <summary>Start anyway.</summary>
    Allow,

    /// <summary>Abort the previous run, then start.</summary>
    Replace,
}

/// <summary>When to run: a 5-field cron, <c>@every 10m</c>, or a macro (<c>@hourly</c>, <c>@daily</c>...).</summary>
public sealed record Schedule(string Cron, ConcurrencyPolicy Concurrency);
