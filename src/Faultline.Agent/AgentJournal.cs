using System.Text.Json;
using Faultline.Domain.Agents;
using Microsoft.Extensions.Logging;

namespace Faultline.Agent;

/// <summary>
/// The agent's write-ahead record of its faults: one JSON file per fault, <c>&lt;faultId&gt;.json</c>. An entry is
/// on disk (written, flushed to the device, renamed into place) before the injector is called, rewritten with the
/// handle once inject returns, and deleted only after a rollback proved the fault gone. Whatever happens to the
/// process in between, the next start finds the fault here.
/// </summary>
public sealed class AgentJournal
{
    private const string Suffix = ".json";
    private const string TemporarySuffix = ".tmp";

    private readonly string _directory;
    private readonly ILogger _logger;

    public AgentJournal(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        Directory.CreateDirectory(directory);
    }

    public string PathOf(string faultId) =>
        FaultIds.IsSafe(faultId) ? Path.Combine(_directory, faultId + Suffix) : throw new ArgumentException($"'{faultId}' is not a safe fault id.", nameof(faultId));

    /// <summary>
    /// Durable before it returns: the bytes are flushed to the device before the rename, so a crash leaves either
    /// the old entry or the new one, never a torn file; the folder is flushed after it, so the rename itself lasts.
    /// </summary>
    public void Write(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var path = PathOf(entry.FaultId);
        var temporary = path + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, entry, AgentJson.Options);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        DirectorySync.Flush(_directory);
    }

    public void Delete(string faultId) => File.Delete(PathOf(faultId));

    public bool Contains(string faultId) => FaultIds.IsSafe(faultId) && File.Exists(PathOf(faultId));

    /// <summary>Every readable entry. An unreadable one is logged and left for an operator: it cannot be attributed.</summary>
    public IReadOnlyList<JournalEntry> ReadAll()
    {
        var entries = new List<JournalEntry>();
        foreach (var file in Directory.EnumerateFiles(_directory))
        {
            if (file.EndsWith(TemporarySuffix, StringComparison.Ordinal))
            {
                // A write that never reached its rename: the entry it was replacing (if any) is still in place.
                File.Delete(file);
                continue;
            }

            if (!file.EndsWith(Suffix, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                var entry = JsonSerializer.Deserialize<JournalEntry>(File.ReadAllText(file), AgentJson.Options);
                if (entry is not null && string.Equals(Path.GetFileName(file), entry.FaultId + Suffix, StringComparison.Ordinal))
                {
                    entries.Add(entry);
                    continue;
                }

                _logger.LogError("Journal file {File} does not hold an entry of its own fault id; left in place", file);
            }
            catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
            {
                _logger.LogError(exception, "Journal file {File} cannot be read; left in place", file);
            }
        }

        return entries;
    }
}
