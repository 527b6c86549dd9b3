using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Faultline.Agent.Tests;

public sealed class AgentJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("faultline-journal-").FullName;

    [Fact]
    public void An_entry_survives_a_round_trip_with_its_handle_and_a_torn_write_leaves_nothing_behind()
    {
        var journal = new AgentJournal(_directory, NullLogger.Instance);
        var target = new Target("noop", "demo", new Dictionary<string, string> { ["app"] = "payments" }, new Dictionary<string, string>());
        var handle = new FaultHandle("noop", "f-1", target, JsonDocument.Parse("""{"failVerify":false}""").RootElement, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(5));
        var entry = new JournalEntry("f-1", Guid.NewGuid(), "noop", target, handle, handle.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(15));
        journal.Write(entry);
        File.WriteAllText(Path.Combine(_directory, "f-2.json.tmp"), "{ half");

        var read = Assert.Single(journal.ReadAll());

        Assert.Equal(entry.FaultId, read.FaultId);
        Assert.Equal(entry.GraceUntil, read.GraceUntil);
        Assert.Equal("payments", read.Target.Labels["app"]);
        Assert.Equal(handle.ToJson(), read.Handle!.ToJson());
        Assert.False(File.Exists(Path.Combine(_directory, "f-2.json.tmp")), "a write that never reached its rename is dropped");
    }

    [Fact]
    public void A_fault_id_that_could_leave_the_journal_folder_is_refused()
    {
        var journal = new AgentJournal(_directory, NullLogger.Instance);

        Assert.Throws<ArgumentException>(() => journal.PathOf("../escape"));
        Assert.Throws<ArgumentException>(() => journal.PathOf(".hidden"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
