using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Faultline.Bench;
using Faultline.Bench.Network;
using Faultline.Plugins.Network;
using Faultline.Plugins.Network.Engines;
using Faultline.Plugins.Network.Host;

const string Usage = "usage: network.sh [--quick] [--runs N]   (as root; --quick = 3 runs, default 10)";
var runs = 10;
var quick = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            runs = 3;
            break;
        case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
            runs = n;
            i++;
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'\n{Usage}");
            return 2;
    }
}

if (Environment.UserName != "root")
{
    await Console.Error.WriteLineAsync("The network benchmark creates network namespaces and kernel rules: run it as root.");
    return 2;
}

using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: stopping and cleaning up (again to force quit).");
        stop.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var machine = MachineInfo.Read();
var date = DateTimeOffset.UtcNow;
var state = Directory.CreateTempSubdirectory("faultline-bench-network-").FullName;
var results = new List<(Scenario Scenario, MakerResult Subject, MakerResult Floor)>();
HostCapabilities? capabilities = null;
try
{
    await using var lab = await BenchLab.CreateAsync(stop.Token);
    await using var faults = new NetworkFaults(state, new NfQueuePacketDelayer(new ConsoleLog()), new ConsoleLog());
    capabilities = await faults.CapabilitiesAsync(stop.Token);
    using var drop = await UdpObserver.CreateAsync(lab, delay: false);
    using var delay = await UdpObserver.CreateAsync(lab, delay: true);
    using var qdisc = new QdiscObserver(lab);
    Console.WriteLine($"Lab: {lab.NameA} {lab.InterfaceA} {lab.AddressA} <-> {lab.AddressB} {lab.InterfaceB} {lab.NameB}; host: {capabilities}");
    foreach (var scenario in Scenario.All(lab, faults))
    {
        if (!Available(scenario.Engine, capabilities))
        {
            Console.WriteLine($"{scenario.Engine} {scenario.Fault}: not available on this host, skipped.");
            continue;
        }

        IObserver ObserverFor(Maker maker) => scenario.Engine == "Tbf" ? qdisc : maker.DelayObserver ? delay : drop;
        Console.WriteLine($"{scenario.Engine} {scenario.Fault}: {runs} runs (+1 warm-up) through the engine, then the floor ...");
        var subject = await Measure.RunAsync(scenario.Subject, ObserverFor(scenario.Subject), runs, stop.Token);
        var floor = await Measure.RunAsync(scenario.Floor, ObserverFor(scenario.Floor), runs, stop.Token);
        results.Add((scenario, subject, floor));
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("interrupted; namespaces removed.");
    return 130;
}
catch (Exception exception) when (exception is TimeoutException or NetworkCommandException or IOException or ArgumentException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync($"failed: {exception.Message}; namespaces removed.");
    return 1;
}
finally
{
    Directory.Delete(state, recursive: true);
}

Console.WriteLine();
Console.Write(Report(machine, date, quick, runs, capabilities, results));
return 0;

static bool Available(string engine, HostCapabilities host) => engine switch
{
    "Tbf" => host.Tbf,
    "Nftables" => host.Nftables && !host.Netem,
    "NfQueue" => host.NfQueue && !host.Netem,
    _ => false,
};

static string Report(MachineInfo machine, DateTimeOffset date, bool quick, int runs, HostCapabilities? host, List<(Scenario Scenario, MakerResult Subject, MakerResult Floor)> results)
{
    var text = new StringBuilder();
    void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
    static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture);
    static string Ms(double ms) => ms.ToString(ms < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);
    static string Ratio(double figure, double floor) => floor > 0 ? (figure / floor).ToString("0.0", CultureInfo.InvariantCulture) + "x" : "-";

    Line($"Faultline network benchmark, {date:yyyy-MM-dd HH:mm} UTC, {runs} runs per figure{(quick ? " (--quick: smoke-test counts, not figures to quote)" : "")}");
    Line($"Machine: {machine.ProcessorCount} logical CPUs ({machine.CpuModel}), {Gib(machine.TotalMemoryBytes)} GiB RAM; kernel {Environment.OSVersion.Version}; {machine.Runtime}");
    Line($"Host engines: {host}");
    Line($"Probes: UDP echo A -> B every ~1 ms over a veth (times are to the send of the first probe showing the state, and the 2 after it agree); bandwidth: `tc qdisc show` polled back to back.");
    Line($"");
    Line($"{"engine",-9} {"fault",-12} {"phase",-20} {"p50 ms",7} {"max ms",7} | {"floor p50",9} {"floor max",9} | {"p50 ratio",9} {"max ratio",9} | {"call p50",8}");
    foreach (var (scenario, subject, floor) in results)
    {
        Line($"{scenario.Engine,-9} {scenario.Fault,-12} {"inject -> observable",-20} {Ms(subject.Observable.At(50)),7} {Ms(subject.Observable.Max),7} | {Ms(floor.Observable.At(50)),9} {Ms(floor.Observable.Max),9} | {Ratio(subject.Observable.At(50), floor.Observable.At(50)),9} {Ratio(subject.Observable.Max, floor.Observable.Max),9} | {Ms(subject.InjectCall.At(50)),8}");
        Line($"{"",-9} {"",-12} {"rollback -> baseline",-20} {Ms(subject.Baseline.At(50)),7} {Ms(subject.Baseline.Max),7} | {Ms(floor.Baseline.At(50)),9} {Ms(floor.Baseline.Max),9} | {Ratio(subject.Baseline.At(50), floor.Baseline.At(50)),9} {Ratio(subject.Baseline.Max, floor.Baseline.Max),9} | {Ms(subject.RollbackCall.At(50)),8}");
    }

    Line($"");
    Line($"call p50: how long InjectAsync / RollbackAsync took to return (the observable time can be shorter: the effect lands before the call has finished checking it).");
    Line($"Floors and observers:");
    foreach (var (scenario, subject, floor) in results.DistinctBy(r => r.Scenario.Floor.Label))
    {
        Line($"  {scenario.Engine,-9} engine: {subject.Observer}; floor: {scenario.Floor.Label}, {floor.Observer}");
    }

    return text.ToString();
}

/// <summary>The plugin's log: warnings and failures to stderr, the rest dropped.</summary>
internal sealed class ConsoleLog : Faultline.Sdk.Plugins.IPluginLog
{
    public void Info(string message)
    {
    }

    public void Warn(string message) => Console.Error.WriteLine($"warn: {message}");

    public void Fail(string message, Exception? exception = null) => Console.Error.WriteLine($"fail: {message} {exception?.Message}");
}
