using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ActiveRunsListingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_operation_runs_active_created",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "created_at", "id" },
                descending: new[] { false, true, true },
                filter: "status IN ('queued', 'running')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_operation_runs_active_created",
                schema: "runs",
                table: "operation_runs");
        }
    }
}
