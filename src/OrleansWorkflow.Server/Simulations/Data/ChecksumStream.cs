using System.Security.Cryptography;

namespace OrleansWorkflow.Simulations.Data;

/// <summary>
/// Reads a staged file through, hashing what passes; at its end, throws when the bytes are not the size and SHA-256
/// the machine recorded (a file changed or cut since it was staged).
/// </summary>
internal sealed class ChecksumStream(Stream inner, DataItem item) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => item.Size ?? inner.Length;
    public override long Position { get => _read; set => throw new NotSupportedException("Staged data is read from start to end."); }

    public override int Read(byte[] buffer, int offset, int count) => Took(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var count = await inner.ReadAsync(buffer, cancellationToken);
        return Took(buffer.Span[..count]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Took(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0)
        {
            _hash.AppendData(bytes);
            _read += bytes.Length;
        }
        else if (!_checked)
        {
            _checked = true;
            var sum = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (_read != item.Size || sum != item.Sha256)
                throw new InvalidDataException($"Data {item.Name} of incident {item.IncidentId} read as {_read} bytes with SHA-256 {sum}, not the {item.Size} bytes with {item.Sha256} staged on {item.Machine}: the file changed since.");
        }
        return bytes.Length;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Staged data is read from start to end.");
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        _hash.Dispose();
        await base.DisposeAsync();
    }
}
