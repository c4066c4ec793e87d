using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TenantAtlas.BackupService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class BackupSets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.EnsureSchema(
                name: "backup");

            migrationBuilder.CreateTable(
                name: "backup_sets",
                schema: "backup",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    last_run_id = table.Column<Guid>(type: "uuid", nullable: true),
                    captured_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    coverage = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_backup_sets", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "policy_contents",
                schema: "backup",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    family = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    policy_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    content = table.Column<string>(type: "text", nullable: false),
                    first_run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_policy_contents", x => new { x.tenant_id, x.content_hash });
                });

            migrationBuilder.CreateTable(
                name: "backup_items",
                schema: "backup",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    backup_set_id = table.Column<Guid>(type: "uuid", nullable: false),
                    family = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    policy_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    odata_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    display_name = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    failure_code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    failure_message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    redacted_secrets = table.Column<int>(type: "integer", nullable: false),
                    assignment_count = table.Column<int>(type: "integer", nullable: false),
                    references = table.Column<string>(type: "jsonb", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    captured_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_backup_items", x => x.id);
                    table.ForeignKey(
                        name: "FK_backup_items_backup_sets_backup_set_id",
                        column: x => x.backup_set_id,
                        principalSchema: "backup",
                        principalTable: "backup_sets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_backup_items_backup_set_id_family_display_name_policy_id",
                schema: "backup",
                table: "backup_items",
                columns: new[] { "backup_set_id", "family", "display_name", "policy_id" });

            migrationBuilder.CreateIndex(
                name: "IX_backup_items_backup_set_id_family_policy_id",
                schema: "backup",
                table: "backup_items",
                columns: new[] { "backup_set_id", "family", "policy_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_backup_sets_tenant_id_created_at_id",
                schema: "backup",
                table: "backup_sets",
                columns: new[] { "tenant_id", "created_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "IX_policy_contents_tenant_id_family_policy_id_created_at",
                schema: "backup",
                table: "policy_contents",
                columns: new[] { "tenant_id", "family", "policy_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "backup_items",
                schema: "backup");

            migrationBuilder.DropTable(
                name: "policy_contents",
                schema: "backup");

            migrationBuilder.DropTable(
                name: "backup_sets",
                schema: "backup");
        }
    }
}
