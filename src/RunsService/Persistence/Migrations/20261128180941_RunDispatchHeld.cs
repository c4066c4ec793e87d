using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RunDispatchHeld : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "dispatch_held",
                schema: "runs",
                table: "operation_runs",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dispatch_held",
                schema: "runs",
                table: "operation_runs");
        }
    }
}
