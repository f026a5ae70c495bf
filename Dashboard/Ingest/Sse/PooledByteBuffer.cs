using System.Buffers;

namespace Dashboard.Ingest.Sse;

/// <summary>
/// A growable byte buffer; small arrays are rented from <see cref="ArrayPool{T}.Shared"/>. Callers
/// enforce their own bound before appending. Arrays above <see cref="KeepCapacity"/> are allocated,
/// never pooled, and dropped on <see cref="Clear"/>: the shared pool keeps returned arrays per
/// thread and per core, so pooling the megabyte buffers of huge events kept several of them per
/// size long after the stream moved on (a 4 MB line attack held hundreds of megabytes).
/// </summary>
internal sealed class PooledByteBuffer : IDisposable
{
    // Above this a cleared buffer returns its array: steady-state streams keep only small arrays.
    private const int KeepCapacity = 64 * 1024;

    private byte[] _array = [];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    /// <summary>The content, valid until the next change to the buffer.</summary>
    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        EnsureCapacity(Length + bytes.Length);
        bytes.CopyTo(_array.AsSpan(Length));
        Length += bytes.Length;
    }

    public void Append(byte value)
    {
        EnsureCapacity(Length + 1);
        _array[Length++] = value;
    }

    public void Set(ReadOnlySpan<byte> bytes)
    {
        Length = 0;
        Append(bytes);
    }

    public void Clear()
    {
        Length = 0;
        if (_array.Length > KeepCapacity)
        {
            ReturnArray();
        }
    }

    public void Dispose()
    {
        Length = 0;
        ReturnArray();
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _array.Length)
        {
            return;
        }

        var size = Math.Max(needed, Math.Max(256, _array.Length * 2));
        var next = size <= KeepCapacity ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        _array.AsSpan(0, Length).CopyTo(next);
        ReturnArray();
        _array = next;
    }

    private void ReturnArray()
    {
        if (_array.Length is > 0 and <= KeepCapacity)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = [];
    }
}
