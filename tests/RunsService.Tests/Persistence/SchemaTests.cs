using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantAtlas.RunsService.Persistence;

namespace TenantAtlas.RunsService.Tests.Persistence;

public sealed class SchemaTests(RunsServiceFixture service) : IClassFixture<RunsServiceFixture>
{
    // The check constraints are generated from the stored vocabularies (RunVocabulary): a new status, outcome or
    // notification kind changes the model, and must come with a migration or the database would refuse it.
    [Fact]
    public void Model_HasNoChangesWithoutAMigration()
    {
        using var scope = service.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RunsDbContext>();

        Assert.False(db.Database.HasPendingModelChanges(), "the model differs from the last migration: add one (dotnet ef migrations add)");
    }
}
