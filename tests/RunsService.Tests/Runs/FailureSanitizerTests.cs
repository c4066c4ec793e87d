using System.Text;
using System.Text.Json;
using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Tests.Runs;

public sealed class FailureSanitizerTests
{
    private const string Ellipsis = "…";

    private static readonly Lazy<IReadOnlyList<SanitizationCase>> LoadedCorpus = new(LoadCorpus);

    /// <summary>Every corpus case: name, input, expected output, secrets that must not survive.</summary>
    public static TheoryData<string, string, string, string[]> Corpus()
    {
        var data = new TheoryData<string, string, string, string[]>();
        foreach (var item in LoadedCorpus.Value)
        {
            data.Add(item.Name, item.Input, item.Expected, [.. item.Secrets]);
        }

        return data;
    }

    /// <summary>Corpus inputs plus messages built here (long, truncated ones) for the idempotence check.</summary>
    public static TheoryData<string, string> IdempotenceInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var item in LoadedCorpus.Value)
        {
            data.Add(item.Name, item.Input);
        }

        data.Add("long-words", LongMessage());
        data.Add("long-with-secrets", LongMessageWithSecrets());
        data.Add("long-without-spaces", "x" + new string('a', 1500) + "&sig=abcdef&" + new string('b', 1500));
        data.Add("cut-inside-marker", new string('a', 990) + "&sig=abcdef&" + new string('b', 100));
        data.Add("cut-after-key", string.Join(' ', Enumerable.Repeat("word", 196)) + " Authorization: Bearer abcdef123456 and more");
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Sanitize_ProducesExpectedOutputAndNoSecretSurvives(string name, string input, string expected, string[] secrets)
    {
        var actual = FailureSanitizer.Sanitize(input);

        Assert.Equal(expected, actual);
        Assert.All(secrets, secret => Assert.False(actual.Contains(secret, StringComparison.Ordinal), $"case {name}: '{secret}' survived in '{actual}'"));
    }

    [Theory]
    [MemberData(nameof(IdempotenceInputs))]
    public void Sanitize_IsIdempotent(string name, string input)
    {
        var once = FailureSanitizer.Sanitize(input);

        var twice = FailureSanitizer.Sanitize(once);
        Assert.True(once == twice, $"case {name}: sanitizing again changed '{once}' into '{twice}'");
    }

    [Fact]
    public void Corpus_IsLargeNamedUniquelyAndItsSecretsAppearInTheInputs()
    {
        var corpus = LoadedCorpus.Value;

        Assert.True(corpus.Count >= 30, $"The corpus has {corpus.Count} cases; at least 30 are expected.");
        Assert.Equal(corpus.Count, corpus.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(corpus, c => Assert.All(c.Secrets, secret => Assert.Contains(secret, c.Input, StringComparison.Ordinal)));
        Assert.Contains(corpus, c => c.Secrets.Count == 0 && c.Expected == c.Input);
    }

    [Theory]
    [InlineData("Authorization failed. Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln", "Authorization failed. Bearer [REDACTED]")]
    [InlineData("token rejected: BEARER abc123~opaque/token+value==", "token rejected: BEARER [REDACTED]")]
    [InlineData("Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a, retrying", "Bearer [REDACTED], retrying")]
    public void Sanitize_RedactsBearerTokens(string input, string expected) =>
        Assert.Equal(expected, FailureSanitizer.Sanitize(input));

    [Theory]
    [InlineData("Authorization: Basic dXNlcjpwYXNz", "Authorization: [REDACTED]")]
    [InlineData("proxy-authorization:Negotiate abc def\nnext", "proxy-authorization:[REDACTED] next")]
    [InlineData("Cookie: a=1; b=2", "Cookie: [REDACTED]")]
    public void Sanitize_RedactsAuthorizationHeadersToEndOfLine(string input, string expected) =>
        Assert.Equal(expected, FailureSanitizer.Sanitize(input));

    [Theory]
    [InlineData("client_secret=abc~123&scope=x", "client_secret=[REDACTED]&scope=x")]
    [InlineData("\"client_secret\": \"abc~123\"", "\"client_secret\": \"[REDACTED]\"")]
    [InlineData("Host=h;Password=p@ss word;Database=d", "Host=h;Password=[REDACTED];Database=d")]
    [InlineData("postgres://user:p4ss@host/db", "postgres://user:[REDACTED]@host/db")]
    [InlineData("https://u:p@h", "https://u:[REDACTED]@h")]
    public void Sanitize_RedactsKeyedSecretsKeepingTheKeyName(string input, string expected) =>
        Assert.Equal(expected, FailureSanitizer.Sanitize(input));

    [Theory]
    [InlineData("Item 3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b failed: Request_ResourceNotFound")]
    [InlineData("{\"id\":\"3F2A9C1E-8B7D-4E6F-9A0B-1C2D3E4F5A6B\",\"etag\":\"W/\\\"0123456789abcdef0123456789abcdef\\\"\"}")]
    [InlineData("Hash a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 and blob SGVsbG8gV29ybGQhIFRoaXMgaXMgYmFzZTY0 are kept")]
    public void Sanitize_KeepsGuidsAndOrdinaryBlobs(string input) =>
        Assert.Equal(input, FailureSanitizer.Sanitize(input));

    [Theory]
    [InlineData('a')]
    [InlineData('_')]
    [InlineData('.')]
    public void Sanitize_LongIdentifierRuns_AreReadNotWithheld_AndTheirSecretsRedacted(char filler)
    {
        // Key words match whole identifiers; runs of identifier characters must not make the patterns backtrack
        // into a timeout (a message withheld is a failure nobody can read). Ten runs at once, as a loaded machine would.
        var input = new string(filler, 900) + "&sig=c2VjcmV0 key=v4lue " + new string(filler, 15_000);

        var results = Enumerable.Range(0, 10).AsParallel().Select(_ => FailureSanitizer.Sanitize(input)).ToList();

        Assert.All(results, r => Assert.NotEqual("[message withheld: could not be sanitized]", r));
        Assert.All(results, r => Assert.DoesNotContain("c2VjcmV0", r, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    public void Sanitize_ReturnsEmptyForNullEmptyOrBlank(string? input) =>
        Assert.Equal(string.Empty, FailureSanitizer.Sanitize(input));

    [Fact]
    public void Sanitize_CollapsesControlCharactersToSingleSpaces()
    {
        var input = "\r\n first\r\nsecond\t\tthird \u0000\u0001\u001b fourth\u007f\u0085fifth\u2028sixth  seventh\n";

        Assert.Equal("first second third fourth fifth sixth  seventh", FailureSanitizer.Sanitize(input));
    }

    [Fact]
    public void Sanitize_TruncatesLongMessagesWithEllipsis()
    {
        var sanitized = FailureSanitizer.Sanitize(LongMessage());

        Assert.True(sanitized.Length <= FailureSanitizer.MaxMessageLength, $"Length {sanitized.Length}");
        Assert.EndsWith(Ellipsis, sanitized, StringComparison.Ordinal);
        Assert.StartsWith("Sync of item 0 failed", sanitized, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_TruncatesMessagesWithoutSpacesWithinTheLimit()
    {
        var sanitized = FailureSanitizer.Sanitize(new string('z', 5000));

        Assert.Equal(FailureSanitizer.MaxMessageLength, sanitized.Length);
        Assert.Equal(new string('z', FailureSanitizer.MaxMessageLength - 1) + Ellipsis, sanitized);
    }

    [Fact]
    public void Sanitize_KeepsMessagesOfExactlyTheMaximumLength()
    {
        var input = new string('y', FailureSanitizer.MaxMessageLength);

        Assert.Equal(input, FailureSanitizer.Sanitize(input));
    }

    [Fact]
    public void Sanitize_RedactsBeforeTruncatingSoNoSecretPrefixSurvives()
    {
        var sanitized = FailureSanitizer.Sanitize(LongMessageWithSecrets());

        Assert.True(sanitized.Length <= FailureSanitizer.MaxMessageLength, $"Length {sanitized.Length}");
        Assert.EndsWith(Ellipsis, sanitized, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cretValue", sanitized, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJhbGci", sanitized, StringComparison.Ordinal);
        Assert.Contains("client_secret=[REDACTED]", sanitized, StringComparison.Ordinal);
    }

    [Fact]
    public void Sanitize_NeverCutsInsideTheRedactionMarker()
    {
        // Without spaces there is no word boundary to cut at; the marker would straddle the limit.
        var sanitized = FailureSanitizer.Sanitize(new string('a', 990) + "&sig=abcdef&" + new string('b', 100));

        Assert.Equal(new string('a', 990) + "&sig=" + Ellipsis, sanitized);
    }

    [Fact]
    public void Sanitize_DoesNotSplitSurrogatePairsWhenTruncating()
    {
        var sanitized = FailureSanitizer.Sanitize(string.Concat(Enumerable.Repeat("🚫", 1000)));

        Assert.True(sanitized.Length <= FailureSanitizer.MaxMessageLength, $"Length {sanitized.Length}");
        Assert.EndsWith(Ellipsis, sanitized, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(sanitized[^2]), "The truncated text ends in half a surrogate pair.");
    }

    [Fact]
    public void Sanitize_HandlesHugeMessagesWithoutWithholdingThem()
    {
        var huge = new StringBuilder();
        for (var i = 0; huge.Length < 2_000_000; i++)
        {
            huge.Append("line ").Append(i).Append(": password=secret").Append(i).Append("; Bearer tok").Append(i).Append('\n');
        }

        var sanitized = FailureSanitizer.Sanitize(huge.ToString());

        Assert.StartsWith("line 0: password=[REDACTED]; Bearer [REDACTED] line 1:", sanitized, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", sanitized, StringComparison.Ordinal);
        Assert.True(sanitized.Length <= FailureSanitizer.MaxMessageLength, $"Length {sanitized.Length}");
    }

    private static string LongMessage() =>
        string.Join("\n", Enumerable.Range(0, 200).Select(i =>
            $"Sync of item {i} failed: Request_ResourceNotFound for 3f2a9c1e-8b7d-4e6f-9a0b-{i:D12}."));

    private static string LongMessageWithSecrets() =>
        string.Join("\r\n", Enumerable.Range(0, 60).Select(i =>
            $"attempt {i}: client_secret=S3cretValue~{i}&grant_type=client_credentials id_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ{i}In0.c2ln"));

    private static List<SanitizationCase> LoadCorpus()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Runs", "sanitization-corpus.json");
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<List<SanitizationCase>>(stream, JsonOptions)
            ?? throw new InvalidOperationException($"{path} is empty.");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        RespectRequiredConstructorParameters = true,
        AllowTrailingCommas = false,
    };

    private sealed record SanitizationCase(string Name, string Input, string Expected, IReadOnlyList<string> Secrets);
}
