using Faultline.Domain.Experiments;
using Faultline.Engine.Runs;
using Faultline.Engine.Tests.Plugins;
using Faultline.Sdk.Targets;

namespace Faultline.Engine.Tests.Runs;

/// <summary>Explicit targets are read as written; discovered ones are listed by a real plugin and filtered by the selector.</summary>
public sealed class TargetResolverTests : IDisposable
{
    private readonly PluginFolder _folder = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Explicit_targets_written_as_kind_and_id_need_no_selector_kind()
    {
        var targets = await Resolve(Selector(targets: ["pod/web-1", "process/4242"]));

        Assert.Equal(["pod/web-1", "process/4242"], targets.Select(t => t.ToString()));
        Assert.Equal(("pod", "web-1"), (targets[0].Kind, targets[0].Id));
        Assert.Equal(("process", "4242"), (targets[1].Kind, targets[1].Id));
    }

    [Fact]
    public async Task A_bare_id_takes_the_selectors_only_kind()
    {
        var target = Assert.Single(await Resolve(Selector(kinds: ["pod"], targets: ["web-1"])));

        Assert.Equal("pod", target.Kind);
        Assert.Equal("web-1", target.Id);
    }

    [Fact]
    public async Task A_kind_named_by_the_target_may_differ_in_case_from_the_selectors()
    {
        var target = Assert.Single(await Resolve(Selector(kinds: ["Pod"], targets: ["pod/web-1"])));

        Assert.Equal("pod/web-1", target.ToString());
    }

    [Theory]
    [InlineData(new string[0], "web-1")]
    [InlineData(new[] { "pod", "process" }, "web-1")]
    [InlineData(new string[0], "/web-1")]
    [InlineData(new string[0], "pod/")]
    public async Task A_bare_id_without_exactly_one_selector_kind_is_refused_by_name(string[] kinds, string text)
    {
        var failure = await Assert.ThrowsAsync<TargetResolutionException>(() => Resolve(Selector(kinds: kinds, targets: ["pod/ok", text])));

        Assert.Contains($"'{text}'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("kind/id", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicit_target_of_a_kind_the_selector_excludes_is_refused()
    {
        var failure = await Assert.ThrowsAsync<TargetResolutionException>(() => Resolve(Selector(kinds: ["process", "host"], targets: ["pod/web-1"])));

        Assert.Contains("'pod/web-1'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'pod'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("process, host", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explicit_targets_carry_the_selectors_labels_and_its_single_namespace()
    {
        var labels = new Dictionary<string, string> { ["app"] = "web", ["env"] = "staging" };

        var targets = await Resolve(Selector(kinds: ["pod"], namespaces: ["shop"], labels: labels, targets: ["web-1", "pod/web-2"]));

        Assert.Equal(2, targets.Count);
        Assert.All(targets, target =>
        {
            Assert.Equal(labels.OrderBy(p => p.Key, StringComparer.Ordinal), target.Labels.OrderBy(p => p.Key, StringComparer.Ordinal));
            Assert.Equal("shop", target.Attribute("namespace"));
            Assert.Equal("shop", TargetResolver.NamespaceOf(target));
        });
    }

    [Fact]
    public async Task Explicit_targets_of_a_selector_naming_several_namespaces_claim_none()
    {
        var target = Assert.Single(await Resolve(Selector(namespaces: ["shop", "billing"], targets: ["pod/web-1"])));

        Assert.Null(target.Attribute("namespace"));
        Assert.Empty(target.Labels);
    }

    [Fact]
    public async Task A_selector_with_neither_targets_nor_a_discovery_listing_its_kinds_is_refused()
    {
        _folder.Add("faultline.process");

        var failure = await Assert.ThrowsAsync<TargetResolutionException>(() => Resolve(Selector(kinds: ["pod"])));

        Assert.Contains("selector.targets", failure.Message, StringComparison.Ordinal);
        Assert.Contains("no loaded target discovery lists its kinds", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_selector_without_a_discovery_asks_every_discovery_that_lists_its_kinds()
    {
        _folder.Add("faultline.process");

        // As a translated Chaos Mesh manifest selects: kinds and labels, no discovery named.
        var mine = await Resolve(Selector(kinds: ["process"], labels: new Dictionary<string, string> { ["command"] = OwnCommand }));

        Assert.Contains($"process/{Environment.ProcessId}", mine.Select(t => t.ToString()));
        Assert.All(mine, target => Assert.Equal(OwnCommand, target.Labels["command"]));
    }

    [Fact]
    public async Task An_unknown_discovery_is_refused_by_name()
    {
        _folder.Add("faultline.process");

        var failure = await Assert.ThrowsAsync<TargetResolutionException>(() => Resolve(Selector(discovery: "kubernetes")));

        Assert.Contains("'kubernetes'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovered_processes_are_filtered_by_kind_and_labels()
    {
        _folder.Add("faultline.process");
        var self = $"process/{Environment.ProcessId}";

        var mine = await Resolve(Selector(kinds: ["process"], labels: new Dictionary<string, string> { ["command"] = OwnCommand }, discovery: "process"));

        Assert.Contains(self, mine.Select(t => t.ToString()));
        Assert.All(mine, target =>
        {
            Assert.Equal(TargetKinds.Process, target.Kind);
            Assert.Equal(OwnCommand, target.Labels["command"]);
        });
        Assert.Equal(mine.Select(t => t.ToString()).Order(StringComparer.Ordinal), mine.Select(t => t.ToString()));
    }

    [Fact]
    public async Task Discovered_targets_of_another_kind_or_label_value_are_dropped()
    {
        _folder.Add("faultline.process");

        var all = await Resolve(Selector(discovery: "process"));
        var pods = await Resolve(Selector(kinds: ["pod"], discovery: "process"));
        var unknownCommand = await Resolve(Selector(labels: new Dictionary<string, string> { ["command"] = "no-such-command-\u00e9" }, discovery: "process"));
        var unknownLabel = await Resolve(Selector(labels: new Dictionary<string, string> { ["team"] = "payments" }, discovery: "process"));

        Assert.Contains($"process/{Environment.ProcessId}", all.Select(t => t.ToString()));
        Assert.Empty(pods);
        Assert.Empty(unknownCommand);
        Assert.Empty(unknownLabel);
    }

    [Fact]
    public async Task Discovered_targets_outside_the_selectors_namespaces_are_dropped()
    {
        _folder.Add("faultline.process");

        // Local processes have no namespace, so a selector that names one cannot reach them.
        Assert.Empty(await Resolve(Selector(namespaces: ["default"], discovery: "process")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ids_named_alongside_a_discovery_narrow_what_it_lists(bool withKind)
    {
        _folder.Add("faultline.process");
        var pid = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var target = Assert.Single(await Resolve(Selector(targets: [withKind ? $"process/{pid}" : pid], discovery: "process")));

        Assert.Equal(pid, target.Id);
        Assert.NotNull(target.Attribute("startTime"));
    }

    public void Dispose() => _folder.Dispose();

    // The command name as /proc reports it (at most 15 characters), which is what the discovery labels.
    private static string OwnCommand => File.ReadAllText("/proc/self/comm").TrimEnd('\n');

    private Task<IReadOnlyList<Target>> Resolve(TargetSelector selector) => new TargetResolver(_folder.Load()).CandidatesAsync(selector, Token);

    private static TargetSelector Selector(
        IReadOnlyList<string>? kinds = null,
        IReadOnlyList<string>? namespaces = null,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyList<string>? targets = null,
        string? discovery = null) =>
        new(kinds ?? [], namespaces ?? [], labels ?? new Dictionary<string, string>(), targets ?? [], discovery);
}
