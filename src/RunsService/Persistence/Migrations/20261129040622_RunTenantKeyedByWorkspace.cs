using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RunTenantKeyedByWorkspace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_operation_runs_tenants_tenant_id",
                schema: "runs",
                table: "operation_runs");

            migrationBuilder.DropIndex(
                name: "IX_operation_runs_tenant_id",
                schema: "runs",
                table: "operation_runs");

            migrationBuilder.AddUniqueConstraint(
                name: "AK_tenants_workspace_id_id",
                schema: "runs",
                table: "tenants",
                columns: new[] { "workspace_id", "id" });

            migrationBuilder.AddForeignKey(
                name: "FK_operation_runs_tenants_workspace_id_tenant_id",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "tenant_id" },
                principalSchema: "runs",
                principalTable: "tenants",
                principalColumns: new[] { "workspace_id", "id" },
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_operation_runs_tenants_workspace_id_tenant_id",
                schema: "runs",
                table: "operation_runs");

            migrationBuilder.DropUniqueConstraint(
                name: "AK_tenants_workspace_id_id",
                schema: "runs",
                table: "tenants");

            migrationBuilder.CreateIndex(
                name: "IX_operation_runs_tenant_id",
                schema: "runs",
                table: "operation_runs",
                column: "tenant_id");

            migrationBuilder.AddForeignKey(
                name: "FK_operation_runs_tenants_tenant_id",
                schema: "runs",
                table: "operation_runs",
                column: "tenant_id",
                principalSchema: "runs",
                principalTable: "tenants",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
