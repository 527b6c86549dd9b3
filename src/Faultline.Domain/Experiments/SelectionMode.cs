namespace Faultline.Domain.Experiments;

public enum SelectionKind
{
    /// <summary>One target picked at random.</summary>
    One,

    /// <summary>Every selected target.</summary>
    All,

    /// <summary>Exactly <see cref="SelectionMode.Value"/> targets.</summary>
    Fixed,

    /// <summary><see cref="SelectionMode.Value"/> percent of the targets (rounded down, at least one).</summary>
    FixedPercent,

    /// <summary>A random share between one target and <see cref="SelectionMode.Value"/> percent.</summary>
    RandomMaxPercent,
}

/// <summary>How many of the selected targets a fault hits (Chaos Mesh's modes).</summary>
public sealed record SelectionMode(SelectionKind Kind, int? Value)
{
    public static SelectionMode All { get; } = new(SelectionKind.All, null);

    public static SelectionMode One { get; } = new(SelectionKind.One, null);

    /// <summary>How many of <paramref name="candidates"/> targets to hit; random modes draw from <paramref name="random"/>.</summary>
    public int CountOf(int candidates, Random random)
    {
        if (candidates == 0)
        {
            return 0;
        }

        return Kind switch
        {
            SelectionKind.One => 1,
            SelectionKind.All => candidates,
            SelectionKind.Fixed => Math.Min(candidates, Value ?? 1),
            SelectionKind.FixedPercent => Math.Max(1, candidates * (Value ?? 100) / 100),
            SelectionKind.RandomMaxPercent => random.Next(1, Math.Max(1, candidates * (Value ?? 100) / 100) + 1),
            _ => throw new InvalidOperationException($"Unknown selection mode {Kind}."),
        };
    }
}
