namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The generator's seeded streams: one per kind of data, so adding an opt-in kind never shifts the ids of the
/// kinds a definition already had.
/// </summary>
/// <remarks><see cref="Random"/> with a seed is used on purpose: this is reproducible test data, not security.</remarks>
internal static class SeededRandom
{
    /// <summary>The streams in use; a new kind of data takes a new number.</summary>
    public enum Stream
    {
        GroupIds = 1,
        DeviceConfigurations = 2,
        CompliancePolicies = 3,
        GroupDetails = 4,
        SecretConfigurations = 5,
        NotificationTemplates = 6,
        ComplianceActions = 7,
        LocalizedMessages = 8,
    }

#pragma warning disable CA5394 // Reproducible test data, not security.
    // Not HashCode.Combine: that is randomized per process, and the data set must be the same in every run.
    public static Random For(int seed, Stream stream) => new(unchecked((seed * 7919) + (int)stream) & int.MaxValue);

    public static string NextGuid(this Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes).ToString();
    }

    /// <summary>Eight random hex digits, to make generated secrets unique per tenant and seed.</summary>
    public static string NextHex(this Random random) => random.Next().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
#pragma warning restore CA5394
}
