using Npgsql;
using TenantAtlas.Testing;

namespace TenantAtlas.RunsService.Tests.Testing;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Shared_server_hands_out_separate_databases()
    {
        var server = await PostgresServer.SharedAsync();
        Assert.Same(server, await PostgresServer.SharedAsync());

        var first = await server.CreateDatabaseAsync("smoke");
        var second = await server.CreateDatabaseAsync("smoke");

        var firstName = await SelectOneAsync(first);
        var secondName = await SelectOneAsync(second);
        Assert.StartsWith("smoke_", firstName, StringComparison.Ordinal);
        Assert.NotEqual(firstName, secondName);
    }

    private static async Task<string> SelectOneAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select 1, current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1, reader.GetInt32(0));
        return reader.GetString(1);
    }
}
