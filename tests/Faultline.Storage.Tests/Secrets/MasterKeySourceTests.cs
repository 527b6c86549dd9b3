using Faultline.Storage.Secrets;

namespace Faultline.Storage.Tests.Secrets;

public sealed class MasterKeySourceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"faultline-keys-{Guid.NewGuid():N}");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_embedded_key_file_is_created_0600_and_reused()
    {
        var path = Path.Combine(_directory, "data", MasterKeySource.EmbeddedKeyFileName);

        var created = MasterKeySource.LoadOrCreateFile(path);
        var reused = MasterKeySource.LoadOrCreateFile(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(created.Id, reused.Id);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void The_environment_names_the_key_directly_or_by_file()
    {
        var key = MasterKey.Generate();
        var file = Path.Combine(_directory, "key");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(file, key.ToBase64() + "\n");

        Assert.Null(MasterKeySource.FromEnvironment(_ => null));
        Assert.Equal(key.Id, MasterKeySource.FromEnvironment(name => name == MasterKeySource.KeyVariable ? key.ToBase64() : null)!.Id);
        Assert.Equal(key.Id, MasterKeySource.FromEnvironment(name => name == MasterKeySource.KeyFileVariable ? file : null)!.Id);
    }

    [Theory]
    [InlineData("not base64!", "not base64")]
    [InlineData("c2hvcnQ=", "holds 5 bytes")]
    public void A_malformed_key_is_refused_saying_what_is_wrong_without_echoing_it(string text, string expected)
    {
        var failure = Assert.Throws<MasterKeyException>(() => MasterKeySource.FromEnvironment(name => name == MasterKeySource.KeyVariable ? text : null));

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
        Assert.Contains(MasterKeySource.KeyVariable, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(text, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_master_key_never_prints_its_bytes()
    {
        var key = MasterKey.Generate();

        Assert.DoesNotContain(key.ToBase64(), key.ToString(), StringComparison.Ordinal);
        Assert.Contains(key.Id, key.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
