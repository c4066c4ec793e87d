using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RunsService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RunControl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "run_retention_days",
                schema: "runs",
                table: "workspaces",
                type: "integer",
                nullable: false,
                defaultValue: 90);

            migrationBuilder.AddColumn<DateTime>(
                name: "run_retention_updated_at",
                schema: "runs",
                table: "workspaces",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "cancel_requested_at",
                schema: "runs",
                table: "operation_runs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "cancel_requested_by_name",
                schema: "runs",
                table: "operation_runs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "cancel_requested_by_subject",
                schema: "runs",
                table: "operation_runs",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "run_identity_tombstones",
                schema: "runs",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    run_identity_hash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    purged_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_identity_tombstones", x => x.run_id);
                    table.ForeignKey(
                        name: "FK_run_identity_tombstones_workspaces_workspace_id",
                        column: x => x.workspace_id,
                        principalSchema: "runs",
                        principalTable: "workspaces",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_workspaces_run_retention_days",
                schema: "runs",
                table: "workspaces",
                sql: "run_retention_days BETWEEN 1 AND 3650");

            migrationBuilder.CreateIndex(
                name: "ix_operation_runs_retention",
                schema: "runs",
                table: "operation_runs",
                columns: new[] { "workspace_id", "completed_at" },
                filter: "status = 'completed'");

            migrationBuilder.CreateIndex(
                name: "ux_run_identity_tombstones_identity",
                schema: "runs",
                table: "run_identity_tombstones",
                columns: new[] { "workspace_id", "tenant_id", "run_identity_hash" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_identity_tombstones",
                schema: "runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_workspaces_run_retention_days",
                schema: "runs",
                table: "workspaces");

            migrationBuilder.DropIndex(
                name: "ix_operation_runs_retention",
                schema: "runs",
                table: "operation_runs");

            migrationBuilder.DropColumn(
                name: "run_retention_days",
                schema: "runs",
                table: "workspaces");

            migrationBuilder.DropColumn(
                name: "run_retention_updated_at",
                schema: "runs",
                table: "workspaces");

            migrationBuilder.DropColumn(
                name: "cancel_requested_at",
                schema: "runs",
                table: "operation_runs");

            migrationBuilder.DropColumn(
                name: "cancel_requested_by_name",
                schema: "runs",
                table: "operation_runs");

            migrationBuilder.DropColumn(
                name: "cancel_requested_by_subject",
                schema: "runs",
                table: "operation_runs");
        }
    }
}
