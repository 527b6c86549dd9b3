using Faultline.Domain.Experiments;
using Faultline.Engine.Runs;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Tests.Runs;

/// <summary>The mode's share of the candidates: how many, and never a target that was not a candidate.</summary>
public sealed class TargetSelectionTests
{
    private static readonly Target[] Candidates = [.. Enumerable.Range(0, 10).Select(i => Target.Of("pod", $"web-{i}"))];

    [Theory]
    [InlineData(SelectionKind.All, null, 10)]
    [InlineData(SelectionKind.One, null, 1)]
    [InlineData(SelectionKind.Fixed, 3, 3)]
    [InlineData(SelectionKind.Fixed, 10, 10)]
    [InlineData(SelectionKind.Fixed, 25, 10)]
    [InlineData(SelectionKind.FixedPercent, 30, 3)]
    [InlineData(SelectionKind.FixedPercent, 55, 5)]
    [InlineData(SelectionKind.FixedPercent, 5, 1)]
    [InlineData(SelectionKind.FixedPercent, 100, 10)]
    public void Each_mode_selects_its_share_of_ten_candidates(SelectionKind kind, int? value, int expected)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var selected = TargetResolver.Select(Candidates, new SelectionMode(kind, value), new Random(seed));

            Assert.Equal(expected, selected.Count);
            AssertDistinctSubset(selected);
        }
    }

    [Fact]
    public void Random_max_percent_draws_between_one_target_and_the_percentage()
    {
        var counts = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var selected = TargetResolver.Select(Candidates, new SelectionMode(SelectionKind.RandomMaxPercent, 50), new Random(seed));

            Assert.InRange(selected.Count, 1, 5);
            AssertDistinctSubset(selected);
            counts.Add(selected.Count);
        }

        Assert.Equal([1, 2, 3, 4, 5], counts.Order());
    }

    [Fact]
    public void Random_max_percent_of_a_small_share_still_hits_one_target()
    {
        var selected = TargetResolver.Select(Candidates, new SelectionMode(SelectionKind.RandomMaxPercent, 5), new Random(7));

        Assert.Single(selected);
    }

    [Fact]
    public void The_same_seed_selects_the_same_targets()
    {
        var mode = new SelectionMode(SelectionKind.Fixed, 4);

        var first = TargetResolver.Select(Candidates, mode, new Random(1234));
        var second = TargetResolver.Select(Candidates, mode, new Random(1234));

        Assert.Equal(first, second);
    }

    [Fact]
    public void One_target_is_drawn_at_random_not_always_the_first()
    {
        var picked = Enumerable.Range(0, 50)
            .Select(seed => Assert.Single(TargetResolver.Select(Candidates, SelectionMode.One, new Random(seed))).Id)
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(picked.Count > 3, $"50 seeds picked only {string.Join(", ", picked)}");
    }

    [Fact]
    public void The_selection_is_listed_in_target_order_and_the_input_is_left_alone()
    {
        var input = Enumerable.Reverse(Candidates).ToArray();
        var before = input.ToArray();

        var selected = TargetResolver.Select(input, new SelectionMode(SelectionKind.Fixed, 6), new Random(3));

        Assert.Equal(selected.Select(t => t.ToString()).Order(StringComparer.Ordinal), selected.Select(t => t.ToString()));
        Assert.Equal(before, input);
    }

    [Theory]
    [InlineData(SelectionKind.All, null)]
    [InlineData(SelectionKind.One, null)]
    [InlineData(SelectionKind.Fixed, 2)]
    [InlineData(SelectionKind.FixedPercent, 50)]
    [InlineData(SelectionKind.RandomMaxPercent, 50)]
    public void No_candidates_select_nothing(SelectionKind kind, int? value) =>
        Assert.Empty(TargetResolver.Select([], new SelectionMode(kind, value), new Random(1)));

    private static void AssertDistinctSubset(IReadOnlyList<Target> selected)
    {
        Assert.Equal(selected.Count, selected.Select(t => t.ToString()).Distinct(StringComparer.Ordinal).Count());
        Assert.All(selected, target => Assert.Contains(target, Candidates));
    }
}
