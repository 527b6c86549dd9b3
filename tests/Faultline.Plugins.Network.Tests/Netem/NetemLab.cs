using Faultline.Plugins.Network.Host;
using Faultline.Plugins.Network.Tests.Injection;

namespace Faultline.Plugins.Network.Tests.Netem;

/// <summary>
/// Where the netem tests may run: on a kernel whose host probe finds tc netem. This machine's kernel has none, so
/// they run in the kernel lab (Debian's stock kernel under qemu, <c>scripts/netem-tests</c>), which sets
/// <c>FAULTLINE_KERNEL_LAB=1</c>. Outside the lab a kernel without netem skips them with the reason; inside it,
/// anything that would skip (no netem, no root, a missing tool) fails instead, since there the test was sent
/// precisely to measure netem and a skip would count what was never measured.
/// </summary>
internal static class NetemLab
{
    /// <summary>Set to 1 by scripts/netem-tests inside the qemu guest.</summary>
    public const string Variable = "FAULTLINE_KERNEL_LAB";

    public static bool InKernelLab => string.Equals(Environment.GetEnvironmentVariable(Variable), "1", StringComparison.Ordinal);

    /// <summary>A measurement for the test's output (the lab's log shows it live).</summary>
    public static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>A network fault fixture on a kernel with netem, or the end of the test (skip outside the lab, fail in it).</summary>
    public static async Task<NetworkFaultFixture> CreateAsync()
    {
        NetworkFaultFixture fixture;
        try
        {
            fixture = await NetworkFaultFixture.CreateAsync();
        }
        catch (Xunit.Sdk.SkipException skipped) when (InKernelLab)
        {
            Assert.Fail($"inside the kernel lab ({Variable}=1) the network lab must be complete, yet it would skip: {skipped.Message.Replace("$XunitDynamicSkip$", "", StringComparison.Ordinal)}");
            throw;
        }

        HostCapabilities host;
        try
        {
            host = await fixture.Faults.CapabilitiesAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }

        if (host.Netem)
        {
            await ResolvePeerAsync(fixture);
            return fixture;
        }

        await fixture.DisposeAsync();
        // The probe's netem attempt says why ("Specified qdisc kind is unknown"); the other engines' lines do not.
        var evidence = host.Evidence.FirstOrDefault(line => line.Contains("netem", StringComparison.Ordinal)) ?? string.Join("; ", host.Evidence);
        if (InKernelLab)
        {
            Assert.Fail($"inside the kernel lab ({Variable}=1), yet the host probe found no netem ({host}): {evidence.TrimEnd('.')}. Did `modprobe sch_netem` fail in the guest?");
        }

        Assert.Skip($"this kernel has no tc netem ({evidence}); the Netem tests run under Debian's stock kernel in qemu: ./scripts/netem-tests (./scripts/test runs it)");
        throw new InvalidOperationException("unreachable: Assert.Skip throws");
    }

    /// <summary>
    /// A few pings before any fault, so that A has learnt B's MAC address: netem on A's veth takes ARP along with
    /// IP, and an ARP request lost to a loss or corruption fault is retried only a second later, longer than a
    /// short probe lasts, which would then measure the ARP retry instead of the fault.
    /// </summary>
    private static async Task ResolvePeerAsync(NetworkFaultFixture fixture)
    {
        try
        {
            var warmUp = await fixture.Lab.PingAsync(3, TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
            Assert.True(warmUp.Lost == 0, $"the lab lost packets before any fault: {warmUp}");
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }
}
