using System.Text;
using Faultline.Storage.Common;
using Faultline.Storage.Secrets;
using Faultline.Storage.Tenancy;

namespace Faultline.Storage.Tests.Secrets;

public sealed class SecretStoreTests(PostgresServer postgres) : StorageTest(postgres)
{
    private const string Value = "pg-password-91b7c3e5d2";

    private readonly AesGcmSecretProtector _protector = new(MasterKey.Generate());
    private Guid _acme;
    private TeamRecord _payments = null!;
    private TeamRecord _checkout = null!;
    private SecretStore _secrets = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _acme = await CreateOrganizationAsync("Acme");
        var teams = new TeamStore(DataSource);
        _payments = (await teams.CreateAsync(_acme, "payments", null, Actor, Ct)).Value!;
        _checkout = (await teams.CreateAsync(_acme, "checkout", null, Actor, Ct)).Value!;
        _secrets = new SecretStore(DataSource, _protector);
    }

    [Fact]
    public async Task The_value_is_not_in_the_database_in_plaintext_and_reads_back_through_the_protector()
    {
        var put = (await _secrets.PutAsync(_acme, _payments.Id, "db-password", Value, null, Actor, Ct)).Value!;
        Assert.True(put.Created);

        // Every byte of the row, and the whole audit log, searched for the value as text and as UTF-8 bytes.
        var rowText = await ScalarAsync<string>("select row_to_json(s)::text from secrets s where id = @id", new { id = put.Secret.Id });
        var ciphertext = await ScalarAsync<byte[]>("select ciphertext from secrets where id = @id", new { id = put.Secret.Id });
        var nonce = await ScalarAsync<byte[]>("select nonce from secrets where id = @id", new { id = put.Secret.Id });
        Assert.DoesNotContain(Value, rowText, StringComparison.Ordinal);
        Assert.Equal(-1, ciphertext.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Value)));
        Assert.Equal(Encoding.UTF8.GetByteCount(Value) + AesGcmSecretProtector.TagSize, ciphertext.Length);
        Assert.Equal(AesGcmSecretProtector.NonceSize, nonce.Length);
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from audit_events where summary::text like @pattern", new { pattern = $"%{Value}%" }));

        var values = await _secrets.ReadValuesAsync(_acme, _payments.Id, ["db-password", "absent"], Ct);
        Assert.Equal(Value, Assert.Single(values).Value);
    }

    [Fact]
    public async Task Each_write_uses_a_fresh_nonce()
    {
        await _secrets.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct);
        var first = await ScalarAsync<byte[]>("select nonce from secrets where name = 'token'");
        var replaced = (await _secrets.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct)).Value!;

        Assert.False(replaced.Created);
        Assert.Equal(2, replaced.Secret.Version);
        Assert.NotEqual(first, await ScalarAsync<byte[]>("select nonce from secrets where name = 'token'"));
    }

    [Fact]
    public async Task A_tampered_ciphertext_fails_to_decrypt_with_a_clear_error()
    {
        await _secrets.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct);
        await ExecuteAsync("update secrets set ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) where name = 'token'");

        var failure = await Assert.ThrowsAsync<SecretDecryptionException>(() => _secrets.ReadValuesAsync(_acme, _payments.Id, ["token"], Ct));

        Assert.Contains("secret 'token'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("altered", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_moved_to_another_team_does_not_decrypt_there()
    {
        await _secrets.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct);
        await ExecuteAsync("update secrets set team_id = @team where name = 'token'", new { team = _checkout.Id });

        var failure = await Assert.ThrowsAsync<SecretDecryptionException>(() => _secrets.ReadValuesAsync(_acme, _checkout.Id, ["token"], Ct));

        Assert.Contains("moved from another organization, team or name", failure.Message, StringComparison.Ordinal);
        Assert.Empty(await _secrets.ReadValuesAsync(_acme, _payments.Id, ["token"], Ct));
    }

    [Fact]
    public async Task A_row_sealed_with_another_master_key_names_both_keys()
    {
        var other = new SecretStore(DataSource, new AesGcmSecretProtector(MasterKey.Generate()));
        await other.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct);

        var failure = await Assert.ThrowsAsync<SecretDecryptionException>(() => _secrets.ReadValuesAsync(_acme, _payments.Id, ["token"], Ct));

        Assert.Contains(_protector.CurrentKeyId, failure.Message, StringComparison.Ordinal);
        Assert.Contains("FAULTLINE_SECRETS_KEY", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_are_audited_in_their_transaction_with_name_and_version_only()
    {
        var created = (await _secrets.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct)).Value!;
        Assert.Equal(OutcomeStatus.VersionMismatch, (await _secrets.PutAsync(_acme, _payments.Id, "token", "other", 7, Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await _secrets.PutAsync(_acme, _payments.Id, "absent", "other", 1, Actor, Ct)).Status);
        await _secrets.PutAsync(_acme, _payments.Id, "token", Value + "2", 1, Actor, Ct);
        Assert.Equal(OutcomeStatus.VersionMismatch, (await _secrets.DeleteAsync(_acme, _payments.Id, "token", 1, Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.Done, (await _secrets.DeleteAsync(_acme, _payments.Id, "token", 2, Actor, Ct)).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await _secrets.DeleteAsync(_acme, _payments.Id, "token", null, Actor, Ct)).Status);

        var rows = await AuditRowsAsync(_acme);
        var secretRows = rows.Where(r => r.ResourceType == "secret").ToList();
        Assert.Equal(["secret.created", "secret.replaced", "secret.deleted"], secretRows.Select(r => r.Action));
        Assert.All(secretRows, row =>
        {
            Assert.Equal(created.Secret.Id.ToString(), row.ResourceId);
            Assert.Contains("\"name\": \"token\"", row.Summary, StringComparison.Ordinal);
            Assert.DoesNotContain(Value, row.Summary, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Names_are_unique_per_team_not_per_organization()
    {
        await _secrets.PutAsync(_acme, _payments.Id, "token", Value, null, Actor, Ct);
        await _secrets.PutAsync(_acme, _checkout.Id, "token", "checkout's own", null, Actor, Ct);

        Assert.Equal(Value, (await _secrets.ReadValuesAsync(_acme, _payments.Id, ["token"], Ct))["token"]);
        Assert.Equal("checkout's own", (await _secrets.ReadValuesAsync(_acme, _checkout.Id, ["token"], Ct))["token"]);
        Assert.Equal(["token"], await _secrets.ExistingNamesAsync(_acme, _checkout.Id, ["token", "other"], Ct));
    }
}
