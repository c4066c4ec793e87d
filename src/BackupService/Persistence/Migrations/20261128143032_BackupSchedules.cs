using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.BackupService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BackupSchedules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "schedule_id",
                schema: "backup",
                table: "backup_sets",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "backup_schedules",
                schema: "backup",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    cron_expression = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    families = table.Column<List<string>>(type: "text[]", nullable: false),
                    policy_ids = table.Column<List<string>>(type: "text[]", nullable: false),
                    keep_last = table.Column<int>(type: "integer", nullable: false),
                    keep_days = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    next_fire_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    last_fired_for = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_backup_schedules", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_backup_sets_schedule_id_created_at",
                schema: "backup",
                table: "backup_sets",
                columns: new[] { "schedule_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_backup_schedules_next_fire_at",
                schema: "backup",
                table: "backup_schedules",
                column: "next_fire_at",
                filter: "enabled");

            migrationBuilder.CreateIndex(
                name: "IX_backup_schedules_tenant_id_display_name",
                schema: "backup",
                table: "backup_schedules",
                columns: new[] { "tenant_id", "display_name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "backup_schedules",
                schema: "backup");

            migrationBuilder.DropIndex(
                name: "IX_backup_sets_schedule_id_created_at",
                schema: "backup",
                table: "backup_sets");

            migrationBuilder.DropColumn(
                name: "schedule_id",
                schema: "backup",
                table: "backup_sets");
        }
    }
}
