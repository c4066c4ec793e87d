using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.RestoreService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class RestoreRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "restore");

            migrationBuilder.CreateTable(
                name: "restore_runs",
                schema: "restore",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    backup_set_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    target_tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    target_entra_tenant_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    cross_tenant = table.Column<bool>(type: "boolean", nullable: false),
                    item_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    allow_overwrite = table.Column<bool>(type: "boolean", nullable: false),
                    allow_broad_targets = table.Column<bool>(type: "boolean", nullable: false),
                    dry_run = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    preview_run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    execute_run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    plan_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    plan_expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    group_choices = table.Column<string>(type: "jsonb", nullable: false),
                    group_mappings = table.Column<string>(type: "jsonb", nullable: false),
                    adapter_pending = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    failure_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    failure_message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_restore_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "restore_items",
                schema: "restore",
                columns: table => new
                {
                    restore_id = table.Column<Guid>(type: "uuid", nullable: false),
                    item_id = table.Column<Guid>(type: "uuid", nullable: false),
                    family = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    source_policy_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    odata_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    display_name = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    blocked_reason = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    target_policy_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    target_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    body = table.Column<string>(type: "text", nullable: true),
                    assignments = table.Column<string>(type: "text", nullable: true),
                    scheduled_actions = table.Column<string>(type: "text", nullable: true),
                    intended_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    changes = table.Column<string>(type: "jsonb", nullable: false),
                    calls = table.Column<string>(type: "jsonb", nullable: false),
                    references = table.Column<string>(type: "jsonb", nullable: false),
                    result = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    journal = table.Column<string>(type: "jsonb", nullable: false),
                    failure_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    failure_message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_restore_items", x => new { x.restore_id, x.item_id });
                    table.ForeignKey(
                        name: "FK_restore_items_restore_runs_restore_id",
                        column: x => x.restore_id,
                        principalSchema: "restore",
                        principalTable: "restore_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_restore_items_restore_id_family_display_name_item_id",
                schema: "restore",
                table: "restore_items",
                columns: new[] { "restore_id", "family", "display_name", "item_id" });

            migrationBuilder.CreateIndex(
                name: "IX_restore_runs_target_tenant_id_created_at_id",
                schema: "restore",
                table: "restore_runs",
                columns: new[] { "target_tenant_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_restore_runs_adapter_pending",
                schema: "restore",
                table: "restore_runs",
                column: "updated_at",
                filter: "adapter_pending IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "restore_items",
                schema: "restore");

            migrationBuilder.DropTable(
                name: "restore_runs",
                schema: "restore");
        }
    }
}
