using System.Buffers;
using Orleans.Serialization;
using Orleans.Storage;

namespace NodeDb.Orleans.Grains.Storage;

/// <summary>
/// The SQLite grain storage's default serializer: Orleans' binary format (the codecs generated for every
/// <c>[GenerateSerializer]</c> state type, fields by <c>[Id]</c>), behind one format byte; rows without it are read with
/// <paramref name="legacy"/>, the silo's JSON serializer that wrote them before.
/// </summary>
/// <remarks>
/// <para>Orleans' default storage serializer is Newtonsoft JSON with type names on every object: it was the largest single
/// cost of a state write in the bulk-creation profile (issue 13), a seventh of the CPU, and grew with every name of an index
/// bucket or wake shard. The binary codecs write the same fields in a fraction of the time and bytes.</para>
/// <para>A binary row starts with <see cref="FormatByte"/> (0x00), which no JSON text begins with, so the two formats can
/// sit side by side in one file: a data directory written by an earlier version is read as it is, and each row turns binary
/// at its next write. Nothing is converted in bulk and nothing needs a migration step.</para>
/// </remarks>
internal sealed class BinaryStateSerializer(Serializer serializer, IGrainStorageSerializer legacy) : IGrainStorageSerializer
{
    /// <summary>The first byte of a row in this format.</summary>
    internal const byte FormatByte = 0x00;

    /// <inheritdoc/>
    public BinaryData Serialize<T>(T? input)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(1)[0] = FormatByte;
        buffer.Advance(1);
        serializer.Serialize(input, buffer);
        return new BinaryData(buffer.WrittenMemory);
    }

    /// <inheritdoc/>
    public T? Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bytes = input.ToMemory();
        return bytes.Length > 0 && bytes.Span[0] == FormatByte
            ? serializer.Deserialize<T>(bytes[1..])
            : legacy.Deserialize<T>(input);
    }
}
