using Faultline.Deploy.Tests.Capabilities;
using Faultline.Deploy.Tests.Tools;

namespace Faultline.Deploy.Tests.Systemd;

/// <summary>The host units: the agent's hardening matches the documented capability list, and systemd accepts both units.</summary>
public sealed class SystemdUnitTests
{
    private static readonly SystemdUnit Agent = SystemdUnit.Load(Path.Combine(DeployPaths.Systemd, "faultline-agent.service"));

    [Fact]
    public void The_agent_is_bounded_to_exactly_the_documented_capabilities()
    {
        var expected = AgentCapabilities.LinuxNames.Order(StringComparer.Ordinal);
        Assert.Equal(expected, Agent.Words("Service", "CapabilityBoundingSet").Order(StringComparer.Ordinal));
        Assert.Equal(expected, Agent.Words("Service", "AmbientCapabilities").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_agent_keeps_its_journal_in_its_state_directory_and_runs_hardened()
    {
        Assert.Equal("faultline-agent", Agent.Get("Service", "StateDirectory"));
        Assert.Contains("FAULTLINE_STATE_DIR=/var/lib/faultline-agent", Agent.All("Service", "Environment"));
        Assert.Equal("true", Agent.Get("Service", "NoNewPrivileges"));
        Assert.Equal("strict", Agent.Get("Service", "ProtectSystem"));
        Assert.Equal("true", Agent.Get("Service", "ProtectHome"));
        Assert.Null(Agent.Get("Service", "PrivateNetwork"));
        Assert.Contains(" agent --server ${FAULTLINE_SERVER}", Agent.Get("Service", "ExecStart"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("faultline.env.example", "faultline.service")]
    [InlineData("faultline-agent.env.example", "faultline-agent.service")]
    public void Environment_examples_define_what_the_unit_uses_and_hold_no_real_credentials(string example, string unitFile)
    {
        var settings = File.ReadAllLines(Path.Combine(DeployPaths.Systemd, example))
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        var unit = SystemdUnit.Load(Path.Combine(DeployPaths.Systemd, unitFile));

        foreach (var used in System.Text.RegularExpressions.Regex.Matches(unit.Get("Service", "ExecStart") ?? "", @"\$\{(\w+)\}").Select(m => m.Groups[1].Value))
        {
            Assert.True(settings.ContainsKey(used), $"{unitFile} uses ${{{used}}}, which {example} does not define");
        }

        Assert.All(settings.Where(pair => pair.Key.EndsWith("_TOKEN", StringComparison.Ordinal) || pair.Key.EndsWith("_KEY", StringComparison.Ordinal)),
            pair => Assert.StartsWith("change-me", pair.Value, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("faultline.service")]
    [InlineData("faultline-agent.service")]
    public async Task Systemd_accepts_the_unit(string unitFile)
    {
        var analyze = ExternalTool.Find("systemd-analyze");
        if (analyze is null)
        {
            Assert.Skip("systemd-analyze is not installed, so systemd itself did not read the unit; the structural checks above still ran.");
        }

        // verify prints unknown keys and bad values as warnings with exit code 0: any line about the unit is a failure.
        var result = await analyze.RunAsync(["verify", Path.Combine(DeployPaths.Systemd, unitFile)]);
        TestLog.Line(result.ToString());
        Assert.True(result.Succeeded, result.ToString());
        Assert.DoesNotContain(unitFile, result.Output + result.Error, StringComparison.Ordinal);
    }
}
