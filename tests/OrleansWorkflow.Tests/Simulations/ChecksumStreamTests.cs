using System.Security.Cryptography;
using OrleansWorkflow.Simulations;
using OrleansWorkflow.Simulations.Data;
using OrleansWorkflow.Tests.Infrastructure;

namespace OrleansWorkflow.Tests.Simulations;

/// <summary>Staged data read to its end is checked against the size and SHA-256 its machine recorded.</summary>
[Trait(Lanes.Category, Lanes.ServiceFree)]
public sealed class ChecksumStreamTests
{
    private static readonly byte[] Bytes = RandomNumberGenerator.GetBytes(200_000);

    private static DataItem Staged(byte[] bytes) => new()
    {
        Name = "terrain", IncidentId = Guid.NewGuid(), Machine = "archer2", Status = DataStatus.Ready, Size = bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
    };

    [Fact]
    public async Task The_bytes_staged_read_through_to_their_end()
    {
        await using var read = new ChecksumStream(new MemoryStream(Bytes), Staged(Bytes));
        using var copy = new MemoryStream();

        await read.CopyToAsync(copy);

        Assert.Equal(Bytes, copy.ToArray());
    }

    [Fact]
    public async Task A_file_changed_since_it_was_staged_throws_at_its_end_naming_both_checksums()
    {
        var changed = (byte[])Bytes.Clone();
        changed[^1] ^= 1;
        var staged = Staged(Bytes);
        await using var read = new ChecksumStream(new MemoryStream(changed), staged);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => read.CopyToAsync(Stream.Null));

        Assert.Contains($"not the {Bytes.Length} bytes with {staged.Sha256} staged on archer2", error.Message);
    }
}
