using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RestoreService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ReferenceDecisionsTemplatesSecrets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "reference_decisions",
                schema: "restore",
                table: "restore_runs",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "template_mappings",
                schema: "restore",
                table: "restore_runs",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "reconcile_candidates",
                schema: "restore",
                table: "restore_items",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "secret_paths",
                schema: "restore",
                table: "restore_items",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.CreateTable(
                name: "restore_templates",
                schema: "restore",
                columns: table => new
                {
                    restore_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_template_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    target_template_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    result = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    journal = table.Column<string>(type: "jsonb", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_restore_templates", x => new { x.restore_id, x.source_template_id });
                    table.ForeignKey(
                        name: "FK_restore_templates_restore_runs_restore_id",
                        column: x => x.restore_id,
                        principalSchema: "restore",
                        principalTable: "restore_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "restore_templates",
                schema: "restore");

            migrationBuilder.DropColumn(
                name: "reference_decisions",
                schema: "restore",
                table: "restore_runs");

            migrationBuilder.DropColumn(
                name: "template_mappings",
                schema: "restore",
                table: "restore_runs");

            migrationBuilder.DropColumn(
                name: "reconcile_candidates",
                schema: "restore",
                table: "restore_items");

            migrationBuilder.DropColumn(
                name: "secret_paths",
                schema: "restore",
                table: "restore_items");
        }
    }
}
