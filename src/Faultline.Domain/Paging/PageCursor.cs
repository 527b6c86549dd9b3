using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace Faultline.Domain.Paging;

/// <summary>
/// An opaque keyset cursor: the sort key of the last item of a page. Clients must not build cursors;
/// anything that does not decode is rejected rather than silently restarting from the first page.
/// </summary>
public static class PageCursor
{
    private const byte GuidCursorTag = 1;
    private const byte LongCursorTag = 2;

    public static string Encode(Guid lastId)
    {
        var bytes = new byte[17];
        bytes[0] = GuidCursorTag;
        lastId.TryWriteBytes(bytes.AsSpan(1), bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    public static string Encode(long lastId)
    {
        var bytes = new byte[9];
        bytes[0] = LongCursorTag;
        BitConverter.TryWriteBytes(bytes.AsSpan(1), lastId);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool TryDecode(string? cursor, [NotNullWhen(true)] out Guid? lastId)
    {
        lastId = null;
        if (!TryDecodeBytes(cursor, GuidCursorTag, 17, out var bytes))
        {
            return false;
        }

        lastId = new Guid(bytes.AsSpan(1), bigEndian: true);
        return true;
    }

    public static bool TryDecode(string? cursor, [NotNullWhen(true)] out long? lastId)
    {
        lastId = null;
        if (!TryDecodeBytes(cursor, LongCursorTag, 9, out var bytes))
        {
            return false;
        }

        lastId = BitConverter.ToInt64(bytes, 1);
        return true;
    }

    private static bool TryDecodeBytes(string? cursor, byte tag, int length, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 64)
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        return bytes.Length == length && bytes[0] == tag;
    }
}
