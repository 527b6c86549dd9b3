using System.Buffers.Text;
using Faultline.Domain.Paging;

namespace Faultline.Domain.Tests.Paging;

public sealed class PageCursorTests
{
    private const int Seed = 20_240_601;

    public static TheoryData<string> Guids => new()
    {
        Guid.Empty.ToString(),
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012",
        "00000000-0000-0000-0000-000000000001",
        "80000000-0000-0000-0000-000000000000",
    };

    public static TheoryData<string> Garbage => new()
    {
        " ",
        "not a cursor",
        "!!!!",
        "%00",
        "AQ==",
        "====",
        "\u00e9\u00e9\u00e9\u00e9",
        "AQID",
        "A",
        "{\"id\":\"0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012\"}",
        "0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012",
        "12345",
    };

    [Theory]
    [MemberData(nameof(Guids))]
    public void A_guid_cursor_decodes_to_the_same_guid(string value)
    {
        var id = Guid.Parse(value);

        Assert.True(PageCursor.TryDecode(PageCursor.Encode(id), out Guid? decoded));
        Assert.Equal(id, decoded);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(-1L)]
    [InlineData(42L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void A_long_cursor_decodes_to_the_same_long(long id)
    {
        Assert.True(PageCursor.TryDecode(PageCursor.Encode(id), out long? decoded));
        Assert.Equal(id, decoded);
    }

    [Fact]
    public void Random_guids_and_longs_round_trip_and_are_never_taken_for_each_other()
    {
        var random = new Random(Seed);
        for (var i = 0; i < 2_000; i++)
        {
            var guid = new Guid(random.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 16));
            var number = random.NextInt64(long.MinValue, long.MaxValue);
            var guidCursor = PageCursor.Encode(guid);
            var longCursor = PageCursor.Encode(number);

            Assert.True(PageCursor.TryDecode(guidCursor, out Guid? decodedGuid));
            Assert.Equal(guid, decodedGuid);
            Assert.True(PageCursor.TryDecode(longCursor, out long? decodedLong));
            Assert.Equal(number, decodedLong);
            Assert.False(PageCursor.TryDecode(guidCursor, out long? _));
            Assert.False(PageCursor.TryDecode(longCursor, out Guid? _));
        }
    }

    [Fact]
    public void Cursors_are_url_safe_and_short()
    {
        var cursors = new[] { PageCursor.Encode(Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff")), PageCursor.Encode(long.MinValue), PageCursor.Encode(-1L) };

        Assert.All(cursors, cursor =>
        {
            Assert.True(cursor.Length <= 64);
            Assert.All(cursor, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_', $"'{c}' in {cursor}"));
        });
    }

    [Fact]
    public void Different_ids_give_different_cursors()
    {
        Assert.NotEqual(PageCursor.Encode(1L), PageCursor.Encode(2L));
        Assert.NotEqual(
            PageCursor.Encode(Guid.Parse("0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012")),
            PageCursor.Encode(Guid.Parse("0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9013")));
    }

    [Theory]
    [MemberData(nameof(Guids))]
    public void A_guid_cursor_is_not_accepted_as_a_long_cursor(string value)
    {
        Assert.False(PageCursor.TryDecode(PageCursor.Encode(Guid.Parse(value)), out long? decoded));
        Assert.Null(decoded);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void A_long_cursor_is_not_accepted_as_a_guid_cursor(long id)
    {
        Assert.False(PageCursor.TryDecode(PageCursor.Encode(id), out Guid? decoded));
        Assert.Null(decoded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Missing_cursors_are_rejected(string? cursor)
    {
        Assert.False(PageCursor.TryDecode(cursor, out Guid? guid));
        Assert.Null(guid);
        Assert.False(PageCursor.TryDecode(cursor, out long? number));
        Assert.Null(number);
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Garbage_cursors_are_rejected_without_throwing(string cursor)
    {
        Assert.False(PageCursor.TryDecode(cursor, out Guid? guid));
        Assert.Null(guid);
        Assert.False(PageCursor.TryDecode(cursor, out long? number));
        Assert.Null(number);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void Over_long_cursors_are_rejected(int length)
    {
        // Valid base64url, so only the length check stands between it and the decoder.
        var cursor = new string('A', length);

        Assert.False(PageCursor.TryDecode(cursor, out Guid? _));
        Assert.False(PageCursor.TryDecode(cursor, out long? _));
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)2)]
    [InlineData((byte)3)]
    [InlineData((byte)255)]
    public void A_guid_sized_cursor_with_another_tag_is_rejected(byte tag)
    {
        var bytes = new byte[17];
        bytes[0] = tag;
        Guid.Parse("0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012").TryWriteBytes(bytes.AsSpan(1), bigEndian: true, out _);

        Assert.False(PageCursor.TryDecode(Base64Url.EncodeToString(bytes), out Guid? _));
        Assert.False(PageCursor.TryDecode(Base64Url.EncodeToString(bytes), out long? _));
    }

    [Theory]
    [InlineData((byte)0)]
    [InlineData((byte)1)]
    [InlineData((byte)3)]
    [InlineData((byte)255)]
    public void A_long_sized_cursor_with_another_tag_is_rejected(byte tag)
    {
        var bytes = new byte[9];
        bytes[0] = tag;
        BitConverter.TryWriteBytes(bytes.AsSpan(1), 42L);

        Assert.False(PageCursor.TryDecode(Base64Url.EncodeToString(bytes), out long? _));
        Assert.False(PageCursor.TryDecode(Base64Url.EncodeToString(bytes), out Guid? _));
    }

    [Fact]
    public void Truncated_or_extended_cursors_are_rejected()
    {
        var guidCursor = PageCursor.Encode(Guid.Parse("0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012"));
        var longCursor = PageCursor.Encode(42L);

        foreach (var tampered in Tamper(guidCursor))
        {
            Assert.False(PageCursor.TryDecode(tampered, out Guid? _), $"guid cursor {guidCursor} tampered to {tampered} was accepted");
        }

        foreach (var tampered in Tamper(longCursor))
        {
            Assert.False(PageCursor.TryDecode(tampered, out long? _), $"long cursor {longCursor} tampered to {tampered} was accepted");
        }
    }

    [Fact]
    public void Cursors_with_a_character_replaced_by_a_non_base64url_one_are_rejected()
    {
        var cursor = PageCursor.Encode(Guid.Parse("0196f1a0-7c3e-7d21-9a4b-5c6d7e8f9012"));
        foreach (var bad in "!*.~%$")
        {
            for (var i = 0; i < cursor.Length; i++)
            {
                var tampered = string.Concat(cursor.AsSpan(0, i), bad.ToString(), cursor.AsSpan(i + 1));
                Assert.False(PageCursor.TryDecode(tampered, out Guid? _), tampered);
            }
        }
    }

    [Fact]
    public void Random_strings_never_make_decoding_throw()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \t\n!%.\u00e9\u0000";
        var random = new Random(Seed);
        for (var i = 0; i < 20_000; i++)
        {
            var cursor = new string(random.GetItems(alphabet.AsSpan(), random.Next(0, 80)));

            // Any outcome is fine except an exception; whatever decodes must decode to a cursor we could have issued.
            if (PageCursor.TryDecode(cursor, out Guid? guid))
            {
                Assert.True(PageCursor.TryDecode(PageCursor.Encode(guid.Value), out Guid? again));
                Assert.Equal(guid, again);
            }

            if (PageCursor.TryDecode(cursor, out long? number))
            {
                Assert.True(PageCursor.TryDecode(PageCursor.Encode(number.Value), out long? again));
                Assert.Equal(number, again);
            }
        }
    }

    private static IEnumerable<string> Tamper(string cursor)
    {
        yield return cursor[..^1];
        yield return cursor[..^4];
        yield return cursor[1..];
        yield return cursor + "A";
        yield return cursor + "AAAA";
        yield return cursor + cursor;
        yield return "A" + cursor;
    }
}
